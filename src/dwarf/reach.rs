//! Reading only the DIEs that an object's exported symbols reach.
//!
//! gendwarfksyms reads DWARF through libdw, which parses a DIE when it is
//! asked for: an object with a few exports costs it little more than the
//! DIEs those exports reach. [`super::read_object`] builds the model of
//! every DIE instead, which on such an object is most of the work. This
//! reader builds the part of the model the versioning walk
//! ([`crate::dwarfksyms`]) can touch, in three passes over `.debug_info`:
//!
//! 1. **Scan**: every DIE's offset, tag, parent and subtree, without its
//!    attributes (gimli skips them by their forms), except for the
//!    functions and variables `process_cu` looks at (children of a unit's
//!    root, or of namespaces, classes and structs on the way), whose names
//!    are compared with the symbol list.
//! 2. **Reach**: from each listed function or variable (and its
//!    `DW_AT_abstract_origin`, which `process_cu` names it by when it has
//!    no name of its own), what `process_symbol` and `process_type` can
//!    visit: a DIE's `DW_AT_type`, and its children, except that of a
//!    function only the parameters count (`process_subroutine_type`), not
//!    its body; until nothing new is reached.
//! 3. **Read**: the reached DIEs with every attribute, and their ancestors
//!    for their place in the tree (the names gendwarfksyms gives a DIE come
//!    from its ancestors), into the same [`DebugInfo`] model.
//!
//! The walk reads no other reference (`DW_AT_abstract_origin` only of the
//! functions and variables `process_cu` matches, which are read with it),
//! and looks at the unit's other top-level DIEs only to compare their
//! names with the symbol list; so it sees in this model what it would see
//! in the whole one. What the model lacks is the rest: a DIE no export
//! reaches is not read, and (as with libdw) a fault in it goes unreported.

use super::{
    after_entry, bad, for_each_unit, not_a_die, ref_target, Ancestors, Keep, OffsetIndex, RawDfs,
    Reader,
};
use crate::debuginfo::{tag, DebugInfo};
use crate::error::{Position, Result};
use gimli::AttributeValue;

/// A DIE as the scan sees it.
#[derive(Debug, Clone, Copy)]
struct Scanned {
    /// `.debug_info` offset.
    offset: u64,
    /// Index of the parent ([`NONE`] for a unit's root).
    parent: u32,
    /// One past the index of the last descendant.
    end: u32,
    /// Index into the units.
    unit: u32,
    /// `DW_TAG_*`.
    tag: u16,
}

const NONE: u32 = u32::MAX;

/// A unit: gimli's, and where its DIEs start in `.debug_info`.
struct UnitAt<'s> {
    unit: gimli::Unit<Reader<'s>>,
    base: u64,
}

/// What the scan found: every DIE, and the candidates for
/// `process_exported_symbols` whose names are listed.
struct Scan {
    dies: Vec<Scanned>,
    /// Listed functions and variables: (index, `DW_AT_abstract_origin`
    /// target offset).
    seeds: Vec<(u32, Option<u64>)>,
    /// Candidates whose own names are not listed, with an abstract
    /// origin to look the name up on.
    by_origin: Vec<(u32, u64)>,
}

/// The targets of the first `DW_AT_type` and `DW_AT_abstract_origin`
/// among `attrs` (as `dwarf_attr` finds them), as `.debug_info` offsets.
fn refs_of<'s>(
    attrs: impl Iterator<Item = gimli::Attribute<Reader<'s>>>,
    base: u64,
) -> [Option<u64>; 2] {
    let mut out = [None; 2];
    let mut seen = [false; 2];
    for a in attrs {
        let slot = match a.name() {
            gimli::DW_AT_type => 0,
            gimli::DW_AT_abstract_origin => 1,
            _ => continue,
        };
        if std::mem::replace(&mut seen[slot], true) {
            continue;
        }
        out[slot] = ref_target(&a.raw_value(), base);
    }
    out
}

/// Whether `listed` has the name `process_exported_symbols` looks a DIE
/// up by: its `DW_AT_linkage_name`, else its `DW_AT_name` (first
/// occurrences), read as the model reads names.
fn name_is_listed(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    entry: &gimli::DebuggingInformationEntry<Reader<'_>>,
    listed: &dyn Fn(&str) -> bool,
) -> bool {
    let value = |at| entry.attr_value(at).ok().flatten();
    names_listed(dwarf, unit, value, listed)
}

/// [`name_is_listed`] with `value` giving an attribute's first value.
fn names_listed<'s>(
    dwarf: &gimli::Dwarf<Reader<'s>>,
    unit: &gimli::Unit<Reader<'s>>,
    value: impl Fn(gimli::DwAt) -> Option<AttributeValue<Reader<'s>>>,
    listed: &dyn Fn(&str) -> bool,
) -> bool {
    let string = |at| value(at).and_then(|v| dwarf.attr_string(unit, v).ok());
    string(gimli::DW_AT_linkage_name)
        .or_else(|| string(gimli::DW_AT_name))
        .is_some_and(|s| listed(&String::from_utf8_lossy(s.slice())))
}

