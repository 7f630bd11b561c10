//! Type strings, symtypes and versions (`types.c`): turns a module's
//! [`DieMap`] into the `type_map` (the longest expansion of every named
//! type, referring to other named types as `s#name`, `u#name`, `e#name`,
//! `t#name`), computes each exported symbol's CRC over its type string
//! with every referenced type expanded once, and writes the symtypes
//! lines, sorted by name (the 6.17+ order).

use super::die_map::{DieMap, DieState, EntryId, Fragment};
use super::kabi::Rules;
use super::symbols::{SymbolState, Symbols};
use super::Log;
use crate::debuginfo::tag;
use crate::error::{Error, Result};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;

/// How deep unnamed types may nest in one expansion.
const MAX_DEPTH: usize = 100_000;

/// An expanded type string: its pieces (a piece that starts with a type
/// prefix is a reference) and their total length.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// The pieces.
    pub pieces: Vec<Rc<str>>,
    /// Total length in bytes.
    pub len: usize,
}

impl Expansion {
    fn push(&mut self, s: Rc<str>) {
        self.len += s.len();
        self.pieces.push(s);
    }

    fn text(&self) -> String {
        self.pieces.concat()
    }
}

/// `is_type_prefix`.
fn is_type_prefix(s: &str) -> bool {
    is_type_prefix_bytes(s.as_bytes())
}

fn is_type_prefix_bytes(b: &[u8]) -> bool {
    b.len() >= 2 && matches!(b[0], b's' | b'u' | b'e' | b't') && b[1] == b'#'
}

/// The type map of one module.
pub struct TypeMap<'a> {
    map: HashMap<Rc<str>, Rc<Expansion>>,
    stable: bool,
    rules: &'a Rules,
    display: &'a str,
}

impl<'a> TypeMap<'a> {
    /// An empty map.
    pub fn new(stable: bool, rules: &'a Rules, display: &'a str) -> Self {
        TypeMap {
            map: HashMap::default(),
            stable,
            rules,
            display,
        }
    }

    /// `type_map_add`: keeps the longest expansion of each name.
    fn add(&mut self, name: &str, ty: Expansion, log: &mut Log) {
        match self.map.get_mut(name) {
            None => {
                if log.dump_types {
                    log.debug("type_map_add", &format!("adding {name}"));
                }
                self.map.insert(Rc::from(name), Rc::new(ty));
            }
            Some(e) => {
                if ty.len <= e.len {
                    return;
                }
                if log.dump_types {
                    log.debug("type_map_add", &format!("replacing {name}"));
                }
                *e = Rc::new(ty);
            }
        }
        if log.dump_types {
            let e = &self.map[name];
            log.raw(&format!("{name} {}\n", e.text()));
        }
    }

