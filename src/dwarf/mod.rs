//! The DWARF of ELF relocatable objects, read into the [`DebugInfo`] model
//! as libdw (through libdwfl's offline mode, which gendwarfksyms uses)
//! presents it.
//!
//! libdwfl applies an object's relocations to its debug sections before
//! libdw reads them (`.debug_str` offsets, `.debug_str_offsets` bases and
//! `.debug_line` offsets are relocated in `ET_REL` files) and decompresses
//! `SHF_COMPRESSED` sections; so does this reader, on the crate's one ELF
//! reader ([`ElfImage`]: sections, decompression, relocations, symbols),
//! then hands the sections to `gimli`. Besides the DWARF, gendwarfksyms reads two things from the
//! object with libelf: its global symbols (`symbol_read_symtab`) and the
//! kABI rules section (`kabi_read_rules`); [`DebugObject`] carries both.

use crate::debuginfo::{ConstAttr, DebugInfo, DieAttrs, DieId, StrId};
use crate::elf::{self as elf_image, ElfImage};
use crate::error::{Error, Position, Result};
use gimli::{AttributeValue, RunTimeEndian, SectionId};
use object::elf;
use std::borrow::Cow;
use std::collections::HashMap;

mod reach;

/// The section gendwarfksyms reads kABI stability rules from.
pub const KABI_RULES_SECTION: &str = ".discard.gendwarfksyms.kabi_rules";

/// How deep a DIE tree may nest before the input is taken as hostile.
pub const MAX_DIE_DEPTH: usize = 2048;

/// One global (non-local, named) symbol of an object's `.symtab`, as
/// gendwarfksyms' `elf_for_each_global` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfGlobal {
    /// The symbol name.
    pub name: String,
    /// `st_shndx`, the extended index resolved (`SHN_UNDEF` = 0,
    /// `SHN_ABS` = 0xfff1, `SHN_COMMON` = 0xfff2).
    pub section: u32,
    /// `st_value`.
    pub value: u64,
}

/// What gendwarfksyms reads from one ELF object.
#[derive(Debug, Clone)]
pub struct DebugObject {
    /// Every unit of `.debug_info`.
    pub info: DebugInfo,
    /// The global symbols, in symbol table order.
    pub symbols: Vec<ElfGlobal>,
    /// The contents of [`KABI_RULES_SECTION`], if the object has one.
    pub kabi_rules: Option<Vec<u8>>,
}

fn bad(display: &str, pos: Position, msg: impl Into<String>) -> Error {
    Error::malformed(display, pos, msg)
}

/// Reads an ELF object held in memory. `display` names it in errors.
pub fn read_object(data: &[u8], display: &str) -> Result<DebugObject> {
    read_object_with(data, display, read_dwarf)
}

/// [`read_object`] with only the DIEs that the functions and variables
/// named by `listed` can reach in the model (see [`reach`]): what
/// gendwarfksyms' versioning walk needs of the object when `listed` is
/// its symbol list. Faults in DIEs nothing reaches are not reported.
pub fn read_object_for(
    data: &[u8],
    display: &str,
    listed: &dyn Fn(&str) -> bool,
) -> Result<DebugObject> {
    read_object_with(data, display, |image| {
        let sections = load_sections(image)?;
        let dwarf = gimli_dwarf(image, &sections)?;
        let mut info = DebugInfo::new();
        let mut pending = Vec::new();
        reach::read_reached(&dwarf, display, listed, &mut info, &mut pending)?;
        resolve_refs(&mut info, pending, display, None)?;
        Ok(info)
    })
}