/// Pass 1 over one unit. Entries are read raw: the attributes of an entry
/// that is not a candidate are stepped over by their forms' sizes, not
/// parsed.
fn scan_unit(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    at: &UnitAt<'_>,
    unit_index: u32,
    display: &str,
    listed: &dyn Fn(&str) -> bool,
    scan: &mut Scan,
) -> Result<()> {
    let mut entries = RawDfs::new(&at.unit, at.base, display)?;
    // Each ancestor with whether process_exported_symbols descends into
    // its children.
    let mut ancestors: Ancestors<(u32, bool)> = Ancestors::new();
    let finish = |dies: &mut Vec<Scanned>, (i, _): (u32, bool)| {
        let end = dies.len() as u32;
        dies[i as usize].end = end;
    };
    let mut attrs = Vec::new();
    while let Some((delta, offset, abbrev)) = entries.next(display)? {
        ancestors.step(delta, offset, display, |a| finish(&mut scan.dies, a))?;
        if ancestors.second_top_level() {
            return Err(bad(
                display,
                Position::Offset(offset),
                ".debug_info: a second top-level DIE in one unit",
            ));
        }
        let index = u32::try_from(scan.dies.len()).map_err(|_| {
            bad(
                display,
                Position::Offset(offset),
                ".debug_info: more than 4 G DIEs",
            )
        })?;
        let t = abbrev.tag().0;
        // Children of the root, or of a namespace, class or struct that
        // process_exported_symbols descends into.
        let parent = ancestors.parent();
        let visited = parent.is_some_and(|(_, descends)| descends);
        let descends = parent.is_none()
            || (visited && matches!(t, tag::NAMESPACE | tag::CLASS_TYPE | tag::STRUCTURE_TYPE));
        if visited && matches!(t, tag::SUBPROGRAM | tag::VARIABLE) {
            attrs.clear();
            for spec in abbrev.attributes() {
                let a = entries.raw.read_attribute(*spec);
                attrs.push(a.map_err(|e| after_entry(display, offset, e))?);
            }
            let origin = refs_of(attrs.iter().cloned(), at.base)[1];
            let value = |name| attrs.iter().find(|a| a.name() == name).map(|a| a.value());
            if names_listed(dwarf, &at.unit, value, listed) {
                scan.seeds.push((index, origin));
            } else if let Some(o) = origin {
                scan.by_origin.push((index, o));
            }
        } else {
            entries.skip(abbrev, display)?;
        }
        scan.dies.push(Scanned {
            offset,
            parent: parent.map_or(NONE, |(p, _)| p),
            end: index + 1,
            unit: unit_index,
            tag: t,
        });
        ancestors.set_current((index, descends));
    }
    ancestors.finish(|a| finish(&mut scan.dies, a));
    Ok(())
}

/// The index of the DIE at `offset`.
fn index_of(dies: &[Scanned], index: &OffsetIndex, offset: u64) -> Option<u32> {
    index.find(offset, |i| dies[i].offset).map(|i| i as u32)
}

/// A cursor at the DIE `d`.
fn cursor_at<'u, 's>(
    units: &'u [UnitAt<'s>],
    d: &Scanned,
    display: &str,
) -> Result<gimli::EntriesCursor<'u, 'u, Reader<'s>>> {
    let at = &units[d.unit as usize];
    let unit_offset = gimli::UnitOffset((d.offset - at.base) as usize);
    at.unit
        .entries_at_offset(unit_offset)
        .map_err(|e| not_at_a_die(display, d, e))
}

/// gimli's error `e` in starting to read the DIE `d`.
fn not_at_a_die(display: &str, d: &Scanned, e: gimli::Error) -> crate::error::Error {
    bad(
        display,
        Position::Offset(d.offset),
        format!(".debug_info: DIE at {:#x}: {e}", d.offset),
    )
}

