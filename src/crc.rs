//! Symbol version CRCs as genksyms computes them (`expand_and_crc_sym` and
//! `export_symbol` in `scripts/genksyms/genksyms.c`, identical in 6.1 and
//! 6.12), from the definitions in a symtypes file.
//!
//! For each export genksyms walks the definition and feeds a CRC-32:
//!
//! * a plain token: its text and one space;
//! * a typedef or enum constant (`t#`, `E#`): if not yet on this export's
//!   expansion trail, its definition, expanded recursively; else its name
//!   and a space;
//! * a struct, union or enum (`s#`, `u#`, `e#`): likewise, the short form
//!   being `struct|union|enum name ` (keyword of the reference); one that
//!   is not defined expands as `struct name { UNKNOWN }`, as genksyms adds
//!   it on demand.
//!
//! A symbol joins the trail before its definition is expanded, so a
//! recursive reference takes the short form; the export itself is on the
//! trail from the start. The trail is cleared after every export. Lookups
//! follow genksyms' `find_symbol`: the name space (ordinary or tag) of the
//! reference counts, not its exact kind. The CRC is zlib's CRC-32 (initial
//! `0xffffffff`, final xor), computed with `crc32fast` over the same bytes.

use crate::error::{Error, Position, Result};
use crate::symtypes::{Namespace, SymbolKind, SymtypesEntry, SymtypesFile};
use std::collections::HashMap;

/// The CRC of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolCrc {
    /// The exported symbol.
    pub name: String,
    /// Its CRC (`__crc_NAME`).
    pub crc: u32,
    /// The bytes fed to the CRC (what `genksyms -D` prints between
    /// `Export NAME == <` and `>`), when requested.
    pub expanded: Option<String>,
}

/// A symtypes file indexed for expansion: genksyms' symbol table.
pub struct SymbolTable<'a> {
    file: &'a SymtypesFile,
    index: HashMap<(Namespace, &'a str), usize>,
}

/// A definition being expanded: an entry of the file, or an undefined
/// struct/union/enum expanded as `KIND name { UNKNOWN }`.
#[derive(Clone, Copy)]
enum Frame<'a> {
    Entry { idx: usize, pos: usize },
    Unknown { kind: SymbolKind, name: &'a str },
}

impl<'a> SymbolTable<'a> {
    /// Indexes `file`. Two definitions of one name in one name space are an
    /// error (genksyms never writes them: it rejects redefinitions).
    pub fn new(file: &'a SymtypesFile) -> Result<Self> {
        let mut index = HashMap::with_capacity(file.entries.len());
        for (i, e) in file.entries.iter().enumerate() {
            if let Some(&prev) = index.get(&(e.kind.namespace(), e.name.as_str())) {
                let first: &SymtypesEntry = &file.entries[prev];
                return Err(Error::malformed(
                    &file.path,
                    Position::Line {
                        line: e.line,
                        column: 1,
                    },
                    format!(
                        "second definition of '{}' (first on line {}): expected each symbol once",
                        e.name, first.line
                    ),
                ));
            }
            index.insert((e.kind.namespace(), e.name.as_str()), i);
        }
        Ok(SymbolTable { file, index })
    }

    fn lookup(&self, kind: SymbolKind, name: &str) -> Option<usize> {
        self.index.get(&(kind.namespace(), name)).copied()
    }