/// What gendwarfksyms reads of an object, its DWARF read by `dwarf`.
fn read_object_with(
    data: &[u8],
    display: &str,
    dwarf: impl FnOnce(&ElfImage<'_>) -> Result<DebugInfo>,
) -> Result<DebugObject> {
    let image = ElfImage::parse(data, display)?;
    let symbols = read_globals(&image);
    let kabi_rules = match image.section_index(KABI_RULES_SECTION) {
        Some(i) => Some(section_bytes(&image, i)?.into_owned()),
        None => None,
    };
    let info = dwarf(&image)?;
    Ok(DebugObject {
        info,
        symbols,
        kabi_rules,
    })
}

/// `elf_for_each_global`: the named symbols that are not `STB_LOCAL`.
fn read_globals(image: &ElfImage<'_>) -> Vec<ElfGlobal> {
    let globals = image
        .symbols
        .iter()
        .filter(|s| s.bind != elf::STB_LOCAL && !s.name.is_empty());
    globals
        .map(|s| ElfGlobal {
            name: s.name.to_string(),
            section: match s.shndx {
                elf::SHN_ABS if s.st_type == elf::STT_FILE => 0,
                elf::SHN_ABS | elf::SHN_COMMON => u32::from(s.shndx),
                elf::SHN_XINDEX => s.section.map_or(0, |i| i as u32),
                i if i < elf::SHN_LORESERVE => u32::from(i),
                // Other reserved indices are not produced by compilers;
                // they count as undefined here.
                _ => 0,
            },
            value: s.value,
        })
        .collect()
}

/// Section `index` as libdwfl hands it to libdw: decompressed
/// (`SHF_COMPRESSED`, zlib or zstd) and, in a relocatable object, with
/// its relocations applied.
fn section_bytes<'d>(image: &ElfImage<'d>, index: usize) -> Result<Cow<'d, [u8]>> {
    let mut bytes = image.section_contents(index)?;
    if image.is_relocatable {
        apply_relocations(image, index, &mut bytes)?;
    }
    Ok(bytes)
}

/// Applies the absolute relocations of section `index` (what DWARF
/// sections of relocatable objects use: 32- and 64-bit absolute references
/// to other sections' symbols) to `bytes`. Symbols resolve to their
/// `st_value`: in libdwfl's offline layout the debug sections are at
/// address 0.
fn apply_relocations(image: &ElfImage<'_>, index: usize, bytes: &mut Cow<'_, [u8]>) -> Result<()> {
    let name = &image.sections[index].name;
    for rel in image.relocations(index)? {
        // Other types are not references DWARF readers follow (e.g. RISC-V
        // ADD/SUB pairs in line programs); libdwfl leaves what it cannot
        // apply, as do we.
        let Some(size) = image.absolute_relocation_width(rel.r_type) else {
            continue;
        };
        let s = match rel.symbol {
            0 => 0,
            i => image.symbols.get(i as usize - 1).map_or(0, |s| s.value),
        };
        let offset = rel.offset;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let Some(field) = start
            .checked_add(size)
            .and_then(|end| bytes.to_mut().get_mut(start..end))
        else {
            return Err(bad(
                &image.display,
                Position::Offset(offset),
                format!("relocation in {name} at {offset:#x} lies outside the section"),
            ));
        };
        let implicit = if rel.implicit_addend {
            elf_image::read_uint(field, 0, size, image.big_endian).unwrap_or(0)
        } else {
            0
        };
        let value = s.wrapping_add(rel.addend as u64).wrapping_add(implicit);
        write_uint(field, value, image.big_endian);
    }
    Ok(())
}

/// Stores the low bytes of `v` in `b`, big- or little-endian (the
/// inverse of [`elf_image::read_uint`]).
fn write_uint(b: &mut [u8], v: u64, big_endian: bool) {
    let n = b.len();
    for (i, x) in b.iter_mut().enumerate() {
        let shift = if big_endian { n - 1 - i } else { i } * 8;
        *x = (v >> shift) as u8;
    }
}

type Reader<'a> = gimli::EndianSlice<'a, RunTimeEndian>;

/// A reference not yet resolved to a [`DieId`]: (from, attribute, target
/// `.debug_info` offset).
struct PendingRef {
    from: DieId,
    kind: RefKind,
    target: u64,
}