/// The target of the first `DW_AT_type` of the DIE `d` (as [`refs_of`]
/// finds it), read raw: the attributes before it are stepped over by
/// their forms' sizes and those after it are not read. An entry that does
/// not parse that far has none here (pass 3 reports it).
fn type_target(units: &[UnitAt<'_>], d: &Scanned, display: &str) -> Result<Option<u64>> {
    let at = &units[d.unit as usize];
    let unit_offset = gimli::UnitOffset((d.offset - at.base) as usize);
    let mut raw = at
        .unit
        .entries_raw(Some(unit_offset))
        .map_err(|e| not_at_a_die(display, d, e))?;
    let Ok(Some(abbrev)) = raw.read_abbreviation() else {
        return Ok(None);
    };
    for spec in abbrev.attributes() {
        if spec.name() != gimli::DW_AT_type {
            if raw.skip_attributes(std::slice::from_ref(spec)).is_err() {
                return Ok(None);
            }
            continue;
        }
        let Ok(a) = raw.read_attribute(*spec) else {
            return Ok(None);
        };
        return Ok(ref_target(&a.raw_value(), at.base));
    }
    Ok(None)
}

/// Pass 2: marks the seeds (`SEED`), the DIEs the walk can visit from
/// them (`REACHED`) and their ancestors (`PLACED`).
fn reach(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    units: &[UnitAt<'_>],
    scan: &Scan,
    display: &str,
    listed: &dyn Fn(&str) -> bool,
) -> Result<Vec<u8>> {
    let dies = &scan.dies;
    let index = OffsetIndex::new(dies.len(), |i| dies[i].offset);
    let index_of = |offset| index_of(dies, &index, offset);
    let mut mark = vec![0u8; dies.len()];
    let mut work: Vec<u32> = Vec::new();
    let seed = |work: &mut Vec<u32>, i: u32, origin: Option<u64>| {
        work.push(i);
        work.extend(origin.and_then(index_of));
    };
    for &(i, origin) in &scan.seeds {
        seed(&mut work, i, origin);
    }
    for &(i, origin) in &scan.by_origin {
        let Some(o) = index_of(origin) else {
            continue;
        };
        let d = &dies[o as usize];
        let mut cursor = cursor_at(units, d, display)?;
        if let Ok(Some((_, entry))) = cursor.next_dfs() {
            let at = &units[d.unit as usize];
            if name_is_listed(dwarf, &at.unit, entry, listed) {
                seed(&mut work, i, Some(origin));
            }
        }
    }
    for &i in &work {
        mark[i as usize] |= SEED;
    }
    // What process_symbol and process_type visit: a DIE's DW_AT_type, and
    // its children; of a function's children only the parameters
    // (process_subroutine_type), not its body.
    while let Some(i) = work.pop() {
        if mark[i as usize] & REACHED != 0 {
            continue;
        }
        mark[i as usize] |= REACHED;
        let d = dies[i as usize];
        if let Some(target) = type_target(units, &d, display)? {
            match index_of(target) {
                Some(t) => work.push(t),
                None => return Err(not_a_die(display, d.offset, target)),
            }
        }
        let only_parameters = d.tag == tag::SUBPROGRAM;
        let mut c = i + 1;
        while c < d.end {
            if !only_parameters || dies[c as usize].tag == tag::FORMAL_PARAMETER {
                work.push(c);
            }
            c = dies[c as usize].end.max(c + 1);
        }
    }
    // Every unit's root, and the ancestors of what was reached.
    for i in 0..dies.len() {
        if dies[i].parent == NONE {
            mark[i] |= PLACED;
        }
        if mark[i] & REACHED == 0 {
            continue;
        }
        let mut p = dies[i].parent;
        while p != NONE && mark[p as usize] & PLACED == 0 {
            mark[p as usize] |= PLACED;
            p = dies[p as usize].parent;
        }
    }
    Ok(mark)
}

/// Visited by the walk: read with its `DW_AT_type`.
const REACHED: u8 = 1;
/// An ancestor of a reached DIE, or a unit's root: read for its place.
const PLACED: u8 = 2;
/// A function or variable process_cu matches with a symbol (or its
/// abstract origin): read with its references.
const SEED: u8 = 4;

/// The model of the DIEs that symbols for which `listed` is true can
/// reach (see the module documentation); `listed` is asked about the
/// names of functions and variables, as gendwarfksyms' `symbol_get`.
pub(super) fn read_reached(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    display: &str,
    listed: &dyn Fn(&str) -> bool,
    info: &mut DebugInfo,
    pending: &mut Vec<super::PendingRef>,
) -> Result<()> {
    let mut units = Vec::new();
    for_each_unit(dwarf, display, |unit, base, _| {
        units.push(UnitAt { unit, base });
        Ok(true)
    })?;
    // A DIE takes a few bytes at least: room for all of them at once (what
    // is not used is never touched), so that the table is not copied as
    // it grows.
    let info_len: usize = units
        .iter()
        .map(|u| u.unit.header.length_including_self())
        .sum();
    let mut scan = Scan {
        dies: Vec::with_capacity(info_len / 4),
        seeds: Vec::new(),
        by_origin: Vec::new(),
    };
    for (i, at) in units.iter().enumerate() {
        scan_unit(dwarf, at, i as u32, display, listed, &mut scan)?;
    }
    let mark = reach(dwarf, &units, &scan, display, listed)?;
    // Freed before the model is reserved, so that the model's table takes
    // the scan's pages (already faulted in) rather than fresh ones.
    drop(scan);
    let kept = mark.iter().filter(|&&m| m != 0).count();
    info.reserve(kept, kept * 16);
    let mut next = 0usize;
    for at in &units {
        let mut keep = || {
            let m = mark.get(next).copied().unwrap_or(0);
            next += 1;
            if m & SEED != 0 {
                Keep::Yes
            } else if m & REACHED != 0 {
                Keep::Type
            } else if m & PLACED != 0 {
                Keep::Place
            } else {
                Keep::No
            }
        };
        super::read_unit(dwarf, &at.unit, at.base, display, info, pending, &mut keep)?;
    }
    Ok(())
}
