//! The type-string builder of gendwarfksyms (`dwarf.c`): walks each unit
//! of a [`DebugInfo`], finds the DIEs of exported symbols and records, in
//! the [`DieMap`], the fragments of the type string of every type they
//! reach, with gendwarfksyms' caching, expansion and kABI rules.
//!
//! The rules, as gendwarfksyms 7.1 applies them:
//!
//! * every DIE gets a string such as `pointer_type { ... }`,
//!   `member TYPE name data_member_location(8)`, `base_type int
//!   byte_size(4) encoding(5)`; children are separated by ` ,`;
//! * a struct, union or enum is expanded (members and sizes) at most once
//!   per exported symbol, and only if it is a definition, not in a `.c`
//!   file and not `declonly` by a kABI rule; otherwise `structure_type
//!   name { }`;
//! * with `--stable`, unions holding a `__kabi_reserved*` or
//!   `__kabi_renamed*` member are versioned as that placeholder, union
//!   members holding an `__kabi_ignored*` member are left out, and the
//!   enumerator / byte-size rules apply;
//! * a symbol without a DIE of its own is described by its
//!   `__gendwarfksyms_ptr_` pointer's pointee.

use super::die_map::{DieMap, DieState, EntryId, Fragment, TextRange};
use super::kabi::Rules;
use super::symbols::{SymbolState, Symbols, SYMBOL_PTR_PREFIX};
use super::Log;
use crate::debuginfo::{tag, ConstAttr, DebugInfo, DieId};
use crate::error::{Error, Position, Result};
use rustc_hash::FxHashMap as HashMap;

/// How deep type processing may recurse before the input is taken as
/// hostile (a type that contains itself without a struct in between).
/// Measured on a 7.1.5 tree (net/core/dev.o, kernel/events/core.o): at
/// most about 200 levels; [`super::Run::add_module`] sizes its stack for
/// this bound.
pub(super) const MAX_DEPTH: usize = 10_000;

const KABI_NORMAL: i32 = 1;
const KABI_RESERVED: i32 = 2;
const KABI_IGNORED: i32 = 3;

#[derive(Clone, Default)]
struct Expansion {
    expand: bool,
    /// In the die_map's table of names.
    current_fqn: Option<TextRange>,
}

#[derive(Default)]
struct KabiState<'a> {
    members: i32,
    placeholder: Option<DieId>,
    orig_name: Option<&'a str>,
}

/// `struct state`: per exported symbol.
struct State<'a> {
    sym: Option<usize>,
    die: DieId,
    first_list_item: bool,
    expand: Expansion,
    /// This symbol's stamp in [`Builder::expanded`]: the
    /// `expansion_cache` of gendwarfksyms' `struct state`, as one array
    /// for all symbols (a DIE is in this symbol's cache when its stamp is
    /// this one).
    generation: u32,
    kabi: KabiState<'a>,
}

impl State<'_> {
    fn new(sym: Option<usize>, die: DieId, generation: u32) -> Self {
        State {
            sym,
            die,
            first_list_item: false,
            expand: Expansion {
                expand: true,
                current_fqn: None,
            },
            generation,
            kabi: KabiState::default(),
        }
    }
}

/// What replaying a complete entry does besides dumping its text: the
/// struct, union, enum and class DIEs it visits, in order (a visit of one
/// of those depends on the symbol's expansion state), and how many die_map
/// lookups the visits of every other DIE on the way make (all hits: such
/// a DIE's entry is complete whenever a fragment refers to it, and its
/// replay does not depend on the state).
///
/// The struct-like DIEs are a range of [`Builder::frontier_dies`] (kept)
/// or of [`Builder::frontier_stack`] (for one replay).
#[derive(Debug, Clone, Copy)]
struct Frontier {
    start: u32,
    len: u32,
    hits: u32,
    kept: bool,
}

/// Whether gendwarfksyms expands a DIE of this tag once per symbol.
fn is_expandable(t: u16) -> bool {
    matches!(
        t,
        tag::CLASS_TYPE | tag::STRUCTURE_TYPE | tag::UNION_TYPE | tag::ENUMERATION_TYPE
    )
}

#[derive(Clone, Copy)]
enum ChildFn {
    /// `process_type`.
    Type,
    /// `___process_structure_type`.
    StructureChild,
}

#[derive(Clone, Copy)]
enum Match {
    All,
    Tag(u16),
}

impl Match {
    fn matches(self, t: u16) -> bool {
        match self {
            Match::All => true,
            Match::Tag(x) => x == t,
        }
    }
}

#[derive(Clone, Copy)]
enum SymbolKind {
    Subprogram,
    Variable,
}