/// Which reference attribute a [`PendingRef`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Type,
    Origin,
    /// `DW_AT_specification`: gendwarfksyms does not read it, so a bad one
    /// is dropped rather than an error (only explain's encoder uses it).
    Specification,
}

/// The DWARF sections of an image as libdw reads them (see
/// [`section_bytes`]).
type Sections<'d> = HashMap<SectionId, Cow<'d, [u8]>>;

fn load_sections<'d>(image: &ElfImage<'d>) -> Result<Sections<'d>> {
    let mut sections: Sections<'d> = HashMap::new();
    for id in [
        SectionId::DebugInfo,
        SectionId::DebugAbbrev,
        SectionId::DebugStr,
        SectionId::DebugStrOffsets,
        SectionId::DebugLine,
        SectionId::DebugLineStr,
        SectionId::DebugAddr,
    ] {
        if let Some(i) = image.section_index(id.name()) {
            sections.insert(id, section_bytes(image, i)?);
        }
    }
    if !sections.contains_key(&SectionId::DebugInfo) {
        return Err(bad(
            &image.display,
            Position::File,
            "no .debug_info section: expected an object compiled with -g (gendwarfksyms: \"no debugging information?\")",
        ));
    }
    Ok(sections)
}

fn gimli_dwarf<'s>(
    image: &ElfImage<'_>,
    sections: &'s Sections<'_>,
) -> Result<gimli::Dwarf<Reader<'s>>> {
    let endian = if image.big_endian {
        RunTimeEndian::Big
    } else {
        RunTimeEndian::Little
    };
    gimli::Dwarf::load(|id| -> std::result::Result<Reader<'_>, gimli::Error> {
        Ok(gimli::EndianSlice::new(
            sections.get(&id).map_or(&[][..], |c| &c[..]),
            endian,
        ))
    })
    .map_err(|e| bad(&image.display, Position::File, format!("DWARF: {e}")))
}

/// Calls `each` with every unit of `dwarf` in `.debug_info` order: its
/// header's offset and the unit's end.
fn for_each_unit<'s>(
    dwarf: &gimli::Dwarf<Reader<'s>>,
    display: &str,
    mut each: impl FnMut(gimli::Unit<Reader<'s>>, u64, u64) -> Result<bool>,
) -> Result<()> {
    let mut units = dwarf.units();
    let mut unit_at = 0u64;
    loop {
        let header = match units.next() {
            Ok(Some(h)) => h,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(bad(
                    display,
                    Position::Offset(unit_at),
                    format!(".debug_info: invalid unit header: {e}"),
                ))
            }
        };
        let base = header
            .offset()
            .as_debug_info_offset()
            .map_or(0, |o| o.0 as u64);
        unit_at = base;
        let end = base.saturating_add(header.length_including_self() as u64);
        let unit = dwarf.unit(header).map_err(|e| {
            bad(
                display,
                Position::Offset(base),
                format!(".debug_info: unit at {base:#x}: {e}"),
            )
        })?;
        if !each(unit, base, end)? {
            return Ok(());
        }
    }
}

/// Room in `info` for what `sections` are likely to hold: clang's and
/// gcc's DIEs take 8-9 bytes of `.debug_info` on average (measured on
/// 7.1 kernel objects), so a quarter of its size in entries leaves room
/// to spare; the names are at most `.debug_str` plus inline strings.
fn reserve_for(info: &mut DebugInfo, sections: &Sections<'_>) {
    let len = |id| sections.get(&id).map_or(0, |c: &Cow<'_, [u8]>| c.len());
    let info_len = len(SectionId::DebugInfo);
    info.reserve(info_len / 4, len(SectionId::DebugStr) + info_len / 4);
}

fn read_dwarf(image: &ElfImage<'_>) -> Result<DebugInfo> {
    let display = image.display.as_str();
    let sections = load_sections(image)?;
    let dwarf = gimli_dwarf(image, &sections)?;
    let mut info = DebugInfo::new();
    reserve_for(&mut info, &sections);
    let mut pending: Vec<PendingRef> = Vec::new();
    for_each_unit(&dwarf, display, |unit, base, _| {
        read_unit(
            &dwarf,
            &unit,
            base,
            display,
            &mut info,
            &mut pending,
            &mut || Keep::Yes,
        )?;
        Ok(true)
    })?;
    resolve_refs(&mut info, pending, display, None)?;
    Ok(info)
}

/// How [`read_units`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitsRead {
    /// Every unit was handed over.
    All,
    /// The unit at this `.debug_info` offset refers to an entry of another
    /// unit (`DW_FORM_ref_addr`, as LTO links write): units cannot be read
    /// one at a time; [`read_object`] reads them all together. The units
    /// before it were handed over.
    CrossUnitReference(u64),
}

