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

/// Reads a `vmlinux` or module file (compressed or not) and lists its
/// exports ([`read_ksymtab`]).
pub fn read_ksymtab_file(path: &std::path::Path) -> Result<Vec<KsymtabEntry>> {
    let (data, kind) = crate::kmodule::read_module_file(path)?;
    if crate::bzimage::is_bzimage(&data) {
        let display = path.display().to_string();
        let vmlinux = crate::bzimage::extract_vmlinux(&data, &display)?.0;
        let exports = read_ksymtab(&crate::kmodule::module_elf(&vmlinux, &display)?)?;
        if exports.is_empty() {
            // The payload is `objcopy -S vmlinux`: no symbol table to name
            // the __ksymtab entries by. Say so rather than provide nothing.
            return Err(Error::Unsupported(format!(
                "{display}: the vmlinux in this bzImage is stripped; reading its __ksymtab without symbols is not supported yet (use its Module.symvers)"
            )));
        }
        return Ok(exports);
    }
    let elf = crate::kmodule::module_elf(&data, &crate::modversions::display_name(path, kind))?;
    read_ksymtab(&elf)
}
