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
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

/// How deep unnamed types may nest in one expansion.
const MAX_DEPTH: usize = 100_000;

/// An expanded type string, as gendwarfksyms' list of pieces: the text of
/// all pieces, and where the pieces that are references (that start with a
/// type prefix) are.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    text: String,
    /// The byte ranges of the reference pieces, in order.
    refs: Vec<(u32, u32)>,
}

impl Expansion {
    /// Appends a piece.
    pub fn push(&mut self, s: &str) {
        if is_type_prefix(s) {
            let start = self.text.len() as u32;
            self.refs.push((start, start + s.len() as u32));
        }
        self.text.push_str(s);
    }

    /// The pieces one after another.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The total length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether there are no pieces with text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The pieces: text between references, and the references.
    pub fn pieces(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut pos = 0;
        for &(a, b) in &self.refs {
            let (a, b) = (a as usize, b as usize);
            if a > pos {
                out.push(&self.text[pos..a]);
            }
            out.push(&self.text[a..b]);
            pos = b;
        }
        if pos < self.text.len() {
            out.push(&self.text[pos..]);
        }
        out
    }

    fn reference(&self, i: usize) -> &str {
        let (a, b) = self.refs[i];
        &self.text[a as usize..b as usize]
    }
}

/// A defined type's expansion and the slots its references name.
type Resolved = (Rc<Expansion>, Rc<[u32]>);

/// A type name's slot in a [`TypeMap`]: its expansion if defined, and the
/// slots its references name (resolved on first use).
#[derive(Debug)]
struct TypeSlot {
    name: Rc<str>,
    ty: Option<Rc<Expansion>>,
    refs: Option<Rc<[u32]>>,
    /// The `calculate_version` run that last expanded it.
    expanded: u32,
}

/// `is_type_prefix`.
pub(super) fn is_type_prefix(s: &str) -> bool {
    is_type_prefix_bytes(s.as_bytes())
}

fn is_type_prefix_bytes(b: &[u8]) -> bool {
    b.len() >= 2 && matches!(b[0], b's' | b'u' | b'e' | b't') && b[1] == b'#'
}

/// The type map of one module.
pub struct TypeMap<'a> {
    /// Names (types, and symbols with `--symtypes`) to [`Self::slots`].
    map: HashMap<Rc<str>, u32>,
    slots: Vec<TypeSlot>,
    /// The number of `calculate_version` runs so far.
    runs: u32,
    /// `calculate_version`'s bytes (kept for the next run's capacity).
    bytes: Vec<u8>,
    stable: bool,
    rules: &'a Rules,
    display: &'a str,
}

impl<'a> TypeMap<'a> {
    /// An empty map.
    pub fn new(stable: bool, rules: &'a Rules, display: &'a str) -> Self {
        TypeMap {
            map: HashMap::default(),
            slots: Vec::new(),
            runs: 0,
            bytes: Vec::new(),
            stable,
            rules,
            display,
        }
    }

    /// The slot of `name`, made (undefined) if there is none.
    fn slot(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.map.get(name) {
            return i;
        }
        let i = self.slots.len() as u32;
        let name: Rc<str> = Rc::from(name);
        self.slots.push(TypeSlot {
            name: name.clone(),
            ty: None,
            refs: None,
            expanded: 0,
        });
        self.map.insert(name, i);
        i
    }

    fn defined(&self, name: &str) -> Option<&Rc<Expansion>> {
        self.map
            .get(name)
            .and_then(|&i| self.slots[i as usize].ty.as_ref())
    }

    fn set(&mut self, name: &str, ty: Expansion) {
        let i = self.slot(name) as usize;
        self.slots[i].ty = Some(Rc::new(ty));
        self.slots[i].refs = None;
    }

    /// `type_map_add`: keeps the longest expansion of each name (a copy of
    /// `ty`, made only when it is kept).
    fn add(&mut self, name: &str, ty: &Expansion, log: &mut Log) {
        match self.defined(name) {
            None => {
                if log.dump_types {
                    log.debug("type_map_add", &format!("adding {name}"));
                }
            }
            Some(e) => {
                if ty.len() <= e.len() {
                    return;
                }
                if log.dump_types {
                    log.debug("type_map_add", &format!("replacing {name}"));
                }
            }
        }
        if log.dump_types {
            log.raw(&format!("{name} {}\n", ty.text()));
        }
        self.set(name, ty.clone());
    }