/// Reads the DWARF of an ELF image one unit at a time, handing each to
/// `each` as a [`DebugInfo`] of its own and dropping it after: memory
/// for one unit's entries rather than the whole image's, as pahole's
/// per-CU encoding. The result is what [`read_object`] gives, unit by
/// unit, when no unit refers into another.
pub fn read_units(image: &ElfImage<'_>, mut each: impl FnMut(DebugInfo)) -> Result<UnitsRead> {
    let display = image.display.as_str();
    let sections = load_sections(image)?;
    let dwarf = gimli_dwarf(image, &sections)?;
    let mut outcome = UnitsRead::All;
    for_each_unit(&dwarf, display, |unit, base, end| {
        let mut info = DebugInfo::new();
        let mut pending = Vec::new();
        read_unit(
            &dwarf,
            &unit,
            base,
            display,
            &mut info,
            &mut pending,
            &mut || Keep::Yes,
        )?;
        if resolve_refs(&mut info, pending, display, Some(base..end))?.is_some() {
            outcome = UnitsRead::CrossUnitReference(base);
            return Ok(false);
        }
        each(info);
        Ok(true)
    })?;
    Ok(outcome)
}

/// Finds an entry by its `.debug_info` offset among entries sorted by
/// offset: the first entry of each 32-byte stretch of the section, then a
/// short search within the stretch. A binary search over a table of tens
/// of thousands of DIEs missed the cache at most of its steps, once per
/// reference followed.
struct OffsetIndex {
    /// The first entry's offset, where the first stretch starts.
    base: u64,
    /// Per stretch: the index of its first entry (at or after its start).
    first: Vec<u32>,
}

impl OffsetIndex {
    const SHIFT: u32 = 5;

    /// The index of `n` entries whose offsets, in increasing order, are
    /// `offset(0)`, `offset(1)`, ….
    fn new(n: usize, offset: impl Fn(usize) -> u64) -> Self {
        let base = if n == 0 { 0 } else { offset(0) };
        let stretches = match n {
            0 => 0,
            _ => usize::try_from(offset(n - 1).saturating_sub(base) >> Self::SHIFT)
                .map_or(0, |s| s + 1),
        };
        let mut first = Vec::with_capacity(stretches + 1);
        let mut i = 0usize;
        for s in 0..=stretches {
            let start = base + ((s as u64) << Self::SHIFT);
            while i < n && offset(i) < start {
                i += 1;
            }
            first.push(i as u32);
        }
        OffsetIndex { base, first }
    }

    /// The index of the entry at `target`, if one is there.
    fn find(&self, target: u64, offset: impl Fn(usize) -> u64) -> Option<usize> {
        let s = usize::try_from(target.checked_sub(self.base)? >> Self::SHIFT).ok()?;
        let lo = *self.first.get(s)? as usize;
        let hi = self.first.get(s + 1).map_or(lo, |&h| h as usize);
        (lo..hi).find(|&i| offset(i) == target)
    }
}

