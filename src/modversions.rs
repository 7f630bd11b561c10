//! A module's *import* CRCs (`__versions`, `CONFIG_MODVERSIONS`): the CRCs
//! modpost recorded in `foo.mod.c` for every symbol the module uses, which the kernel
//! compares with the exporter's `__kcrctab` at load time
//! (`kernel/module/version.c: check_version`).
//!
//! * `__versions`: an array of `struct modversion_info { unsigned long crc;
//!   char name[64 - sizeof(unsigned long)]; }` (64 bytes per entry on 32-
//!   and 64-bit targets; the CRC is 4 or 8 bytes in target byte order).
//! * 6.14+ `CONFIG_EXTENDED_MODVERSIONS`: `__version_ext_crcs` (an array of
//!   32-bit CRCs) and `__version_ext_names` (the names, each NUL-terminated,
//!   in the same order). When both are present the kernel uses them and
//!   ignores `__versions`, which (with `CONFIG_BASIC_MODVERSIONS`) only
//!   holds the names shorter than 56 bytes.
//!
//! `modprobe --dump-modversions` prints `0x%08x\tname` per `__versions`
//! entry, with a leading `.` of the name dropped (kmod's `libkmod-elf.c`);
//! [`render_dump`] reproduces that.

use crate::elf::{read_uint, ElfImage};
use crate::error::{Error, Position, Result};
use crate::kmodule::ModuleFile;
use serde::Serialize;

/// Size of `struct modversion_info` (64 on every architecture).
pub const MODVERSION_INFO_SIZE: usize = 64;

/// One entry of a module's import version table (`struct
/// modversion_info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModversionEntry {
    /// The CRC (`unsigned long` in `__versions`, so 64-bit on 64-bit targets,
    /// though modpost only ever writes 32-bit values).
    pub crc: u64,
    /// The imported symbol (leading `.` removed, as kmod and the kernel's
    /// `dedotify` do).
    pub name: String,
}

/// Which table a module's versions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionsTable {
    /// `__versions` (`struct modversion_info[]`).
    Basic,
    /// `__version_ext_crcs` + `__version_ext_names` (6.14+).
    Extended,
}

/// The version tables found in one module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleVersions {
    /// `__versions`, if the module has that section.
    pub basic: Option<Vec<ModversionEntry>>,
    /// The extended tables, if the module has both sections.
    pub extended: Option<Vec<ModversionEntry>>,
}

impl ModuleVersions {
    /// The table the kernel checks imports against: the extended one when
    /// present, else `__versions`; `None` for a module built without
    /// `CONFIG_MODVERSIONS`.
    pub fn effective(&self) -> Option<(VersionsTable, &[ModversionEntry])> {
        if let Some(e) = &self.extended {
            Some((VersionsTable::Extended, e))
        } else {
            self.basic.as_deref().map(|b| (VersionsTable::Basic, b))
        }
    }
}

/// Parses the contents of a `__versions` section (kmod's
/// `kmod_elf_get_modversions()`). `base` is the section's
/// file offset, used in error positions.
pub fn parse_versions(
    section: &[u8],
    is_64: bool,
    big_endian: bool,
    file: &str,
    base: u64,
) -> Result<Vec<ModversionEntry>> {
    if section.len() % MODVERSION_INFO_SIZE != 0 {
        let whole = section.len() - section.len() % MODVERSION_INFO_SIZE;
        return Err(Error::malformed(
            file,
            Position::Offset(base + whole as u64),
            format!(
                "__versions is {} bytes, not a multiple of {} (struct modversion_info): truncated entry",
                section.len(),
                MODVERSION_INFO_SIZE
            ),
        ));
    }
    let crc_size = if is_64 { 8 } else { 4 };
    let mut out = Vec::with_capacity(section.len() / MODVERSION_INFO_SIZE);
    for (i, entry) in section.chunks_exact(MODVERSION_INFO_SIZE).enumerate() {
        let at = base + (i * MODVERSION_INFO_SIZE) as u64;
        let crc = read_uint(entry, 0, crc_size, big_endian).unwrap_or(0);
        let name_field = entry.get(crc_size..).unwrap_or(&[]);
        let Some(len) = name_field.iter().position(|&b| b == 0) else {
            return Err(Error::malformed(
                file,
                Position::Offset(at + crc_size as u64),
                format!(
                    "__versions entry {i}: name has no NUL terminator within {} bytes",
                    name_field.len()
                ),
            ));
        };
        out.push(ModversionEntry {
            crc,
            name: symbol_name(name_field.get(..len).unwrap_or(&[])),
        });
    }
    Ok(out)
}

/// Parses `__version_ext_crcs` (32-bit CRCs) and `__version_ext_names`
/// (NUL-terminated names, same order). `crcs_base`/`names_base` are the
/// sections' file offsets, used in error positions.
pub fn parse_extended(
    crcs: &[u8],
    names: &[u8],
    big_endian: bool,
    file: &str,
    crcs_base: u64,
    names_base: u64,
) -> Result<Vec<ModversionEntry>> {
    if crcs.len() % 4 != 0 {
        return Err(Error::malformed(
            file,
            Position::Offset(crcs_base + (crcs.len() - crcs.len() % 4) as u64),
            format!(
                "__version_ext_crcs is {} bytes, not a multiple of 4: truncated entry",
                crcs.len()
            ),
        ));
    }
    if !names.is_empty() && names.last() != Some(&0) {
        return Err(Error::malformed(
            file,
            Position::Offset(names_base + names.len() as u64),
            "__version_ext_names does not end with a NUL byte: truncated name",
        ));
    }
    let count = crcs.len() / 4;
    let mut out = Vec::with_capacity(count);
    let mut pos = 0usize;
    for i in 0..count {
        let rest = names.get(pos..).unwrap_or(&[]);
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(Error::malformed(
                file,
                Position::Offset(names_base + pos as u64),
                format!(
                    "__version_ext_names has {i} names but __version_ext_crcs has {count} CRCs"
                ),
            ));
        };
        out.push(ModversionEntry {
            crc: read_uint(crcs, i * 4, 4, big_endian).unwrap_or(0),
            name: symbol_name(rest.get(..len).unwrap_or(&[])),
        });
        pos += len + 1;
    }
    // modpost writes the names as one C string literal, so the section ends
    // with the literal's own NUL after the last "name\0": trailing NULs
    // are padding, anything else is a name without a CRC.
    if names
        .get(pos..)
        .is_some_and(|rest| rest.iter().any(|&b| b != 0))
    {
        return Err(Error::malformed(
            file,
            Position::Offset(names_base + pos as u64),
            format!(
                "__version_ext_names has more names than the {count} CRCs of __version_ext_crcs"
            ),
        ));
    }
    Ok(out)
}