    /// The CRC of the export defined by entry `idx`; with `expand`, also
    /// the expanded string.
    pub fn crc_of_entry(&self, idx: usize, expand: bool) -> Result<SymbolCrc> {
        let entries = &self.file.entries;
        let export = entries
            .get(idx)
            .ok_or_else(|| Error::Usage(format!("{}: no entry {idx}", self.file.path)))?;
        let mut buf: Vec<u8> = Vec::with_capacity(256);
        // The expansion trail: entries and undefined tags expanded so far.
        let mut on_trail = vec![false; entries.len()];
        let mut unknown_on_trail: Vec<(Namespace, &str)> = Vec::new();
        on_trail[idx] = true;
        // Explicit stack instead of recursion: deep type chains in hostile
        // input must not overflow the native stack.
        let mut stack: Vec<Frame<'_>> = vec![Frame::Entry { idx, pos: 0 }];
        while let Some(top) = stack.last_mut() {
            let tok = match top {
                Frame::Entry { idx, pos } => {
                    let Some(t) = entries.get(*idx).and_then(|e| e.tokens.get(*pos)) else {
                        stack.pop();
                        continue;
                    };
                    *pos += 1;
                    t
                }
                Frame::Unknown { kind, name } => {
                    for part in [kind.keyword(), name, "{", "UNKNOWN", "}"] {
                        buf.extend_from_slice(part.as_bytes());
                        buf.push(b' ');
                    }
                    stack.pop();
                    continue;
                }
            };
            let line = entries.get(match stack.last() {
                Some(Frame::Entry { idx, .. }) => *idx,
                _ => idx,
            });
            match tok.kind {
                SymbolKind::Normal => {
                    buf.extend_from_slice(tok.text.as_bytes());
                    buf.push(b' ');
                }
                SymbolKind::Typedef | SymbolKind::EnumConst => {
                    let Some(sub) = self.lookup(tok.kind, &tok.text) else {
                        let (l, what) = line.map_or((0, ""), |e| (e.line, e.name.as_str()));
                        return Err(Error::malformed(
                            &self.file.path,
                            Position::Line { line: l, column: 1 },
                            format!(
                                "'{}' (in the definition of '{what}', needed by export '{}') refers to undefined {} '{}': expected a line defining it",
                                tok.kind.prefix().map(|p| format!("{p}#{}", tok.text)).unwrap_or_default(),
                                export.name,
                                tok.kind.keyword(),
                                tok.text
                            ),
                        ));
                    };
                    if on_trail[sub] {
                        buf.extend_from_slice(tok.text.as_bytes());
                        buf.push(b' ');
                    } else {
                        on_trail[sub] = true;
                        stack.push(Frame::Entry { idx: sub, pos: 0 });
                    }
                }
                SymbolKind::Struct | SymbolKind::Union | SymbolKind::Enum => {
                    let sub = self.lookup(tok.kind, &tok.text);
                    let seen = match sub {
                        Some(s) => on_trail[s],
                        None => unknown_on_trail.contains(&(Namespace::Tag, tok.text.as_str())),
                    };
                    if seen {
                        buf.extend_from_slice(tok.kind.keyword().as_bytes());
                        buf.push(b' ');
                        buf.extend_from_slice(tok.text.as_bytes());
                        buf.push(b' ');
                    } else if let Some(s) = sub {
                        on_trail[s] = true;
                        stack.push(Frame::Entry { idx: s, pos: 0 });
                    } else {
                        unknown_on_trail.push((Namespace::Tag, tok.text.as_str()));
                        stack.push(Frame::Unknown {
                            kind: tok.kind,
                            name: tok.text.as_str(),
                        });
                    }
                }
            }
        }
        let crc = crc32fast::hash(&buf);
        let expanded = expand.then(|| String::from_utf8_lossy(&buf).into_owned());
        Ok(SymbolCrc {
            name: export.name.clone(),
            crc,
            expanded,
        })
    }
}

/// The CRCs of every export in `file`, in file order (the order genksyms
/// printed them), optionally with the expanded strings.
pub fn export_crcs(file: &SymtypesFile, expand: bool) -> Result<Vec<SymbolCrc>> {
    let table = SymbolTable::new(file)?;
    file.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == SymbolKind::Normal)
        .map(|(i, _)| table.crc_of_entry(i, expand))
        .collect()
}

/// How genksyms prints a CRC for a kernel: `#SYMVER name 0x%08lx` from
/// 5.19 (appended to `.foo.o.cmd`), `__crc_name = 0x%08lx;` before (the
/// `foo.o.symversions` linker script of the LTO build).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcFormat {
    /// `#SYMVER name 0x%08lx` (5.19+).
    Symver,
    /// `__crc_name = 0x%08lx;` (up to 5.18).
    Lds,
}

impl CrcFormat {
    /// The format genksyms of kernel `k` uses.
    pub fn for_kernel(k: crate::kver::KernelVersion) -> Self {
        if k.at_least(5, 19) {
            CrcFormat::Symver
        } else {
            CrcFormat::Lds
        }
    }

    /// One output line, with its newline.
    pub fn line(self, name: &str, crc: u32) -> String {
        match self {
            CrcFormat::Symver => format!("#SYMVER {name} 0x{crc:08x}\n"),
            CrcFormat::Lds => format!("__crc_{name} = 0x{crc:08x};\n"),
        }
    }
}

/// The debug dump of `genksyms -D` for one export:
/// `Export NAME == <EXPANDED>` and a newline.
pub fn dump_line(c: &SymbolCrc) -> String {
    format!(
        "Export {} == <{}>\n",
        c.name,
        c.expanded.as_deref().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symtypes::parse;

    fn crcs(text: &str) -> Vec<(String, String)> {
        let f = parse("t", text).unwrap();
        export_crcs(&f, true)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.expanded.unwrap()))
            .collect()
    }

    #[test]
    fn trail_rules() {
        let got = crcs(
            "s#list struct list { s#list * next ; t#u8 v ; t#u8 w ; } \n\
             t#u8 typedef unsigned char u8 \n\
             f int f ( s#list * , s#list * , s#other ) \n",
        );
        assert_eq!(
            got[0].1,
            "int f ( struct list { struct list * next ; typedef unsigned char u8 v ; u8 w ; } * , \
             struct list * , struct other { UNKNOWN } ) "
        );
    }

    #[test]
    fn recursion_terminates() {
        let got = crcs("t#a typedef t#b a \nt#b typedef t#a b \nx t#a x \n");
        assert_eq!(got[0].1, "typedef typedef a b a x ");
    }

    #[test]
    fn undefined_typedef_is_an_error() {
        let f = parse("t", "x\nf int f ( t#nope ) \n").unwrap();
        let e = export_crcs(&f, false).unwrap_err().to_string();
        assert!(
            e.starts_with("t:2:1: ") && e.contains("undefined typedef 'nope'"),
            "{e}"
        );
    }
}