/// Resolves `pending` references to entries of `info`. With `unit` (the
/// `.debug_info` range `info` was read from), a reference outside it
/// stops the resolution and is returned (its target).
fn resolve_refs(
    info: &mut DebugInfo,
    pending: Vec<PendingRef>,
    display: &str,
    unit: Option<std::ops::Range<u64>>,
) -> Result<Option<u64>> {
    // Entries are added in .debug_info order.
    let index = OffsetIndex::new(info.dies.len(), |i| info.dies[i].offset);
    for p in pending {
        if unit.as_ref().is_some_and(|u| !u.contains(&p.target)) {
            return Ok(Some(p.target));
        }
        let found = index.find(p.target, |i| info.dies[i].offset).ok_or(());
        if p.kind == RefKind::Specification {
            if let Ok(i) = found {
                info.set_specification(p.from, DieId(i as u32));
            }
            continue;
        }
        let Ok(target) = found.map(|i| DieId(i as u32)) else {
            return Err(not_a_die(display, info.die(p.from).offset, p.target));
        };
        if p.kind == RefKind::Origin {
            info.set_abstract_origin(p.from, target);
        } else {
            info.set_type_ref(p.from, target);
        }
    }
    Ok(None)
}

/// The unit's file names indexed as libdw's `dwarf_filesrc` indexes them.
fn unit_files(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    info: &mut DebugInfo,
) -> Vec<StrId> {
    let Some(lp) = &unit.line_program else {
        return Vec::new();
    };
    let header = lp.header();
    let mut files = Vec::with_capacity(header.file_names().len() + 1);
    if header.version() < 5 {
        files.push(info.intern("???"));
    }
    for f in header.file_names() {
        let name = dwarf
            .attr_string(unit, f.path_name())
            .map(|r| String::from_utf8_lossy(r.slice()).into_owned())
            .unwrap_or_default();
        files.push(info.intern(&name));
    }
    files
}

/// Appends `bytes` to `out` as UTF-8, invalid sequences replaced (as
/// `String::from_utf8_lossy`, whose scan for them is slower than the
/// validation of valid text, which names nearly always are).
fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// The `.debug_info` offset a reference attribute's value names (`base`:
/// its unit's offset); `None` for a form that is not a reference within
/// `.debug_info`.
fn ref_target(v: &AttributeValue<Reader<'_>>, base: u64) -> Option<u64> {
    match *v {
        AttributeValue::UnitRef(o) => Some(base + o.0 as u64),
        AttributeValue::DebugInfoRef(o) => Some(o.0 as u64),
        _ => None,
    }
}

/// `dwarf_formudata`: the constant classes libdw accepts.
fn formudata(v: &AttributeValue<Reader<'_>>) -> Option<u64> {
    Some(match *v {
        AttributeValue::Data1(x) => u64::from(x),
        AttributeValue::Data2(x) => u64::from(x),
        AttributeValue::Data4(x) => u64::from(x),
        AttributeValue::Data8(x) => x,
        AttributeValue::Udata(x) => x,
        AttributeValue::Sdata(x) => x as u64,
        AttributeValue::SecOffset(x) => x as u64,
        _ => return None,
    })
}

fn const_attr(at: gimli::DwAt) -> Option<ConstAttr> {
    Some(match at {
        gimli::DW_AT_byte_size => ConstAttr::ByteSize,
        gimli::DW_AT_bit_size => ConstAttr::BitSize,
        gimli::DW_AT_data_bit_offset => ConstAttr::DataBitOffset,
        gimli::DW_AT_data_member_location => ConstAttr::DataMemberLocation,
        gimli::DW_AT_alignment => ConstAttr::Alignment,
        gimli::DW_AT_encoding => ConstAttr::Encoding,
        gimli::DW_AT_accessibility => ConstAttr::Accessibility,
        gimli::DW_AT_discr_value => ConstAttr::DiscrValue,
        gimli::DW_AT_count => ConstAttr::Count,
        gimli::DW_AT_upper_bound => ConstAttr::UpperBound,
        gimli::DW_AT_const_value => ConstAttr::ConstValue,
        gimli::DW_AT_decl_file => ConstAttr::DeclFile,
        _ => return None,
    })
}

