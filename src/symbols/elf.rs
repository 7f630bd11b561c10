//! ELF symbol tables, classified exactly as `llvm-nm` classifies them.
//!
//! The type letter follows llvm-nm's `getNMSectionTagAndName` and its ELF
//! `getSymbolNMTypeChar`: undefined (`U`, weak `w`/`v`), GNU ifunc `i`, weak
//! definitions `W`/`V`, common `C`, absolute `a`, then by the defining
//! section's flags (`t` executable, `b` NOBITS, `d`/`r` allocated
//! writable/read-only, `N` debug, `n` other read-only), upper-cased for
//! global binding. Format-specific symbols (the null symbol, `STT_SECTION`,
//! `STT_FILE`, ARM/AArch64/RISC-V mapping symbols) are not listed.

use super::{sort_like_nm, ObjectFormat, Symbol, SymbolTable};
use crate::elf::{ElfImage, ElfSymbol};
use crate::error::Result;
use object::elf;

/// Reads the `.symtab` of an ELF object as `llvm-nm` lists it
/// (`llvm-nm`'s `dumpSymbolNamesFromObject` on an `ELFObjectFile`).
/// `display` names the file (or `archive(member)`) in errors; `member` is
/// recorded in the table.
pub fn read_elf(data: &[u8], display: &str, member: Option<String>) -> Result<SymbolTable> {
    Ok(nm_table(&ElfImage::parse(data, display)?, member))
}

/// The `llvm-nm` table of a parsed ELF image (`dumpSymbolNamesFromObject`
/// on an `ELFObjectFile`).
pub fn nm_table(image: &ElfImage<'_>, member: Option<String>) -> SymbolTable {
    let mut symbols: Vec<Symbol> = image
        .symbols
        .iter()
        .filter(|sym| !is_format_specific(sym.st_type, image.machine, &sym.name))
        .map(|sym| Symbol {
            name: sym.name.clone().into_owned(),
            kind: type_letter(sym, section_info(image, sym)),
            address: nm_address(image, sym),
            size: sym.size,
        })
        .collect();
    sort_like_nm(&mut symbols);
    SymbolTable {
        member,
        format: ObjectFormat::Elf,
        is_64: image.is_64,
        has_symtab: image.has_symtab,
        symbols: symbols.into(),
    }
}

/// The address llvm-nm prints: `st_value` (Thumb bit cleared on ARM
/// functions), plus the section address in relocatables.
fn nm_address(image: &ElfImage<'_>, sym: &ElfSymbol<'_>) -> u64 {
    let mut value = sym.value;
    if image.machine == elf::EM_ARM && sym.st_type == elf::STT_FUNC {
        value &= !1;
    }
    match sym.shndx {
        elf::SHN_UNDEF | elf::SHN_ABS | elf::SHN_COMMON => value,
        _ if image.is_relocatable => {
            value.wrapping_add(image.section_of(sym).map_or(0, |s| s.addr))
        }
        _ => value,
    }
}

fn section_info(image: &ElfImage<'_>, sym: &ElfSymbol<'_>) -> Option<SecInfo> {
    image.section_of(sym).map(|s| SecInfo {
        sh_type: s.sh_type,
        flags: s.flags,
        is_debug: s.name.starts_with(".debug"),
    })
}

/// Symbols LLVM flags `SF_FormatSpecific`, which `llvm-nm` does not print.
fn is_format_specific(st_type: u8, machine: u16, name: &str) -> bool {
    if st_type == elf::STT_FILE || st_type == elf::STT_SECTION {
        return true;
    }
    match machine {
        elf::EM_AARCH64 => name.starts_with("$d") || name.starts_with("$x"),
        elf::EM_ARM => name.starts_with("$d") || name.starts_with("$t") || name.starts_with("$a"),
        elf::EM_RISCV => name.starts_with(".L") || name.starts_with("$d") || name.starts_with("$x"),
        _ => false,
    }
}

struct SecInfo {
    sh_type: u32,
    flags: u64,
    is_debug: bool,
}

/// llvm-nm's `getSymbolNMTypeChar` for ELF; `sec` is the defining
/// section, when it could be resolved.
fn type_letter(s: &ElfSymbol<'_>, sec: Option<SecInfo>) -> char {
    let global = s.bind != elf::STB_LOCAL;
    let weak = s.bind == elf::STB_WEAK;
    let is_object = s.st_type == elf::STT_OBJECT;
    if s.shndx == elf::SHN_UNDEF {
        return if !weak {
            'U'
        } else if is_object {
            'v'
        } else {
            'w'
        };
    }
    if s.st_type == elf::STT_GNU_IFUNC {
        return 'i';
    }
    if weak {
        return if is_object { 'V' } else { 'W' };
    }
    if s.shndx == elf::SHN_COMMON || s.st_type == elf::STT_COMMON {
        return 'C';
    }
    let letter = if s.shndx == elf::SHN_ABS {
        'a'
    } else {
        if s.bind == elf::STB_GNU_UNIQUE {
            return 'u';
        }
        if s.bind != elf::STB_GLOBAL && s.bind != elf::STB_LOCAL {
            '?'
        } else {
            match sec {
                Some(sec) => {
                    let f = sec.flags;
                    if f & u64::from(elf::SHF_EXECINSTR) != 0 {
                        't'
                    } else if sec.sh_type == elf::SHT_NOBITS {
                        'b'
                    } else if f & u64::from(elf::SHF_ALLOC) != 0 {
                        if f & u64::from(elf::SHF_WRITE) != 0 {
                            'd'
                        } else {
                            'r'
                        }
                    } else if sec.is_debug {
                        'N'
                    } else if f & u64::from(elf::SHF_WRITE) == 0 {
                        'n'
                    } else {
                        '?'
                    }
                }
                None => '?',
            }
        }
    };
    if global {
        letter.to_ascii_uppercase()
    } else {
        letter
    }
}