    /// Defines `name` as `ty` (for type maps read back from symtypes).
    pub fn insert(&mut self, name: &str, ty: Expansion) {
        self.map.insert(Rc::from(name), Rc::new(ty));
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// `type_map_get`, falling back to a `type_string` kABI rule.
    fn get(&mut self, name: &str, log: &mut Log) -> Result<Option<Rc<Expansion>>> {
        if let Some(e) = self.map.get(name) {
            return Ok(Some(e.clone()));
        }
        if self.stable {
            if let Some(s) = self.rules.type_string(name) {
                let ty = type_parse(name, s)?;
                self.add(name, ty, log);
                return Ok(self.map.get(name).cloned());
            }
        }
        Ok(None)
    }

    /// `type_expand`: an entry's expansion, or its `type_string` rule.
    fn expand(&self, map: &DieMap, name: &str, entry: EntryId) -> Result<Expansion> {
        if self.stable {
            if let Some(s) = self.rules.type_string(name) {
                return type_parse(name, s);
            }
        }
        let mut ty = Expansion::default();
        self.expand_entry(map, entry, &mut ty, 0)?;
        Ok(ty)
    }

    /// `__type_expand`.
    fn expand_entry(
        &self,
        map: &DieMap,
        entry: EntryId,
        ty: &mut Expansion,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::Check(format!(
                "{}: unnamed types nested more than {MAX_DEPTH} deep",
                self.display
            )));
        }
        let frags = &map.entries[entry].fragments;
        for (i, f) in frags.iter().enumerate() {
            match f {
                Fragment::Str(s) => ty.push(s.clone()),
                Fragment::Die(addr) => {
                    let child = map
                        .find(*addr, DieState::Complete)
                        .or_else(|| map.find(*addr, DieState::Unexpanded))
                        .ok_or_else(|| {
                            Error::Check(format!("{}: unknown child: DIE {}", self.display, addr.0))
                        })?;
                    match type_name(map, child) {
                        Some(n) => ty.push(Rc::from(n.as_str())),
                        None => self.expand_entry(map, child, ty, depth + 1)?,
                    }
                }
                Fragment::Linebreak(_) => {
                    // Keep white space, but not repeated.
                    if !matches!(frags.get(i + 1), Some(Fragment::Linebreak(_))) {
                        ty.push(Rc::from(" "));
                    }
                }
            }
        }
        Ok(())
    }

    /// `expand_type` over every entry (in creation order; gendwarfksyms
    /// walks its hash table in an order that depends on memory addresses,
    /// which decides only the order of `--dump-types` lines).
    pub fn add_types(&mut self, map: &mut DieMap, log: &mut Log) -> Result<()> {
        for start in 0..map.entries.len() {
            let mut e = start;
            if map.entries[e].mapped {
                continue;
            }
            map.entries[e].mapped = true;
            if map.entries[e].state == DieState::Unexpanded {
                if let Some(c) = map.find(map.entries[e].addr, DieState::Complete) {
                    e = c;
                    if map.entries[e].mapped {
                        continue;
                    }
                    map.entries[e].mapped = true;
                }
            }
            if map.entries[e].state == DieState::Incomplete {
                log.warn(
                    "get_type_name",
                    &format!(
                        "found incomplete cache entry: DIE {}",
                        map.entries[e].addr.0
                    ),
                );
                continue;
            }
            let Some(name) = type_name(map, e) else {
                continue;
            };
            log.debug("expand_type", &name);
            let ty = self.expand(map, &name, e)?;
            self.add(&name, ty, log);
        }
        Ok(())
    }

    /// `calculate_version`: the CRC over `ty` with every referenced type
    /// expanded the first time it is met; also the expanded text when
    /// `--dump-versions` wants it.
    pub fn version(
        &mut self,
        owner: &str,
        ty: &Expansion,
        log: &mut Log,
    ) -> Result<(u32, Option<String>)> {
        // The CRC of the pieces one after another is the CRC of their
        // concatenation: collect the bytes, hash once (crc32fast is slow on
        // the many short pieces).
        let mut bytes: Vec<u8> = Vec::with_capacity(1 << 12);
        let mut text = log.dump_versions.then(String::new);
        let mut expanded: HashSet<Rc<str>> = HashSet::default();
        let top = Rc::new(ty.clone());
        // (expansion, its name for messages, next piece)
        let mut stack: Vec<(Rc<Expansion>, Rc<str>, usize)> = vec![(top, Rc::from(owner), 0)];
        while let Some(frame) = stack.last_mut() {
            let Some(piece) = frame.0.pieces.get(frame.2).cloned() else {
                stack.pop();
                continue;
            };
            frame.2 += 1;
            let owner = frame.1.clone();
            if is_type_prefix(&piece) && !expanded.contains(&piece) {
                let Some(e) = self.get(&piece, log)? else {
                    return Err(Error::Check(format!(
                        "{}: unknown type reference to '{piece}' when expanding '{owner}'",
                        self.display
                    )));
                };
                expanded.insert(piece.clone());
                stack.push((e, piece, 0));
            } else {
                // Text, or a reference already expanded for this symbol.
                bytes.extend_from_slice(piece.as_bytes());
                if let Some(t) = &mut text {
                    t.push_str(&piece);
                }
            }
        }
        Ok((crc32fast::hash(&bytes), text))
    }

    /// `expand_symbol` for every exported symbol, in table order.
    pub fn add_symbols(
        &mut self,
        map: &DieMap,
        syms: &mut Symbols,
        module: u32,
        symtypes: bool,
        log: &mut Log,
    ) -> Result<()> {
        for i in syms.order() {
            let s = &syms.syms[i];
            if !symtypes && s.state == SymbolState::Processed {
                continue;
            }
            let Some((m, die)) = s.die else { continue };
            if m != module {
                continue;
            }
            let Some(cache) = map.find(die, DieState::Symbol) else {
                continue; // warned about at the end
            };
            let name = s.name.clone();
            let ty = self.expand(map, &name, cache)?;
            if syms.syms[i].state != SymbolState::Processed {
                let (crc, text) = self.version(&name, &ty, log)?;
                set_crc(syms, &name, crc, log)?;
                log.debug("expand_symbol", &format!("{name} = {crc:x}"));
                if let Some(t) = text {
                    log.raw(&format!("{name} {t}\n"));
                }
            }
            if symtypes {
                self.add(&name, ty, log);
            }
        }
        Ok(())
    }

    /// `type_map_write`: `name expansion` lines sorted by name.
    pub fn symtypes(&self) -> String {
        let mut names: Vec<&Rc<str>> = self.map.keys().collect();
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut out = String::new();
        for n in names {
            out.push_str(n);
            out.push(' ');
            for p in &self.map[n].pieces {
                out.push_str(p);
            }
            out.push('\n');
        }
        out
    }
}