/// Builds the die_map of one module.
pub struct Builder<'a, 'r> {
    info: &'a DebugInfo,
    module: u32,
    display: &'a str,
    stable: bool,
    rules: &'a Rules,
    /// The entries built.
    pub map: DieMap,
    syms: &'r mut Symbols,
    log: &'r mut Log,
    srcfile_cache: HashMap<u64, bool>,
    depth: usize,
    /// Per DIE: the stamp of the last symbol that expanded it
    /// ([`State::generation`]).
    expanded: Vec<u32>,
    generations: u32,
    /// The [`Frontier`] of each complete struct-like entry, once replayed.
    frontiers: HashMap<EntryId, Frontier>,
    /// The struct-like DIEs of the kept frontiers.
    frontier_dies: Vec<DieId>,
    /// Those of the frontiers of the replays under way that are not kept,
    /// innermost last.
    frontier_stack: Vec<DieId>,
    /// The die_map's text passed 4 GiB.
    text_overflow: bool,
    /// Reused for the fragments that carry a number (`byte_size(8)`).
    scratch: String,
    /// Reused for fully qualified names.
    fqn_scratch: String,
    /// Reused for [`Self::lazy_fqn`]'s chain of ancestors.
    chain: Vec<DieId>,
    /// The unit [`Self::process_unit`] is in: the walk has named the
    /// DIEs of this unit and those before it, not those after.
    unit: u32,
}