    /// Defines `name` as `ty` (for type maps read back from symtypes).
    pub fn insert(&mut self, name: &str, ty: Expansion) {
        self.set(name, ty);
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.defined(name).is_some()
    }

    /// `type_map_get` for slot `i`, falling back to a `type_string` kABI
    /// rule; with the slots its references name.
    fn get(&mut self, i: u32, log: &mut Log) -> Result<Option<Resolved>> {
        let slot = &self.slots[i as usize];
        if slot.ty.is_none() && self.stable {
            if let Some(s) = self.rules.type_string(&slot.name) {
                let name = slot.name.clone();
                let ty = type_parse(&name, s)?;
                self.add(&name, &ty, log);
            }
        }
        let Some(ty) = self.slots[i as usize].ty.clone() else {
            return Ok(None);
        };
        let refs = match &self.slots[i as usize].refs {
            Some(r) => r.clone(),
            None => {
                let r = self.ref_slots(&ty);
                self.slots[i as usize].refs = Some(r.clone());
                r
            }
        };
        Ok(Some((ty, refs)))
    }

    fn ref_slots(&mut self, ty: &Expansion) -> Rc<[u32]> {
        // Collected straight into the Rc: one allocation (the range's
        // length is exact).
        (0..ty.refs.len())
            .map(|k| self.slot(ty.reference(k)))
            .collect()
    }

    /// `type_expand`: an entry's expansion, or its `type_string` rule.
    fn expand(&self, map: &DieMap, name: &str, entry: EntryId) -> Result<Expansion> {
        let mut ty = Expansion::default();
        self.expand_into(map, name, entry, &mut ty)?;
        Ok(ty)
    }

    /// [`Self::expand`] into `ty` (cleared first).
    fn expand_into(
        &self,
        map: &DieMap,
        name: &str,
        entry: EntryId,
        ty: &mut Expansion,
    ) -> Result<()> {
        ty.text.clear();
        ty.refs.clear();
        if self.stable {
            if let Some(s) = self.rules.type_string(name) {
                *ty = type_parse(name, s)?;
                return Ok(());
            }
        }
        self.expand_entry(map, entry, ty)
    }