/// A reference from the DIE at `from` to `target`, where no DIE starts.
fn not_a_die(display: &str, from: u64, target: u64) -> Error {
    bad(
        display,
        Position::Offset(from),
        format!(
            ".debug_info: DIE at {from:#x} refers to {target:#x}, which is not a DIE: expected a reference to an entry"
        ),
    )
}

/// The ancestors of the current entry of a depth-first walk over one
/// unit's DIEs (gimli's `next_dfs` depth changes), with the checks every
/// walk makes: nesting depth, and more null entries than parents.
struct Ancestors<T> {
    stack: Vec<T>,
    /// The entry before the current one.
    last: Option<T>,
}

impl<T: Copy> Ancestors<T> {
    fn new() -> Self {
        Ancestors {
            stack: Vec::new(),
            last: None,
        }
    }

    /// Moves to the entry at `offset`, `delta` levels below the one
    /// before; `ended` gets each entry whose subtree ends before it.
    fn step(
        &mut self,
        delta: isize,
        offset: u64,
        display: &str,
        mut ended: impl FnMut(T),
    ) -> Result<()> {
        if delta > 0 {
            if let Some(l) = self.last {
                self.stack.push(l);
            }
            if self.stack.len() > MAX_DIE_DEPTH {
                return Err(bad(
                    display,
                    Position::Offset(offset),
                    format!(".debug_info: DIEs nested more than {MAX_DIE_DEPTH} deep"),
                ));
            }
            return Ok(());
        }
        if let Some(l) = self.last {
            ended(l);
        }
        for _ in 0..(-delta) {
            let Some(p) = self.stack.pop() else {
                return Err(bad(
                    display,
                    Position::Offset(offset),
                    ".debug_info: unbalanced DIE tree (more null entries than parents)",
                ));
            };
            ended(p);
        }
        Ok(())
    }

    /// The current entry's parent.
    fn parent(&self) -> Option<T> {
        self.stack.last().copied()
    }

    /// Whether the current entry is a second top-level DIE of the unit.
    fn second_top_level(&self) -> bool {
        self.stack.is_empty() && self.last.is_some()
    }

    /// Records the current entry (before the next [`Self::step`]).
    fn set_current(&mut self, t: T) {
        self.last = Some(t);
    }

    /// Ends the walk: `ended` gets the entries still open.
    fn finish(mut self, mut ended: impl FnMut(T)) {
        if let Some(l) = self.last {
            ended(l);
        }
        while let Some(p) = self.stack.pop() {
            ended(p);
        }
    }
}

/// A unit's entries in depth-first order, read raw (gimli's
/// `EntriesRaw`), with the depth change gimli's `next_dfs` gives: the
/// caller reads each entry's attributes or steps over them by their
/// forms' sizes ([`Self::skip`]), which is much cheaper than parsing them.
struct RawDfs<'a, 'u, 's> {
    raw: gimli::EntriesRaw<'a, 'u, Reader<'s>>,
    base: u64,
    last_depth: isize,
    /// The entry before the current one (where an error is reported).
    last_offset: u64,
}