/// `symbol_set_crc`.
fn set_crc(syms: &mut Symbols, name: &str, crc: u32, log: &mut Log) -> Result<()> {
    let m = syms.matches(Some(name));
    if m.is_empty() {
        return Err(Error::Check(format!("no matching symbols: '{name}'")));
    }
    for j in m {
        let s = &mut syms.syms[j];
        if s.state == SymbolState::Processed && s.crc != crc {
            log.warn(
                "set_crc",
                &format!(
                    "overriding version for symbol {} (crc {:x} vs. {:x})",
                    s.name, s.crc, crc
                ),
            );
        }
        s.state = SymbolState::Processed;
        s.crc = crc;
    }
    Ok(())
}

/// `get_type_name`: `s#name` etc. for a named struct, union, enum or
/// typedef entry (single quotes around names with spaces); `None` for
/// anything expanded in place.
fn type_name(map: &DieMap, e: EntryId) -> Option<String> {
    let entry = &map.entries[e];
    if matches!(
        entry.state,
        DieState::Incomplete | DieState::Symbol | DieState::Fqn
    ) {
        return None;
    }
    let fqn = entry.fqn.as_deref().filter(|f| !f.is_empty())?;
    let prefix = match u16::try_from(entry.tag).ok()? {
        tag::CLASS_TYPE | tag::STRUCTURE_TYPE => 's',
        tag::UNION_TYPE => 'u',
        tag::ENUMERATION_TYPE => 'e',
        tag::TYPEDEF => 't',
        _ => return None,
    };
    let q = if fqn.contains(' ') { "'" } else { "" };
    Some(format!("{prefix}#{q}{fqn}{q}"))
}

/// `type_parse`: splits a `type_string` rule's value into text and
/// `X#name` / `X#'name'` references.
pub fn type_parse(name: &str, s: &str) -> Result<Expansion> {
    if s.is_empty() {
        return Err(Error::Check(format!(
            "kABI rules: empty type string override for '{name}'"
        )));
    }
    let b = s.as_bytes();
    let mut ty = Expansion::default();
    let mut start = 0;
    let mut pos = 0;
    while pos < b.len() {
        if !is_type_prefix_bytes(&b[pos..]) {
            pos += 1;
            continue;
        }
        let mut end = pos + 2;
        let mut marker = b' ';
        if b.get(end) == Some(&b'\'') {
            marker = b'\'';
            end += 1;
        }
        while end < b.len() && b[end] != marker {
            end += 1;
        }
        let empty;
        if marker == b'\'' {
            if b.get(end) != Some(&marker) {
                return Err(Error::Check(format!(
                    "kABI rules: incomplete {}# type reference for '{name}' (string : '{s}')",
                    b[pos] as char
                )));
            }
            empty = end == pos + 3;
            end += 1;
        } else {
            empty = end == pos + 2;
        }
        if empty {
            return Err(Error::Check(format!(
                "kABI rules: empty {}# type name for '{name}' (string: '{s}')",
                b[pos] as char
            )));
        }
        if pos > start {
            ty.push(Rc::from(&s[start..pos]));
        }
        ty.push(Rc::from(&s[pos..end]));
        start = end;
        pos = end;
    }
    if start < b.len() {
        ty.push(Rc::from(&s[start..]));
    }
    Ok(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_type_strings() {
        let t = type_parse(
            "s#x",
            "structure_type x { member s#y a , member t#'b c' d }",
        )
        .unwrap();
        let p: Vec<&str> = t.pieces.iter().map(|p| &**p).collect();
        assert_eq!(
            p,
            [
                "structure_type x { member ",
                "s#y",
                " a , member ",
                "t#'b c'",
                " d }"
            ]
        );
        assert!(type_parse("s#x", "").is_err());
        assert!(type_parse("s#x", "a s#'b").is_err());
        assert!(type_parse("s#x", "a s# b").is_err());
    }
}
