//! The exported-symbol table of gendwarfksyms (`symbols.c`): the names read
//! from stdin, their addresses from each object's symbol table, and the
//! matching rules (by name, then every symbol at the same address).
//!
//! gendwarfksyms keeps the names in a 4096-bucket hash table keyed by the
//! FNV-1a hash of the name and walks it bucket by bucket, newest entry
//! first in each bucket; that walk is the order of the `#SYMVER` lines and
//! of symbol processing, so it is reproduced exactly ([`Symbols::order`]).

use super::Log;
use crate::error::{Error, Position, Result};
use rustc_hash::FxHashMap as HashMap;

/// The prefix of the pointers the kernel's `EXPORT_SYMBOL` adds with
/// `CONFIG_GENDWARFKSYMS` (`__gendwarfksyms_ptr_<symbol>`).
pub const SYMBOL_PTR_PREFIX: &str = "__gendwarfksyms_ptr_";

/// `enum symbol_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolState {
    /// `SYMBOL_UNPROCESSED`.
    Unprocessed,
    /// `SYMBOL_MAPPED`: a DIE was found.
    Mapped,
    /// `SYMBOL_PROCESSED`: the version is known.
    Processed,
}

/// A DIE of one module: (module number, DIE).
pub type DieRef = (u32, crate::debuginfo::DieId);

/// `struct symbol`.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// The exported name.
    pub name: String,
    /// `(st_shndx, st_value)` from the first object that defines it;
    /// section 0 (`SHN_UNDEF`) until then.
    pub addr: (u32, u64),
    /// Where the symbol is.
    pub state: SymbolState,
    /// The DIE describing it.
    pub die: Option<DieRef>,
    /// The `__gendwarfksyms_ptr_` pointee DIE, if one was seen.
    pub ptr_die: Option<DieRef>,
    /// The version.
    pub crc: u32,
}

/// gendwarfksyms' `hash_str`: 32-bit FNV-1a over `char`s, which are signed
/// on x86 (bytes from 0x80 are sign-extended before the xor).
pub fn hash_str(s: &str) -> u32 {
    let mut h: u32 = 2166136261;
    for &b in s.as_bytes() {
        h = (h ^ (b as i8 as i32 as u32)).wrapping_mul(0x0100_0193);
    }
    h
}

/// The kernel's `hash_32` as `scripts/include/hash.h` simplifies it.
pub fn hash_32(v: u32) -> u32 {
    v.wrapping_mul(0x61C8_8647)
}

const SYMBOL_HASH_SIZE: u32 = 1 << 12;

/// All exported symbols of a run.
#[derive(Debug, Default)]
pub struct Symbols {
    /// By insertion order.
    pub syms: Vec<Symbol>,
    by_name: HashMap<String, usize>,
    /// Symbols per address, in the order they got it.
    by_addr: HashMap<(u32, u64), Vec<usize>>,
}