impl<'a, 'u, 's> RawDfs<'a, 'u, 's> {
    fn new(
        unit: &'a gimli::Unit<Reader<'s>>,
        base: u64,
        display: &str,
    ) -> Result<RawDfs<'a, 'a, 's>> {
        let raw = unit
            .entries_raw(None)
            .map_err(|e| after_entry(display, base, e))?;
        Ok(RawDfs {
            raw,
            base,
            last_depth: 0,
            last_offset: base,
        })
    }

    /// The next entry: its depth change, `.debug_info` offset and
    /// abbreviation; its attributes are next in [`Self::raw`].
    fn next(&mut self, display: &str) -> Result<Option<(isize, u64, &'a gimli::Abbreviation)>> {
        while !self.raw.is_empty() {
            let depth = self.raw.next_depth();
            let at = self.raw.next_offset();
            let abbrev = self
                .raw
                .read_abbreviation()
                .map_err(|e| after_entry(display, self.last_offset, e))?;
            // None: a null entry, which ends its parent's children.
            if let Some(abbrev) = abbrev {
                let delta = depth - self.last_depth;
                self.last_depth = depth;
                self.last_offset = self.base + at.0 as u64;
                return Ok(Some((delta, self.last_offset, abbrev)));
            }
        }
        Ok(None)
    }

    /// Steps over the current entry's attributes.
    fn skip(&mut self, abbrev: &gimli::Abbreviation, display: &str) -> Result<()> {
        self.raw
            .skip_attributes(abbrev.attributes())
            .map_err(|e| after_entry(display, self.last_offset, e))
    }
}

/// gimli's error `e` in reading what follows the DIE at `offset`.
fn after_entry(display: &str, offset: u64, e: gimli::Error) -> crate::error::Error {
    bad(
        display,
        Position::Offset(offset),
        format!(".debug_info: after the DIE at {offset:#x}: {e}"),
    )
}

/// Whether [`read_unit`] adds an entry to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Not added, nor any of its descendants.
    No,
    /// Added with its references.
    Yes,
    /// Added with its `DW_AT_type` only.
    Type,
    /// Added for its place in the tree (tag, names, constants); its
    /// references are dropped.
    Place,
}