    /// `__type_expand`, with an explicit stack of the unnamed entries
    /// being expanded (its recursion).
    fn expand_entry(&self, map: &DieMap, entry: EntryId, ty: &mut Expansion) -> Result<()> {
        // (entry, next fragment)
        let mut stack: Vec<(EntryId, usize)> = vec![(entry, 0)];
        let mut name = String::new();
        while let Some(top) = stack.last_mut() {
            let frags = map.fragments(top.0);
            let i = top.1;
            let Some(f) = frags.get(i) else {
                stack.pop();
                continue;
            };
            top.1 += 1;
            match f {
                Fragment::Str(s) => ty.push(map.text(s)),
                Fragment::Die(addr) => {
                    let child = map
                        .find(addr, DieState::Complete)
                        .or_else(|| map.find(addr, DieState::Unexpanded))
                        .ok_or_else(|| {
                            Error::Check(format!("{}: unknown child: DIE {}", self.display, addr.0))
                        })?;
                    name.clear();
                    match push_type_name(map, child, &mut name) {
                        true => ty.push(&name),
                        false => {
                            if stack.len() > MAX_DEPTH {
                                return Err(Error::Check(format!(
                                    "{}: unnamed types nested more than {MAX_DEPTH} deep",
                                    self.display
                                )));
                            }
                            stack.push((child, 0));
                        }
                    }
                }
                Fragment::Linebreak(_) => {
                    // Keep white space, but not repeated.
                    if !matches!(frags.get(i + 1), Some(Fragment::Linebreak(_))) {
                        ty.push(" ");
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
        let mut name = String::new();
        let mut ty = Expansion::default();
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
            name.clear();
            if !push_type_name(map, e, &mut name) {
                continue;
            }
            log.debug("expand_type", &name);
            self.expand_into(map, &name, e, &mut ty)?;
            self.add(&name, &ty, log);
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
        // the many short pieces). Each slot's `expanded` says whether this
        // run has expanded it.
        self.runs += 1;
        let run = self.runs;
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        let mut crc = crc32fast::Hasher::new();
        // Hashed in blocks of this size, unless --dump-versions wants the
        // whole text.
        const BLOCK: usize = 1 << 16;
        let keep = log.dump_versions;
        // Long text runs are hashed where they lie, after what is collected
        // so far, rather than copied.
        const DIRECT: usize = 256;
        let emit = |crc: &mut crc32fast::Hasher, bytes: &mut Vec<u8>, s: &[u8]| {
            if keep || s.len() < DIRECT {
                bytes.extend_from_slice(s);
            } else {
                crc.update(bytes);
                bytes.clear();
                crc.update(s);
            }
        };
        let top_refs = self.ref_slots(ty);
        // (expansion, its slot (None: the symbol), its reference slots,
        // next reference, text position)
        type Frame = (Rc<Expansion>, Option<u32>, Rc<[u32]>, usize, usize);
        let mut stack: Vec<Frame> = vec![(Rc::new(ty.clone()), None, top_refs, 0, 0)];
        while let Some(frame) = stack.last_mut() {
            if !keep && bytes.len() >= BLOCK {
                crc.update(&bytes);
                bytes.clear();
            }
            let (exp, _, refs, k, pos) = frame;
            let Some(&(a, b)) = exp.refs.get(*k) else {
                emit(&mut crc, &mut bytes, &exp.text.as_bytes()[*pos..]);
                stack.pop();
                continue;
            };
            let (a, b) = (a as usize, b as usize);
            emit(&mut crc, &mut bytes, &exp.text.as_bytes()[*pos..a]);
            let slot = refs[*k];
            *k += 1;
            *pos = b;
            if self.slots[slot as usize].expanded == run {
                // A reference already expanded for this symbol.
                bytes.extend_from_slice(&exp.text.as_bytes()[a..b]);
                continue;
            }
            let parent = frame.1;
            let Some((e, r)) = self.get(slot, log)? else {
                let owner = parent.map_or(owner, |o| &self.slots[o as usize].name);
                return Err(Error::Check(format!(
                    "{}: unknown type reference to '{}' when expanding '{owner}'",
                    self.display, self.slots[slot as usize].name
                )));
            };
            self.slots[slot as usize].expanded = run;
            stack.push((e, Some(slot), r, 0, 0));
        }
        crc.update(&bytes);
        let crc = crc.finalize();
        let text = keep.then(|| String::from_utf8_lossy(&bytes).into_owned());
        self.bytes = bytes;
        Ok((crc, text))
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
                self.add(&name, &ty, log);
            }
        }
        Ok(())
    }

    /// `type_map_write`: `name expansion` lines sorted by name.
    pub fn symtypes(&self) -> String {
        let mut defined: Vec<(&str, &Expansion)> = self
            .slots
            .iter()
            .filter_map(|s| Some((&*s.name, &**s.ty.as_ref()?)))
            .collect();
        defined.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut out = String::new();
        for (n, ty) in defined {
            out.push_str(n);
            out.push(' ');
            out.push_str(ty.text());
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

/// `get_type_name`: appends `s#name` etc. for a named struct, union, enum
/// or typedef entry (single quotes around names with spaces) to `out`;
/// false, with `out` unchanged, for anything expanded in place.
fn push_type_name(map: &DieMap, e: EntryId, out: &mut String) -> bool {
    let entry = &map.entries[e];
    if matches!(
        entry.state,
        DieState::Incomplete | DieState::Symbol | DieState::Fqn
    ) {
        return false;
    }
    let Some(fqn) = map.fqn(e).filter(|f| !f.is_empty()) else {
        return false;
    };
    let prefix = match u16::try_from(entry.tag) {
        Ok(tag::CLASS_TYPE | tag::STRUCTURE_TYPE) => "s#",
        Ok(tag::UNION_TYPE) => "u#",
        Ok(tag::ENUMERATION_TYPE) => "e#",
        Ok(tag::TYPEDEF) => "t#",
        _ => return false,
    };
    let q = if fqn.contains(' ') { "'" } else { "" };
    for piece in [prefix, q, fqn, q] {
        out.push_str(piece);
    }
    true
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
            ty.push(&s[start..pos]);
        }
        ty.push(&s[pos..end]);
        start = end;
        pos = end;
    }
    if start < b.len() {
        ty.push(&s[start..]);
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
        let p = t.pieces();
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
