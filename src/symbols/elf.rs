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
use crate::error::{Error, Position, Result};
use object::elf;
use object::read::elf::{FileHeader, SectionHeader, Sym};
use object::Endianness;

/// Reads the `.symtab` of an ELF object. `display` names the file (or
/// `archive(member)`) in errors; `member` is recorded in the table.
pub fn read_elf(data: &[u8], display: &str, member: Option<String>) -> Result<SymbolTable> {
    let bad = |e: object::Error| {
        Error::malformed(display, Position::Offset(0), format!("invalid ELF: {e}"))
    };
    match data.get(4) {
        Some(&elf::ELFCLASS64) => {
            let h = elf::FileHeader64::<Endianness>::parse(data).map_err(bad)?;
            read_generic(h, data, display, member, true)
        }
        Some(&elf::ELFCLASS32) => {
            let h = elf::FileHeader32::<Endianness>::parse(data).map_err(bad)?;
            read_generic(h, data, display, member, false)
        }
        _ => Err(Error::malformed(
            display,
            Position::Offset(4),
            "invalid ELF: expected ELFCLASS32 or ELFCLASS64",
        )),
    }
}

fn read_generic<H: FileHeader<Endian = Endianness>>(
    header: &H,
    data: &[u8],
    display: &str,
    member: Option<String>,
    is_64: bool,
) -> Result<SymbolTable> {
    let bad = |what: &str, e: object::Error| {
        Error::malformed(display, Position::File, format!("invalid ELF {what}: {e}"))
    };
    let endian = header.endian().map_err(|e| bad("header", e))?;
    let machine = header.e_machine(endian);
    let is_rel = header.e_type(endian) == elf::ET_REL;
    let sections = header.sections(endian, data).map_err(|e| {
        let shoff: u64 = header.e_shoff(endian).into();
        Error::malformed(
            display,
            Position::Offset(shoff),
            format!(
                "invalid ELF: section header table (e_shoff {shoff:#x}, {} entries) does not fit in the file ({} bytes): {e}",
                header.e_shnum(endian),
                data.len()
            ),
        )
    })?;
    let symtab = sections
        .symbols(endian, data, elf::SHT_SYMTAB)
        .map_err(|e| bad("symbol table", e))?;
    let mut symbols = Vec::with_capacity(symtab.len());
    for (index, sym) in symtab.enumerate() {
        let name_bytes = symtab.symbol_name(endian, sym).map_err(|e| {
            Error::malformed(
                display,
                Position::File,
                format!("invalid ELF symbol {}: name: {e}", index.0),
            )
        })?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        if index.0 == 0 || is_format_specific(sym.st_type(), machine, &name) {
            continue;
        }
        let shndx = sym.st_shndx(endian);
        let binding = sym.st_bind();
        let section = symtab.symbol_section(endian, sym, index).ok().flatten();
        let section_header = section.and_then(|s| sections.section(s).ok());

        let mut value: u64 = sym.st_value(endian).into();
        if machine == elf::EM_ARM && sym.st_type() == elf::STT_FUNC {
            value &= !1;
        }
        let address = match shndx {
            elf::SHN_UNDEF | elf::SHN_ABS | elf::SHN_COMMON => value,
            _ if is_rel => {
                value.wrapping_add(section_header.map_or(0, |s| s.sh_addr(endian).into()))
            }
            _ => value,
        };

        let kind = type_letter(
            &SymInfo {
                binding,
                st_type: sym.st_type(),
                shndx,
                section_ok: shndx < elf::SHN_LORESERVE
                    && shndx != elf::SHN_UNDEF
                    && section_header.is_some()
                    || shndx == elf::SHN_XINDEX && section_header.is_some(),
            },
            section_header.map(|s| {
                let name = sections
                    .section_name(endian, s)
                    .map(|n| n.starts_with(b".debug"))
                    .unwrap_or(false);
                SecInfo {
                    sh_type: s.sh_type(endian),
                    flags: s.sh_flags(endian).into(),
                    is_debug: name,
                }
            }),
        );
        symbols.push(Symbol {
            name,
            kind,
            address,
            size: sym.st_size(endian).into(),
        });
    }
    sort_like_nm(&mut symbols);
    Ok(SymbolTable {
        member,
        format: ObjectFormat::Elf,
        is_64,
        has_symtab: !symtab.is_empty(),
        symbols,
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

struct SymInfo {
    binding: u8,
    st_type: u8,
    shndx: u16,
    /// The symbol's defining section could be resolved.
    section_ok: bool,
}

struct SecInfo {
    sh_type: u32,
    flags: u64,
    is_debug: bool,
}

fn type_letter(s: &SymInfo, sec: Option<SecInfo>) -> char {
    let global = s.binding != elf::STB_LOCAL;
    let weak = s.binding == elf::STB_WEAK;
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
        if s.binding == elf::STB_GNU_UNIQUE {
            return 'u';
        }
        if s.binding != elf::STB_GLOBAL && s.binding != elf::STB_LOCAL {
            '?'
        } else {
            match sec.filter(|_| s.section_ok) {
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