impl Symbols {
    /// `symbol_read_exports`: one name per line (`sscanf("%ms")`: the
    /// first whitespace-separated word; a line without one is an error);
    /// duplicates are ignored.
    pub fn read_exports(text: &[u8], log: &mut Log) -> Result<Self> {
        let mut s = Symbols::default();
        let mut line_no = 0;
        let mut rest = text;
        while !rest.is_empty() {
            line_no += 1;
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| p + 1);
            let line = &rest[..end];
            rest = &rest[end..];
            // sscanf stops at a NUL; %ms skips leading white space.
            let line = &line[..line.iter().position(|&b| b == 0).unwrap_or(line.len())];
            let word: Vec<u8> = line
                .iter()
                .copied()
                .skip_while(|b| b.is_ascii_whitespace() || *b == 0x0b)
                .take_while(|b| !(b.is_ascii_whitespace() || *b == 0x0b))
                .collect();
            if word.is_empty() {
                return Err(Error::malformed(
                    "<stdin>",
                    Position::Line {
                        line: line_no,
                        column: 1,
                    },
                    format!(
                        "malformed input line {:?}: expected a symbol name (gendwarfksyms reads one per line)",
                        String::from_utf8_lossy(line)
                    ),
                ));
            }
            let name = String::from_utf8_lossy(&word).into_owned();
            if s.lookup(&name).is_some() {
                continue;
            }
            log.debug("symbol_read_exports", &name);
            s.by_name.insert(name.clone(), s.syms.len());
            s.syms.push(Symbol {
                name,
                addr: (0, 0),
                state: SymbolState::Unprocessed,
                die: None,
                ptr_die: None,
                crc: 0,
            });
        }
        log.debug(
            "symbol_read_exports",
            &format!("{} exported symbols", s.syms.len()),
        );
        Ok(s)
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        let name = name.strip_prefix(SYMBOL_PTR_PREFIX).unwrap_or(name);
        self.by_name.get(name).copied()
    }

    /// Whether a DIE named `name` can be an exported symbol's (the
    /// first condition of [`Self::get`]).
    pub fn is_listed(&self, name: &str) -> bool {
        !name.is_empty() && self.lookup(name).is_some()
    }

    /// gendwarfksyms' `for_each`: the symbol called `name` (a
    /// `__gendwarfksyms_ptr_` prefix stripped) and then every other symbol
    /// at its address, in hash-bucket order. Empty when there is no such
    /// symbol.
    pub fn matches(&self, name: Option<&str>) -> Vec<usize> {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return Vec::new();
        };
        let Some(i) = self.lookup(name) else {
            return Vec::new();
        };
        let mut out = vec![i];
        let addr = self.syms[i].addr;
        if addr.0 != 0 {
            if let Some(list) = self.by_addr.get(&addr) {
                out.extend(list.iter().rev().copied().filter(|&j| j != i));
            }
        }
        out
    }

    /// `symbol_get`: of the matches, the last still unprocessed.
    pub fn get(&self, name: Option<&str>) -> Option<usize> {
        self.matches(name)
            .into_iter()
            .rfind(|&i| self.syms[i].state == SymbolState::Unprocessed)
    }

    /// `symbol_read_symtab`: gives every exported symbol defined in this
    /// object its address, unless an earlier object did.
    pub fn read_symtab(&mut self, globals: &[crate::dwarf::ElfGlobal], log: &mut Log) {
        for g in globals {
            if g.section == 0 {
                continue;
            }
            for i in self.matches(Some(&g.name)) {
                let sym = &mut self.syms[i];
                if sym.addr.0 == 0 {
                    sym.addr = (g.section, g.value);
                    self.by_addr.entry(sym.addr).or_default().push(i);
                    log.debug(
                        "set_symbol_addr",
                        &format!("{} -> {{ {}, {:x} }}", sym.name, g.section, g.value),
                    );
                } else if sym.addr != (g.section, g.value) {
                    log.warn(
                        "set_symbol_addr",
                        &format!("multiple addresses for symbol {}?", sym.name),
                    );
                }
            }
        }
    }

    /// The order gendwarfksyms walks its name table in.
    pub fn order(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.syms.len()).collect();
        v.sort_by_key(|&i| {
            (
                hash_str(&self.syms[i].name) % SYMBOL_HASH_SIZE,
                std::cmp::Reverse(i),
            )
        });
        v
    }

    /// `symbol_print_versions`: the `#SYMVER` lines, warning about symbols
    /// that got no version.
    pub fn versions(&self, log: &mut Log) -> String {
        let mut out = String::new();
        for i in self.order() {
            let s = &self.syms[i];
            if s.state != SymbolState::Processed {
                log.warn(
                    "symbol_print_versions",
                    &format!("no information for symbol {}", s.name),
                );
            }
            out.push_str(&format!("#SYMVER {} 0x{:08x}\n", s.name, s.crc));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_with_signed_chars() {
        assert_eq!(hash_str(""), 2166136261);
        assert_eq!(hash_str("a"), 0xe40c292c);
        // 0xe9 sign-extends: differs from plain FNV-1a (0x...).
        assert_ne!(
            hash_str("\u{e9}"),
            (((2166136261u32 ^ 0xc3).wrapping_mul(0x0100_0193)) ^ 0xa9).wrapping_mul(0x0100_0193)
        );
    }

    #[test]
    fn reads_names_and_rejects_blank_lines() {
        let mut log = Log::default();
        let s = Symbols::read_exports(b"  foo bar\nbaz\nfoo\n", &mut log).unwrap();
        assert_eq!(
            s.syms.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["foo", "baz"]
        );
        let e = Symbols::read_exports(b"foo\n\nbar\n", &mut log).unwrap_err();
        assert!(e.to_string().starts_with("<stdin>:2:1: malformed"), "{e}");
    }
}