fn symbol_name(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b".").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads the version tables of a module from its (decompressed) ELF image,
/// as the kernel's `check_modstruct_version()`/`check_version()` find them.
pub fn read_versions(elf: &ElfImage<'_>) -> Result<ModuleVersions> {
    let file = elf.display.as_str();
    let basic = match elf.section("__versions") {
        Some(s) => Some(parse_versions(
            elf.section_data(s)?,
            elf.is_64,
            elf.big_endian,
            file,
            s.offset,
        )?),
        None => None,
    };
    let extended = match (
        elf.section("__version_ext_crcs"),
        elf.section("__version_ext_names"),
    ) {
        (Some(c), Some(n)) => Some(parse_extended(
            elf.section_data(c)?,
            elf.section_data(n)?,
            elf.big_endian,
            file,
            c.offset,
            n.offset,
        )?),
        (Some(c), None) | (None, Some(c)) => {
            return Err(Error::malformed(
                file,
                Position::Offset(c.offset),
                format!(
                    "{} without its partner section (__version_ext_crcs and __version_ext_names come in pairs)",
                    c.name
                ),
            ))
        }
        (None, None) => None,
    };
    Ok(ModuleVersions { basic, extended })
}

/// Reads a module file (`.ko`, `.ko.xz`, `.ko.zst`, `.ko.gz`) and returns
/// its version tables.
pub fn read_module_versions(path: &std::path::Path) -> Result<ModuleVersions> {
    read_versions(&ModuleFile::open(path)?.elf()?)
}

/// The version tables of a module image given as bytes (compressed or
/// not); `display` names it in errors.
pub fn versions_from_bytes(data: &[u8], display: &str) -> Result<ModuleVersions> {
    read_versions(&ModuleFile::from_bytes(data, display)?.elf()?)
}

/// `modprobe --dump-modversions` output for one module: `0x%08x\tname\n`
/// per entry of the table the kernel uses (see [`ModuleVersions::effective`];
/// kmod itself only knows `__versions`, which is the same table for every
/// kernel before 6.14).
pub fn render_dump(v: &ModuleVersions) -> String {
    let mut out = String::new();
    if let Some((_, entries)) = v.effective() {
        for e in entries {
            out.push_str(&format!("0x{:08x}\t{}\n", e.crc, e.name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(crc: u64, name: &str, is_64: bool, be: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if is_64 {
            v.extend(if be {
                crc.to_be_bytes()
            } else {
                crc.to_le_bytes()
            });
        } else {
            let c = crc as u32;
            v.extend(if be { c.to_be_bytes() } else { c.to_le_bytes() });
        }
        v.extend(name.as_bytes());
        v.resize(MODVERSION_INFO_SIZE, 0);
        v
    }

    #[test]
    fn all_classes_and_byte_orders() {
        for is_64 in [false, true] {
            for be in [false, true] {
                let mut s = entry(0x1234_5678, "printk", is_64, be);
                s.extend(entry(0x9abc_def0, ".memcpy", is_64, be));
                let v = parse_versions(&s, is_64, be, "t", 0).unwrap();
                assert_eq!(v[0].crc, 0x1234_5678);
                assert_eq!(v[0].name, "printk");
                assert_eq!(v[1].name, "memcpy");
            }
        }
    }

    #[test]
    fn truncated_and_unterminated() {
        let s = entry(1, "a", true, false);
        let e = parse_versions(&s[..40], true, false, "m.ko", 0x100).unwrap_err();
        assert!(e.to_string().contains("at offset 0x100"), "{e}");
        let mut s = vec![0u8; 8];
        s.extend([b'x'; 56]);
        let e = parse_versions(&s, true, false, "m.ko", 0x40).unwrap_err();
        assert!(
            e.to_string().contains("0x48") && e.to_string().contains("NUL"),
            "{e}"
        );
    }

    #[test]
    fn extended() {
        let crcs: Vec<u8> = [1u32, 2].iter().flat_map(|c| c.to_le_bytes()).collect();
        let v = parse_extended(&crcs, b"a\0bb\0", false, "t", 0, 0).unwrap();
        assert_eq!(
            v[1],
            ModversionEntry {
                crc: 2,
                name: "bb".into()
            }
        );
        assert!(parse_extended(&crcs, b"a\0", false, "t", 0, 0).is_err());
        assert!(parse_extended(&crcs, b"a\0b\0c\0", false, "t", 0, 0).is_err());
        assert!(parse_extended(&crcs, b"a\0b\0\0", false, "t", 0, 0).is_ok());
        assert!(parse_extended(&crcs, b"a\0b", false, "t", 0, 0).is_err());
    }
}