/// Starts `unit` in `info` and reads its entries into it, in order;
/// `keep` is asked about each entry in turn (an entry not kept must have
/// no kept descendants).
fn read_unit(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    base: u64,
    display: &str,
    info: &mut DebugInfo,
    pending: &mut Vec<PendingRef>,
    keep: &mut dyn FnMut() -> Keep,
) -> Result<()> {
    let files = unit_files(dwarf, unit, info);
    info.add_unit(files);
    let mut entries = RawDfs::new(unit, base, display)?;
    // `None`: an entry not kept.
    let mut ancestors: Ancestors<Option<DieId>> = Ancestors::new();
    let mut name_buf = String::new();
    let mut linkage_buf = String::new();
    while let Some((delta, offset, abbrev)) = entries.next(display)? {
        ancestors.step(delta, offset, display, |_| {})?;
        let kept = keep();
        if kept == Keep::No {
            entries.skip(abbrev, display)?;
            ancestors.set_current(None);
            continue;
        }
        let mut attrs = DieAttrs::default();
        name_buf.clear();
        linkage_buf.clear();
        let (mut has_name, mut has_linkage, mut seen_decl) = (None, None, false);
        let mut seen_external = false;
        let (mut type_ref, mut origin) = (None, None);
        let mut specification: Option<Option<u64>> = None;
        for spec in abbrev.attributes() {
            let attr = entries.raw.read_attribute(*spec).map_err(|e| {
                bad(
                    display,
                    Position::Offset(offset),
                    format!(".debug_info: DIE at {offset:#x}: invalid attribute: {e}"),
                )
            })?;
            let name = attr.name();
            let value = attr.raw_value();
            match name {
                gimli::DW_AT_name | gimli::DW_AT_linkage_name => {
                    // dwarf_attr finds the first occurrence; if
                    // dwarf_formstring fails on it there is no name.
                    let (buf, seen) = if name == gimli::DW_AT_name {
                        (&mut name_buf, &mut has_name)
                    } else {
                        (&mut linkage_buf, &mut has_linkage)
                    };
                    if seen.is_some() {
                        continue;
                    }
                    *seen = Some(match dwarf.attr_string(unit, value) {
                        Ok(s) => {
                            push_lossy(buf, s.slice());
                            true
                        }
                        Err(_) => false,
                    });
                }
                gimli::DW_AT_specification => {
                    if specification.is_none() {
                        specification = Some(ref_target(&value, base));
                    }
                }
                gimli::DW_AT_type | gimli::DW_AT_abstract_origin => {
                    let slot = if name == gimli::DW_AT_type {
                        &mut type_ref
                    } else {
                        &mut origin
                    };
                    if slot.is_some() {
                        continue;
                    }
                    *slot = Some(ref_target(&value, base));
                }
                gimli::DW_AT_declaration => {
                    if !seen_decl {
                        seen_decl = true;
                        attrs.declaration = matches!(value, AttributeValue::Flag(true));
                    }
                }
                gimli::DW_AT_external => {
                    if !seen_external {
                        seen_external = true;
                        attrs.external = matches!(value, AttributeValue::Flag(true));
                    }
                }
                _ => {
                    if let Some(ca) = const_attr(name) {
                        if !attrs.has_const(ca) {
                            if let Some(v) = formudata(&value) {
                                attrs.set_const(ca, v);
                            }
                        }
                    }
                }
            }
        }
        if has_name == Some(true) {
            attrs.name = Some(&name_buf);
        }
        if has_linkage == Some(true) {
            attrs.linkage_name = Some(&linkage_buf);
        }
        let parent = ancestors.parent().flatten();
        if ancestors.second_top_level() {
            return Err(bad(
                display,
                Position::Offset(offset),
                ".debug_info: a second top-level DIE in one unit",
            ));
        }
        let id = info.add_die(parent, abbrev.tag().0, offset, &attrs);
        ancestors.set_current(Some(id));
        match kept {
            Keep::Place => (type_ref, origin, specification) = (None, None, None),
            Keep::Type => (origin, specification) = (None, None),
            Keep::Yes | Keep::No => {}
        }
        if let Some(Some(t)) = specification {
            pending.push(PendingRef {
                from: id,
                kind: RefKind::Specification,
                target: t,
            });
        }
        for (target, is_origin) in [(type_ref, false), (origin, true)] {
            match target {
                Some(Some(t)) => pending.push(PendingRef {
                    from: id,
                    kind: if is_origin { RefKind::Origin } else { RefKind::Type },
                    target: t,
                }),
                Some(None) => {
                    return Err(bad(
                        display,
                        Position::Offset(offset),
                        format!(
                            ".debug_info: DIE at {offset:#x}: unsupported reference form for {}: expected ref1/2/4/8/udata or ref_addr",
                            if is_origin { "DW_AT_abstract_origin" } else { "DW_AT_type" }
                        ),
                    ))
                }
                None => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocation_fields() {
        let mut b = [0u8; 8];
        write_uint(&mut b[..4], 0x1234_5678, false);
        assert_eq!(b[..4], [0x78, 0x56, 0x34, 0x12]);
        assert_eq!(elf_image::read_uint(&b, 0, 4, false), Some(0x1234_5678));
        write_uint(&mut b, 0x0102_0304_0506_0708, true);
        assert_eq!(b, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn offset_index_finds_what_a_binary_search_finds() {
        // Offsets with gaps from 1 to 200 bytes, from a base past zero;
        // every target from before the first to past the last.
        let mut offsets = Vec::new();
        let mut at = 1000u64;
        let mut x = 12345u32;
        for _ in 0..2000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            at += 1 + u64::from(x >> 16) % 200;
            offsets.push(at);
        }
        for n in [0, 1, 2, 37, offsets.len()] {
            let o = &offsets[..n];
            let index = OffsetIndex::new(n, |i| o[i]);
            for t in 0..at + 100 {
                let want = o.binary_search(&t).ok();
                assert_eq!(index.find(t, |i| o[i]), want, "n {n} target {t}");
            }
        }
    }

    #[test]
    fn garbage_is_a_positioned_error() {
        let e = read_object(b"\x7fELF\x02\x01\x01", "x.o").unwrap_err();
        assert!(
            e.to_string().starts_with("x.o: at offset 0x0: invalid ELF"),
            "{e}"
        );
    }
}