/// Appends `v` in decimal, as `%lu` prints it (without `format!`, whose
/// machinery and allocation cost more than the rest of a fragment).
fn push_decimal(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

fn tag_name(t: u16) -> String {
    match gimli::DwTag(t).static_string() {
        Some(s) => format!("{t:x} ({s})"),
        None => format!("{t:x}"),
    }
}

impl<'a, 'r> Builder<'a, 'r> {
    /// A builder for module `module` (its number in the run).
    pub fn new(
        info: &'a DebugInfo,
        module: u32,
        display: &'a str,
        stable: bool,
        rules: &'a Rules,
        syms: &'r mut Symbols,
        log: &'r mut Log,
    ) -> Self {
        Builder {
            info,
            module,
            display,
            stable,
            rules,
            map: DieMap::for_dies(info.dies.len()),
            syms,
            log,
            srcfile_cache: HashMap::default(),
            depth: 0,
            expanded: vec![0; info.dies.len()],
            generations: 0,
            frontiers: HashMap::default(),
            frontier_dies: Vec::new(),
            frontier_stack: Vec::new(),
            text_overflow: false,
            scratch: String::new(),
            fqn_scratch: String::new(),
            chain: Vec::new(),
            unit: 0,
        }
    }

    /// A [`State`] for a new symbol, with an empty expansion cache.
    fn state(&mut self, sym: Option<usize>, die: DieId) -> State<'a> {
        self.generations += 1;
        State::new(sym, die, self.generations)
    }

    fn error(&self, die: DieId, msg: impl Into<String>) -> Error {
        Error::malformed(
            self.display,
            Position::Offset(self.info.die(die).offset),
            msg.into(),
        )
    }

    fn tag(&self, die: DieId) -> u16 {
        self.info.die(die).tag
    }

    /// The children of `die` (borrowing only the DIE model, not the
    /// builder).
    fn children(&self, die: DieId) -> crate::debuginfo::Children<'a> {
        self.info.children(die)
    }

    fn symbol_name(&self, die: DieId) -> Option<&'a str> {
        self.info.linkage_name(die).or_else(|| self.info.name(die))
    }

    // ---- fragments -------------------------------------------------

    fn process(&mut self, cache: Option<EntryId>, s: &str) {
        self.log.dump_string(s);
        if let Some(e) = cache {
            if !self.map.push_str(e, s) {
                self.text_overflow = true;
            }
        }
    }

    fn linebreak(&mut self, cache: Option<EntryId>, n: i32) {
        self.log.linebreak(n);
        self.map.push(cache, Fragment::Linebreak(n));
    }

    fn fqn(&self, cache: EntryId) -> Option<&str> {
        self.map.fqn(cache)
    }

    /// Sets the fully qualified name of `cache`, noting a table past 4 GiB.
    fn set_fqn(&mut self, cache: EntryId, name: &str) {
        if !self.map.set_fqn(cache, name) {
            self.text_overflow = true;
        }
    }

    fn update_fqn(&mut self, cache: EntryId, die: DieId) {
        if self.map.fqn_range(cache).is_some() {
            return;
        }
        if self.fqns_on_demand() {
            let mut name = std::mem::take(&mut self.fqn_scratch);
            let found = self.lazy_fqn(die, &mut name);
            self.set_fqn(cache, if found { &name } else { "" });
            self.fqn_scratch = name;
        } else {
            let found = self
                .map
                .find(die, DieState::Fqn)
                .and_then(|e| self.map.fqn_range(e))
                .filter(|r| !self.map.fqn_text(*r).is_empty());
            match found {
                Some(r) => self.map.share_fqn(cache, r),
                None => self.set_fqn(cache, ""),
            }
        }
    }

    fn process_fqn(&mut self, cache: EntryId, die: DieId) {
        self.update_fqn(cache, die);
        let mut fqn = std::mem::take(&mut self.fqn_scratch);
        fqn.clear();
        fqn.push_str(self.fqn(cache).unwrap_or_default());
        if !fqn.is_empty() {
            self.process(Some(cache), " ");
        }
        self.process(Some(cache), &fqn);
        self.fqn_scratch = fqn;
    }

    fn const_attr(&mut self, cache: EntryId, die: DieId, attr: ConstAttr, label: &str) {
        if let Some(v) = self.info.const_attr(die, attr) {
            self.process_number(cache, &[" ", label, "("], v, ")");
        }
    }

    /// `process` of `prefix` pieces, `v` in decimal, then `suffix`.
    fn process_number(&mut self, cache: EntryId, prefix: &[&str], v: u64, suffix: &str) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        prefix.iter().for_each(|p| s.push_str(p));
        push_decimal(&mut s, v);
        s.push_str(suffix);
        self.process(Some(cache), &s);
        self.scratch = s;
    }

    fn byte_size(&mut self, cache: EntryId, die: DieId) -> Result<()> {
        if let Some(mut v) = self.info.const_attr(die, ConstAttr::ByteSize) {
            if self.stable {
                if let Some(o) = self
                    .rules
                    .byte_size(self.fqn(cache))
                    .map_err(|e| self.error(die, e.to_string()))?
                {
                    v = o;
                }
            }
            self.process_number(cache, &[" byte_size("], v, ")");
        }
        Ok(())
    }

    // ---- containers ------------------------------------------------

    fn container(
        &mut self,
        st: &mut State<'a>,
        cache: Option<EntryId>,
        die: DieId,
        f: ChildFn,
        m: Match,
    ) -> Result<()> {
        st.first_list_item = true;
        let mut next = self.info.die(die).first_child();
        while let Some(c) = next {
            next = self.info.die(c).next_sibling();
            if !m.matches(self.tag(c)) {
                continue;
            }
            match f {
                ChildFn::Type => self.process_type(st, cache, c)?,
                ChildFn::StructureChild => self.structure_child(st, cache, c)?,
            }
        }
        st.first_list_item = false;
        Ok(())
    }

    fn type_attr(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        match self.info.die(die).type_ref() {
            Some(t) => self.process_type(st, Some(cache), t),
            None => {
                // Compilers can omit DW_AT_type: say void.
                self.process(Some(cache), "base_type void");
                Ok(())
            }
        }
    }

    fn list_comma(&mut self, st: &mut State<'a>, cache: EntryId) {
        if st.first_list_item {
            st.first_list_item = false;
        } else {
            self.process(Some(cache), " ,");
            self.linebreak(Some(cache), 0);
        }
    }

    /// `__process_list_type`: members and parameters.
    fn list_type(
        &mut self,
        st: &mut State<'a>,
        cache: EntryId,
        die: DieId,
        what: &str,
    ) -> Result<()> {
        let mut name = self.info.name(die);
        if self.stable {
            if name.is_some_and(|n| n.starts_with("__kabi_")) {
                name = None;
            }
            st.kabi.orig_name = None;
        }
        self.list_comma(st, cache);
        self.process(Some(cache), what);
        self.type_attr(st, cache, die)?;
        if self.stable && st.kabi.orig_name.is_some() {
            name = st.kabi.orig_name;
        }
        if let Some(n) = name {
            self.process(Some(cache), " ");
            self.process(Some(cache), n);
        }
        self.const_attr(cache, die, ConstAttr::Accessibility, "accessibility");
        self.const_attr(cache, die, ConstAttr::BitSize, "bit_size");
        self.const_attr(cache, die, ConstAttr::DataBitOffset, "data_bit_offset");
        self.const_attr(
            cache,
            die,
            ConstAttr::DataMemberLocation,
            "data_member_location",
        );
        Ok(())
    }

    /// `__process_type`: modifiers and typedefs.
    fn modifier(
        &mut self,
        st: &mut State<'a>,
        cache: EntryId,
        die: DieId,
        what: &str,
    ) -> Result<()> {
        self.process(Some(cache), what);
        self.process_fqn(cache, die);
        self.process(Some(cache), " {");
        self.linebreak(Some(cache), 1);
        self.type_attr(st, cache, die)?;
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), "}");
        self.byte_size(cache, die)?;
        self.const_attr(cache, die, ConstAttr::Alignment, "alignment");
        Ok(())
    }

    fn subrange(&mut self, cache: EntryId, die: DieId) {
        if let Some(c) = self.info.const_attr(die, ConstAttr::Count) {
            self.process_number(cache, &["["], c, "]");
        } else if let Some(u) = self.info.const_attr(die, ConstAttr::UpperBound) {
            self.process_number(cache, &["["], u.wrapping_add(1), "]");
        } else {
            self.process(Some(cache), "[]");
        }
    }

    fn array(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        self.process(Some(cache), "array_type");
        self.container(
            st,
            Some(cache),
            die,
            ChildFn::Type,
            Match::Tag(tag::SUBRANGE_TYPE),
        )?;
        self.process(Some(cache), " {");
        self.linebreak(Some(cache), 1);
        self.type_attr(st, cache, die)?;
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), "}");
        Ok(())
    }

    fn subroutine(
        &mut self,
        st: &mut State<'a>,
        cache: EntryId,
        die: DieId,
        what: &str,
    ) -> Result<()> {
        self.process(Some(cache), what);
        self.process(Some(cache), " (");
        self.linebreak(Some(cache), 1);
        self.container(
            st,
            Some(cache),
            die,
            ChildFn::Type,
            Match::Tag(tag::FORMAL_PARAMETER),
        )?;
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), ")");
        self.linebreak(Some(cache), 0);
        self.process(Some(cache), "-> ");
        self.type_attr(st, cache, die)
    }

    fn variant(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        self.list_comma(st, cache);
        self.process(Some(cache), "variant {");
        self.linebreak(Some(cache), 1);
        self.container(st, Some(cache), die, ChildFn::Type, Match::Tag(tag::MEMBER))?;
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), "}");
        self.const_attr(cache, die, ConstAttr::DiscrValue, "discr_value");
        Ok(())
    }

    fn variant_part(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        self.list_comma(st, cache);
        self.process(Some(cache), "variant_part {");
        self.linebreak(Some(cache), 1);
        self.container(st, Some(cache), die, ChildFn::Type, Match::All)?;
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), "}");
        Ok(())
    }

    // ---- kABI ------------------------------------------------------

    /// `get_kabi_status`, with the `__kabi_renamed` suffix.
    fn kabi_status(&self, die: DieId) -> (i32, Option<&'a str>) {
        if let Some(rest) = self.info.name(die).and_then(|n| n.strip_prefix("__kabi_")) {
            if rest.starts_with("reserved") {
                return (KABI_RESERVED, None);
            }
            if rest.starts_with("ignored") {
                return (KABI_IGNORED, None);
            }
            if let Some(suffix) = rest.strip_prefix("renamed") {
                return (KABI_RESERVED, Some(suffix));
            }
        }
        (KABI_NORMAL, None)
    }

    fn check_struct_member(&self, ks: &mut KabiState<'a>, die: DieId) -> Result<i32> {
        let (res, suffix) = self.kabi_status(die);
        ks.orig_name = suffix;
        if res == KABI_RESERVED {
            match self.info.die(die).type_ref() {
                Some(t) => ks.placeholder = Some(t),
                None => return Err(self.error(die, "structure member missing a type?")),
            }
        }
        Ok(res)
    }

    fn check_union_member(&self, ks: &mut KabiState<'a>, die: DieId) -> Result<i32> {
        let Some(ty) = self.info.die(die).type_ref() else {
            return Err(self.error(die, "union member missing a type?"));
        };
        let (mut res, suffix) = self.kabi_status(die);
        ks.orig_name = suffix;
        if res == KABI_RESERVED {
            ks.placeholder = Some(ty);
        }
        if res != KABI_NORMAL {
            return Ok(res);
        }
        if self.tag(ty) == tag::STRUCTURE_TYPE {
            res = 0;
            for c in self.children(ty) {
                if self.tag(c) != tag::MEMBER {
                    continue;
                }
                let r = self.check_struct_member(ks, c)?;
                if r != 0 {
                    res = r;
                    break;
                }
            }
        }
        if res <= KABI_NORMAL {
            ks.members += 1;
            if ks.members < 2 {
                return Ok(0);
            }
        }
        Ok(res)
    }

    /// `get_union_kabi_status`.
    fn union_kabi_status(&self, die: DieId) -> Result<(i32, Option<DieId>, Option<&'a str>)> {
        if !self.stable {
            return Ok((KABI_NORMAL, None, None));
        }
        let mut ks = KabiState::default();
        let mut res = 0;
        for c in self.children(die) {
            if self.tag(c) != tag::MEMBER {
                continue;
            }
            let r = self.check_union_member(&mut ks, c)?;
            if r != 0 {
                res = r;
                break;
            }
        }
        if res == KABI_RESERVED {
            return Ok((res, ks.placeholder, ks.orig_name));
        }
        Ok((res, None, None))
    }

    fn is_kabi_ignored(&self, die: DieId) -> Result<bool> {
        if !self.stable {
            return Ok(false);
        }
        let Some(ty) = self.info.die(die).type_ref() else {
            return Err(self.error(die, "member missing a type?"));
        };
        Ok(self.tag(ty) == tag::UNION_TYPE && self.union_kabi_status(ty)?.0 == KABI_IGNORED)
    }

    fn is_definition_private(&mut self, die: DieId) -> Result<bool> {
        let Some(file) = self.info.const_attr(die, ConstAttr::DeclFile) else {
            return Ok(false);
        };
        if let Some(&r) = self.srcfile_cache.get(&file) {
            return Ok(r);
        }
        let unit = self.info.die(die).unit as usize;
        let files = self
            .info
            .units
            .get(unit)
            .map(|u| &u.files[..])
            .unwrap_or(&[]);
        if files.is_empty() {
            return Err(self.error(
                die,
                "dwarf_getsrcfiles failed: DW_AT_decl_file without a line table in the unit",
            ));
        }
        let Some(&name) = files.get(file as usize) else {
            return Err(self.error(
                die,
                format!(
                    "dwarf_filesrc failed: DW_AT_decl_file {file} is not in the unit's file table ({} entries)",
                    files.len()
                ),
            ));
        };
        // Definitions in .c files cannot change the public ABI.
        let r = self.info.str(name).ends_with(".c");
        self.srcfile_cache.insert(file, r);
        Ok(r)
    }

    fn is_kabi_definition(&mut self, cache: EntryId, die: DieId) -> Result<bool> {
        if self.info.die(die).declaration {
            return Ok(false);
        }
        if self.stable && self.rules.is_declonly(self.fqn(cache)) {
            return Ok(false);
        }
        Ok(!self.is_definition_private(die)?)
    }

    fn structure_child(
        &mut self,
        st: &mut State<'a>,
        cache: Option<EntryId>,
        die: DieId,
    ) -> Result<()> {
        match self.tag(die) {
            tag::MEMBER => {
                if self.is_kabi_ignored(die)? {
                    return Ok(());
                }
                self.process_type(st, cache, die)
            }
            tag::VARIANT_PART => self.process_type(st, cache, die),
            tag::CLASS_TYPE
            | tag::ENUMERATION_TYPE
            | tag::STRUCTURE_TYPE
            | tag::TEMPLATE_TYPE_PARAMETER
            | tag::UNION_TYPE
            | tag::SUBPROGRAM => Ok(()),
            t => Err(self.error(
                die,
                format!("unexpected structure_type child: {}", tag_name(t)),
            )),
        }
    }

    /// `__process_structure_type`: structs, classes, unions, enums.
    fn structure(
        &mut self,
        st: &mut State<'a>,
        cache: EntryId,
        die: DieId,
        what: &str,
        f: ChildFn,
        m: Match,
    ) -> Result<()> {
        self.process(Some(cache), what);
        self.process_fqn(cache, die);
        self.process(Some(cache), " {");
        self.linebreak(Some(cache), 1);
        let expand = st.expand.expand && self.is_kabi_definition(cache, die)?;
        if expand {
            st.expand.current_fqn = self.map.fqn_range(cache);
            self.container(st, Some(cache), die, f, m)?;
        }
        self.linebreak(Some(cache), -1);
        self.process(Some(cache), "}");
        if expand {
            self.byte_size(cache, die)?;
            self.const_attr(cache, die, ConstAttr::Alignment, "alignment");
        }
        Ok(())
    }

    fn union(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        let (res, placeholder, orig) = self.union_kabi_status(die)?;
        if res == KABI_RESERVED {
            st.kabi.orig_name = orig;
            if let Some(p) = placeholder {
                self.process_type(st, Some(cache), p)?;
            }
        }
        if res > KABI_NORMAL {
            return Ok(());
        }
        self.structure(
            st,
            cache,
            die,
            "union_type",
            ChildFn::StructureChild,
            Match::All,
        )
    }

    fn enumerator(&mut self, st: &mut State<'a>, cache: EntryId, die: DieId) -> Result<()> {
        let mut overridden = None;
        if self.stable {
            self.update_fqn(cache, die);
            let fqn = self.fqn(cache);
            let cur = st.expand.current_fqn.map(|r| self.map.fqn_text(r));
            if self.rules.is_enumerator_ignored(cur, fqn) {
                return Ok(());
            }
            overridden = self
                .rules
                .enumerator_value(cur, fqn)
                .map_err(|e| self.error(die, e.to_string()))?;
        }
        self.list_comma(st, cache);
        self.process(Some(cache), "enumerator");
        self.process_fqn(cache, die);
        if let Some(v) = overridden.or_else(|| self.info.const_attr(die, ConstAttr::ConstValue)) {
            self.process(Some(cache), " = ");
            self.process_number(cache, &[], v, "");
        }
        Ok(())
    }

    fn base(&mut self, cache: EntryId, die: DieId) -> Result<()> {
        self.process(Some(cache), "base_type");
        self.process_fqn(cache, die);
        self.byte_size(cache, die)?;
        self.const_attr(cache, die, ConstAttr::Encoding, "encoding");
        self.const_attr(cache, die, ConstAttr::Alignment, "alignment");
        Ok(())
    }

    /// `process_cached`: replays a complete entry, visiting the DIEs it
    /// refers to again (so this symbol's expansion state sees them).
    ///
    /// Without `--dump-dies` the text is not wanted: only the visits of
    /// struct-like DIEs (whose entries depend on the state) are made, from
    /// the entry's [`Frontier`], and the lookups of the other visits are
    /// counted; the die_map ends up exactly as after the full replay.
    fn replay(&mut self, st: &mut State<'a>, cache: EntryId) -> Result<()> {
        if !self.log.dump_dies {
            let f = self.frontier(cache)?;
            self.map.hits += f.hits;
            let r = (0..f.len).try_for_each(|k| {
                let at = (f.start + k) as usize;
                let d = match f.kept {
                    true => self.frontier_dies[at],
                    false => self.frontier_stack[at],
                };
                self.visit_expandable(st, d)
            });
            if !f.kept {
                self.frontier_stack.truncate(f.start as usize);
            }
            return r;
        }
        let mut i = 0;
        while let Some(f) = self.map.fragments(cache).get(i) {
            i += 1;
            match f {
                Fragment::Str(s) => self.log.dump_string(self.map.text(s)),
                Fragment::Linebreak(n) => self.linebreak(None, n),
                Fragment::Die(d) => self.process_type(st, None, d)?,
            }
        }
        Ok(())
    }

    /// The [`Frontier`] of a complete entry (kept for struct-like entries,
    /// which every symbol replays again).
    fn frontier(&mut self, cache: EntryId) -> Result<Frontier> {
        if let Some(f) = self.frontiers.get(&cache) {
            return Ok(*f);
        }
        let t = self.map.entries[cache].tag;
        let kept = u16::try_from(t).is_ok_and(is_expandable);
        let mut dies = match kept {
            true => std::mem::take(&mut self.frontier_dies),
            false => std::mem::take(&mut self.frontier_stack),
        };
        let start = dies.len();
        let mut hits = 0;
        let r = self.collect_frontier(cache, &mut dies, &mut hits, 0);
        let f = Frontier {
            start: start as u32,
            len: (dies.len() - start) as u32,
            hits,
            kept,
        };
        if r.is_err() {
            dies.truncate(start);
        }
        match kept {
            true => self.frontier_dies = dies,
            false => self.frontier_stack = dies,
        }
        r?;
        if kept {
            self.frontiers.insert(cache, f);
        }
        Ok(f)
    }

    fn collect_frontier(
        &self,
        cache: EntryId,
        structs: &mut Vec<DieId>,
        hits: &mut u32,
        depth: usize,
    ) -> Result<()> {
        for frag in self.map.fragments(cache).iter() {
            let Fragment::Die(d) = frag else { continue };
            if is_expandable(self.tag(d)) {
                structs.push(d);
                continue;
            }
            *hits += 1;
            let Some(e) = self.map.find(d, DieState::Complete) else {
                return Err(self.error(
                    d,
                    "internal error: a fragment refers to a DIE without a complete entry",
                ));
            };
            if self.depth + depth >= MAX_DEPTH {
                return Err(self.error(
                    d,
                    format!("types nested more than {MAX_DEPTH} deep: expected a finite type (a cycle without a struct?)"),
                ));
            }
            self.collect_frontier(e, structs, hits, depth + 1)?;
        }
        Ok(())
    }

    /// `process_type` on a struct-like DIE during a replay: the same
    /// expansion-state logic; a complete entry for the wanted state is
    /// replayed, anything else goes through [`Self::process_type`].
    fn visit_expandable(&mut self, st: &mut State<'a>, die: DieId) -> Result<()> {
        let i = die.0 as usize;
        let expand = st.expand.expand && self.expanded[i] != st.generation;
        let want = if expand {
            DieState::Complete
        } else {
            DieState::Unexpanded
        };
        let Some(cache) = self.map.find(die, want) else {
            return self.process_type(st, None, die);
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.error(
                die,
                format!("types nested more than {MAX_DEPTH} deep: expected a finite type (a cycle without a struct?)"),
            ));
        }
        if expand {
            self.expanded[i] = st.generation;
        }
        self.map.hits += 1;
        let saved = st.expand.expand;
        st.expand.expand = expand;
        self.depth += 1;
        let r = self.replay(st, cache);
        self.depth -= 1;
        st.expand.expand = saved;
        r
    }

    /// `process_type`.
    fn process_type(
        &mut self,
        st: &mut State<'a>,
        parent: Option<EntryId>,
        die: DieId,
    ) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(
                die,
                format!("types nested more than {MAX_DEPTH} deep: expected a finite type (a cycle without a struct?)"),
            ));
        }
        self.depth += 1;
        let r = self.process_type_inner(st, parent, die);
        self.depth -= 1;
        r
    }

    fn process_type_inner(
        &mut self,
        st: &mut State<'a>,
        parent: Option<EntryId>,
        die: DieId,
    ) -> Result<()> {
        let saved = st.expand.clone();
        let t = self.tag(die);
        let mut want = DieState::Complete;
        if is_expandable(t) {
            // Expanded only once per exported symbol.
            if self.expanded[die.0 as usize] == st.generation {
                st.expand.expand = false;
            }
            if st.expand.expand {
                self.expanded[die.0 as usize] = st.generation;
            } else {
                want = DieState::Unexpanded;
            }
        }
        let cache = self.map.get(die, want);
        if self.map.entries[cache].state == want {
            self.replay(st, cache)?;
            self.map.push(parent, Fragment::Die(die));
            st.expand = saved;
            return Ok(());
        }
        let modifier = |t: u16| -> Option<&'static str> {
            Some(match t {
                tag::ATOMIC_TYPE => "atomic_type",
                tag::CONST_TYPE => "const_type",
                tag::IMMUTABLE_TYPE => "immutable_type",
                tag::PACKED_TYPE => "packed_type",
                tag::POINTER_TYPE => "pointer_type",
                tag::REFERENCE_TYPE => "reference_type",
                tag::RESTRICT_TYPE => "restrict_type",
                tag::RVALUE_REFERENCE_TYPE => "rvalue_reference_type",
                tag::SHARED_TYPE => "shared_type",
                tag::VOLATILE_TYPE => "volatile_type",
                tag::TEMPLATE_TYPE_PARAMETER => "template_type_parameter_type",
                tag::TYPEDEF => "typedef_type",
                _ => return None,
            })
        };
        match t {
            _ if modifier(t).is_some() => {
                self.modifier(st, cache, die, modifier(t).unwrap_or_default())?
            }
            tag::CLASS_TYPE => self.structure(
                st,
                cache,
                die,
                "class_type",
                ChildFn::StructureChild,
                Match::All,
            )?,
            tag::STRUCTURE_TYPE => self.structure(
                st,
                cache,
                die,
                "structure_type",
                ChildFn::StructureChild,
                Match::All,
            )?,
            tag::UNION_TYPE => self.union(st, cache, die)?,
            tag::ENUMERATION_TYPE => self.structure(
                st,
                cache,
                die,
                "enumeration_type",
                ChildFn::Type,
                Match::Tag(tag::ENUMERATOR),
            )?,
            tag::ENUMERATOR => self.enumerator(st, cache, die)?,
            tag::FORMAL_PARAMETER => self.list_type(st, cache, die, "formal_parameter ")?,
            tag::MEMBER => self.list_type(st, cache, die, "member ")?,
            tag::SUBRANGE_TYPE => self.subrange(cache, die),
            tag::VARIANT => self.variant(st, cache, die)?,
            tag::VARIANT_PART => self.variant_part(st, cache, die)?,
            tag::ARRAY_TYPE => self.array(st, cache, die)?,
            tag::BASE_TYPE => self.base(cache, die)?,
            tag::SUBROUTINE_TYPE => self.subroutine(st, cache, die, "subroutine_type")?,
            tag::UNSPECIFIED_TYPE => self.process(Some(cache), "unspecified_type"),
            _ => return Err(self.error(die, format!("unexpected type: {}", tag_name(t)))),
        }
        self.map.entries[cache].tag = i32::from(t);
        self.map.set_state(cache, want);
        self.map.push(parent, Fragment::Die(die));
        st.expand = saved;
        Ok(())
    }

    // ---- exported symbols -------------------------------------------

    fn symbol_display(&self, st: &State<'a>) -> String {
        st.sym
            .and_then(|i| self.syms.syms.get(i))
            .map_or_else(String::new, |s| s.name.clone())
    }

    fn set_die(&mut self, st: &State<'a>, die: DieId) -> Result<()> {
        let name = self.symbol_display(st);
        let m = self.syms.matches(Some(&name));
        if m.is_empty() {
            return Err(self.error(die, format!("no matching symbols: '{name}'")));
        }
        for i in m {
            let s = &mut self.syms.syms[i];
            s.die = Some((self.module, die));
            s.state = SymbolState::Mapped;
        }
        Ok(())
    }

    fn process_symbol(&mut self, st: &mut State<'a>, die: DieId, kind: SymbolKind) -> Result<()> {
        self.set_die(st, die)?;
        let cache = self.map.get(die, DieState::Symbol);
        if self.map.entries[cache].state != DieState::Incomplete {
            return Ok(()); // this DIE was already processed for a symbol
        }
        self.map.entries[cache].tag = i32::from(self.tag(die));
        let name = self.symbol_display(st);
        self.log.debug("process_symbol", &name);
        match kind {
            SymbolKind::Subprogram => self.subroutine(st, cache, die, "subprogram")?,
            SymbolKind::Variable => {
                self.process(Some(cache), "variable ");
                self.type_attr(st, cache, die)?;
            }
        }
        self.map.set_state(cache, DieState::Symbol);
        self.log.dump_raw("\n");
        Ok(())
    }

    fn save_symbol_ptr(&mut self, st: &State<'a>) -> Result<()> {
        let shown = self.symbol_name(st.die).unwrap_or("(null)").to_string();
        let ptr = self
            .info
            .die(st.die)
            .type_ref()
            .filter(|&p| self.tag(p) == tag::POINTER_TYPE)
            .ok_or_else(|| self.error(st.die, format!("{shown} must be a pointer type!")))?;
        let Some(ty) = self.info.die(ptr).type_ref() else {
            return Err(self.error(ptr, format!("{shown} pointer missing a type attribute?")));
        };
        // Clang leaves external symbols out of the DWARF: keep the
        // pointee in case the symbol has no DIE of its own.
        let target = if self.tag(ty) == tag::SUBROUTINE_TYPE {
            ty
        } else {
            ptr
        };
        let name = self.symbol_display(st);
        let m = self.syms.matches(Some(&name));
        if m.is_empty() {
            return Err(self.error(st.die, format!("no matching symbols: '{name}'")));
        }
        for i in m {
            self.syms.syms[i].ptr_die = Some((self.module, target));
        }
        Ok(())
    }

    fn exported_symbols(&mut self, die: DieId, depth: usize) -> Result<()> {
        let t = self.tag(die);
        match t {
            tag::NAMESPACE | tag::CLASS_TYPE | tag::STRUCTURE_TYPE => {
                if depth > crate::dwarf::MAX_DIE_DEPTH {
                    return Err(self.error(die, "DIEs nested too deep"));
                }
                for c in self.children(die) {
                    self.exported_symbols(c, depth + 1)?;
                }
                Ok(())
            }
            tag::SUBPROGRAM | tag::VARIABLE => {
                let source = self.info.die(die).abstract_origin().unwrap_or(die);
                let mut sym = self.syms.get(self.symbol_name(die));
                if sym.is_none() && source != die {
                    sym = self.syms.get(self.symbol_name(source));
                }
                if sym.is_none() {
                    return Ok(());
                }
                let mut st = self.state(sym, source);
                if self
                    .symbol_name(source)
                    .is_some_and(|n| n.starts_with(SYMBOL_PTR_PREFIX))
                {
                    self.save_symbol_ptr(&st)
                } else if t == tag::SUBPROGRAM {
                    self.process_symbol(&mut st, source, SymbolKind::Subprogram)
                } else {
                    self.process_symbol(&mut st, source, SymbolKind::Variable)
                }
            }
            _ => Ok(()),
        }
    }

    fn symbol_ptr(&mut self, i: usize) -> Result<()> {
        let s = &self.syms.syms[i];
        let (SymbolState::Unprocessed, Some((module, die))) = (s.state, s.ptr_die) else {
            return Ok(());
        };
        let name = s.name.clone();
        self.log.debug("process_symbol_ptr", &name);
        if module != self.module {
            return Err(Error::Check(format!(
                "{}: dwarf_die_addr_die failed for symbol ptr: '{name}'",
                self.display
            )));
        }
        let mut st = self.state(Some(i), die);
        if self.tag(die) == tag::SUBROUTINE_TYPE {
            self.process_symbol(&mut st, die, SymbolKind::Subprogram)
        } else {
            self.process_symbol(&mut st, die, SymbolKind::Variable)
        }
    }

    /// Whether the names `resolve_fqns` gives are computed when a DIE
    /// asks for its own ([`Self::lazy_fqn`]) instead of by walking every
    /// DIE first. The names are the same either way; only the die_map's
    /// statistics (`-d`) count the walk's entries, so `-d` walks, and so
    /// does a tree deep enough for the walk to refuse it.
    fn fqns_on_demand(&self) -> bool {
        !self.log.debug && self.info.max_depth() <= crate::dwarf::MAX_DIE_DEPTH + 1
    }

    /// One step of `resolve_fqns` on `die`, with the prefix of its parent
    /// in `buf` when `has_prefix`: leaves in `buf` its fully qualified name
    /// or the prefix its children get, or both (the same string for a
    /// named struct, class or namespace), and returns whether it has a
    /// name and whether `buf` is the children's prefix.
    fn fqn_step(&self, buf: &mut String, has_prefix: bool, die: DieId) -> (bool, bool) {
        let use_prefix = matches!(
            self.tag(die),
            tag::NAMESPACE | tag::CLASS_TYPE | tag::STRUCTURE_TYPE
        );
        let name = self.info.name(die);
        if has_prefix && (use_prefix || name.is_some()) {
            buf.push_str("::");
            buf.push_str(name.unwrap_or("<anonymous>"));
            return (name.is_some(), use_prefix);
        }
        buf.clear();
        match name.filter(|n| !n.is_empty()) {
            Some(n) => {
                buf.push_str(n);
                (true, use_prefix)
            }
            // An empty name is no name for the fqn, but it is still the
            // (empty) prefix of the children.
            None => (false, use_prefix && name.is_some()),
        }
    }

    fn resolve_fqns(&mut self, parent: Option<&str>, die: DieId, depth: usize) -> Result<()> {
        if self.map.find(die, DieState::Fqn).is_some() {
            return Ok(());
        }
        if depth > crate::dwarf::MAX_DIE_DEPTH {
            return Err(self.error(die, "DIEs nested too deep"));
        }
        let mut buf = String::from(parent.unwrap_or_default());
        let (named, prefix) = self.fqn_step(&mut buf, parent.is_some(), die);
        if named && !buf.is_empty() {
            let e = self.map.get(die, DieState::Fqn);
            self.set_fqn(e, &buf);
            self.map.set_state(e, DieState::Fqn);
        }
        let current = prefix.then_some(buf);
        for c in self.children(die) {
            self.resolve_fqns(current.as_deref(), c, depth + 1)?;
        }
        Ok(())
    }

    /// The name [`Self::resolve_fqns`] would have given `die` (`None` for
    /// none, or an empty one), from its ancestors alone: the walk visits
    /// the descendants of each unit's root, each with the prefix its
    /// parent passes down, one unit at a time (a DIE of a later unit,
    /// reached through a cross-unit reference, has no name yet).
    fn lazy_fqn(&mut self, die: DieId, out: &mut String) -> bool {
        out.clear();
        if self.info.die(die).unit > self.unit {
            return false;
        }
        // The ancestors below the unit's root, innermost first.
        let mut chain = std::mem::take(&mut self.chain);
        chain.clear();
        let mut at = die;
        while let Some(p) = self.info.die(at).parent() {
            chain.push(at);
            at = p;
        }
        let root = self
            .info
            .units
            .get(self.info.die(at).unit as usize)
            .and_then(|u| u.root);
        let mut fqn = false;
        if !chain.is_empty() && root == Some(at) {
            // `out` is the prefix the next DIE gets, when `prefix`.
            let mut prefix = false;
            for &d in chain.iter().rev() {
                (fqn, prefix) = self.fqn_step(out, prefix, d);
            }
        }
        self.chain = chain;
        fqn && !out.is_empty()
    }

    /// `process_cu`: names, exported symbols, then symbols known only by
    /// their `__gendwarfksyms_ptr_` pointer.
    pub fn process_unit(&mut self, root: DieId) -> Result<()> {
        self.unit = self.info.die(root).unit;
        if !self.fqns_on_demand() {
            for c in self.children(root) {
                self.resolve_fqns(None, c, 0)?;
            }
        }
        for c in self.children(root) {
            self.exported_symbols(c, 0)?;
        }
        for i in self.syms.order() {
            self.symbol_ptr(i)?;
        }
        self.srcfile_cache.clear();
        if self.text_overflow {
            return Err(self.error(root, "type strings of more than 4 GiB"));
        }
        // The builder builds entries last-in, first-out; fuzzing (debug
        // assertions on) checks that no input makes it do otherwise.
        debug_assert!(!self.map.misplaced, "a fragment went to the wrong entry");
        if self.map.misplaced {
            return Err(self.error(
                root,
                "internal error: a type string fragment went to an entry not being built",
            ));
        }
        Ok(())
    }
}
