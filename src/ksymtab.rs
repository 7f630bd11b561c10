//! The exports of a linked `vmlinux` or `.ko` and their CRCs, as the
//! kernel sees them: `__ksymtab`/`__ksymtab_gpl` entries and the
//! `__kcrctab`/`__kcrctab_gpl` CRCs at the same index.
//!
//! Both are read through the labels kbuild puts on every entry, which stay
//! in `.symtab`:
//! * 5.19+ (`include/linux/export-internal.h`, used by the modpost-generated
//!   `foo.mod.c` / `.vmlinux.export.c`): `__ksymtab_NAME:` labels an entry
//!   in section `___ksymtab[_gpl]+NAME` (merged into `__ksymtab[_gpl]` by
//!   `module.lds.S`/`vmlinux.lds`, sorted by name), and `__crc_NAME:` labels
//!   the `.long CRC` in `___kcrctab[_gpl]+NAME` (merged into
//!   `__kcrctab[_gpl]`, same order). The CRC is read from that section:
//!   `st_value` is a section offset in a `.ko`, an address in `vmlinux`.
//!   (The `__ksymtab` entry itself is PREL32 — `.long sym - .` — and is
//!   only resolved by relocations in a `.ko`, so the labels are the robust
//!   way to name entries.)
//! * ≤ 5.18: `__crc_NAME` is an absolute symbol (`SHN_ABS`) whose value is
//!   the CRC, linked in from the `.ver`/`.symversions` linker script.
//!
//! An export with a `__ksymtab_NAME` but no `__crc_NAME` is unversioned.

use crate::elf::{ElfImage, ElfSymbol};
use crate::error::{Error, Position, Result};
use crate::exports::License;
use object::elf;
use std::collections::HashMap;

/// One export of a linked image: an entry of its `__ksymtab` or
/// `__ksymtab_gpl` (`struct kernel_symbol`) with the CRC at the same index
/// of `__kcrctab[_gpl]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KsymtabEntry {
    /// The exported symbol.
    pub name: String,
    /// Its CRC, `None` when the export is unversioned.
    pub crc: Option<u32>,
    /// `GplOnly` for an entry in `__ksymtab_gpl`.
    pub license: License,
}

/// Lists the exports of a linked ELF image, sorted by name: what the
/// kernel's `find_symbol()` searches (`kernel/module/main.c`).
pub fn read_ksymtab(elf: &ElfImage<'_>) -> Result<Vec<KsymtabEntry>> {
    if !elf.has_symtab && !elf.is_relocatable {
        return read_stripped_ksymtab(elf);
    }
    let mut crcs: HashMap<&str, u32> = HashMap::new();
    let mut exports: Vec<KsymtabEntry> = Vec::new();
    for sym in &elf.symbols {
        if let Some(name) = sym.name.strip_prefix("__crc_") {
            if let Some(crc) = crc_value(elf, sym)? {
                crcs.insert(name, crc);
            }
        } else if let Some(name) = sym.name.strip_prefix("__ksymtab_") {
            let Some(section) = elf.section_of(sym) else {
                continue;
            };
            // `__ksymtab_strings` is a section, but skip any label that is not
            // in a ksymtab section proper.
            let s = &*section.name;
            let in_ksymtab = (s.starts_with("__ksymtab") || s.starts_with("___ksymtab"))
                && !s.starts_with("__ksymtab_strings");
            if !in_ksymtab || name.is_empty() {
                continue;
            }
            exports.push(KsymtabEntry {
                name: name.to_string(),
                crc: None,
                license: License::from_gpl_only(s.contains("_gpl")),
            });
        }
    }
    for e in &mut exports {
        e.crc = crcs.get(e.name.as_str()).copied();
    }
    exports.sort_by(|a, b| a.name.cmp(&b.name));
    exports.dedup_by(|a, b| a.name == b.name);
    Ok(exports)
}

/// The exports of a linked image without `.symtab` (the `objcopy -S`
/// vmlinux inside a bzImage), from section contents alone. In a linked
/// image every `struct kernel_symbol` field is resolved: PREL32 offsets
/// (`CONFIG_HAVE_ARCH_PREL32_RELOCATIONS`, `int name_offset` relative to
/// the field) or absolute pointers, either way pointing into
/// `__ksymtab_strings`. `__kcrctab[_gpl]` holds one `.long` CRC per entry,
/// in the same (name-sorted) order, as `SYMBOL_CRC()` (5.19+) or the
/// absolute `__crc_` values (≤ 5.18 without `CONFIG_MODULE_REL_CRCS`)
/// leave it.
fn read_stripped_ksymtab(elf: &ElfImage<'_>) -> Result<Vec<KsymtabEntry>> {
    let mut exports = Vec::new();
    let Some(strings) = elf.section("__ksymtab_strings") else {
        return Ok(exports);
    };
    let strings_data = elf.section_data(strings)?;
    for (tab, crctab, gpl) in [
        ("__ksymtab", "__kcrctab", false),
        ("__ksymtab_gpl", "__kcrctab_gpl", true),
    ] {
        let Some(ksymtab) = elf.section(tab) else {
            continue;
        };
        let data = elf.section_data(ksymtab)?;
        let crcs = match elf.section(crctab) {
            Some(c) => Some(elf.section_data(c)?),
            None => None,
        };
        let names = stripped_names(elf, ksymtab, data, strings, strings_data, crcs)?;
        for (i, name) in names.into_iter().enumerate() {
            let crc = crcs
                .and_then(|c| elf.read_uint(c, i * 4, 4))
                .map(|v| v as u32);
            exports.push(KsymtabEntry {
                name,
                crc,
                license: License::from_gpl_only(gpl),
            });
        }
    }
    exports.sort_by(|a, b| a.name.cmp(&b.name));
    exports.dedup_by(|a, b| a.name == b.name);
    Ok(exports)
}

/// The names of a stripped image's `__ksymtab[_gpl]` entries. The entry
/// layout (PREL32 or pointers, with or without the 5.4+ namespace field)
/// is the one whose every name lands in `__ksymtab_strings`, with as many
/// entries as `__kcrctab` has CRCs when there is one.
fn stripped_names(
    elf: &ElfImage<'_>,
    ksymtab: &crate::elf::ElfSection<'_>,
    data: &[u8],
    strings: &crate::elf::ElfSection<'_>,
    strings_data: &[u8],
    crcs: Option<&[u8]>,
) -> Result<Vec<String>> {
    let ptr = if elf.is_64 { 8 } else { 4 };
    // (entry size, name field offset, name field width, PREL32?)
    let layouts = [
        (12, 4, 4, true),
        (8, 4, 4, true),
        (3 * ptr, ptr, ptr, false),
        (2 * ptr, ptr, ptr, false),
    ];
    let name_at = |entry: usize, (_, field, width, prel): (usize, usize, usize, bool)| {
        let at = entry + field;
        let raw = elf.read_uint(data, at, width)?;
        let addr = if prel {
            let place = ksymtab.addr.wrapping_add(at as u64);
            place.wrapping_add(raw as u32 as i32 as i64 as u64)
        } else {
            raw
        };
        let off = usize::try_from(addr.checked_sub(strings.addr)?).ok()?;
        let (name, _) = crate::elf::c_string(strings_data, off)?;
        std::str::from_utf8(name).ok().map(str::to_string)
    };
    for layout in layouts {
        let size = layout.0;
        let count = data.len() / size;
        if data.len() % size != 0 || crcs.is_some_and(|c| c.len() / 4 != count) {
            continue;
        }
        let names: Option<Vec<String>> = (0..count).map(|i| name_at(i * size, layout)).collect();
        if let Some(names) = names {
            return Ok(names);
        }
    }
    Err(Error::malformed(
        &elf.display,
        Position::Offset(ksymtab.offset),
        format!(
            "{} ({} bytes) is not an array of struct kernel_symbol whose names lie in __ksymtab_strings{}",
            ksymtab.name,
            data.len(),
            crcs.map_or(String::new(), |c| format!(
                " ({} CRCs in the matching __kcrctab)",
                c.len() / 4
            ))
        ),
    ))
}

/// The CRC a `__crc_NAME` symbol stands for.
fn crc_value(elf: &ElfImage<'_>, sym: &ElfSymbol<'_>) -> Result<Option<u32>> {
    if sym.shndx == elf::SHN_ABS {
        return Ok(Some(sym.value as u32));
    }
    let Some(section) = elf.section_of(sym) else {
        return Ok(None);
    };
    let offset = elf.offset_in_section(sym, section);
    let data = elf.section_data(section)?;
    let value = usize::try_from(offset)
        .ok()
        .and_then(|o| elf.read_uint(data, o, 4));
    match value {
        Some(v) => Ok(Some(v as u32)),
        None => Err(Error::malformed(
            &elf.display,
            Position::Offset(section.offset.saturating_add(offset)),
            format!(
                "{} points {offset:#x} bytes into {} ({} bytes): expected a 4-byte CRC inside the section",
                sym.name, section.name, section.size
            ),
        )),
    }
}

/// Reads a `vmlinux`, bzImage or module file (compressed or not) and
/// lists its exports ([`read_ksymtab`]).
pub fn read_ksymtab_file(path: &std::path::Path) -> Result<Vec<KsymtabEntry>> {
    let file = crate::bzimage::open_image(path)?;
    read_ksymtab(&file.elf()?)
}
