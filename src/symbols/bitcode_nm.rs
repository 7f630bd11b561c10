//! The symbols `llvm-nm` prints for a bitcode file, derived from its
//! irsymtab instead of from the IR.
//!
//! llvm-nm (`IRObjectFile`) always rebuilds its symbol list from the IR with
//! `ModuleSymbolTable`; the irsymtab was written by the same code in the
//! producer, so for the producer's own llvm-nm the two agree. Letters follow
//! llvm-nm's `getNMTypeChar` for IR (LLVM 13 and later):
//!
//! * weak (`SF_Weak`): `w` if undefined, else `W`;
//! * undefined: `U`; common: `C`;
//! * otherwise `t` for executable symbols, else `d` (`s` for constants on
//!   Darwin triples, which the irsymtab cannot tell: refused), upper case
//!   for global symbols.
//!
//! Format-specific symbols (`llvm.*`, private, `llvm.metadata`) are hidden,
//! as llvm-nm hides them without `-a`. The address width comes from the
//! triple's architecture (`Triple::isArch64Bit`). The list is then sorted
//! with [`super::stdsort::std_sort`], as llvm-nm sorts it.
//!
//! llvm-nm never reads the irsymtab (only lld and the LTO API do, through
//! `irsymtab::readBitcode`, which rebuilds it from IR when the version or
//! the producer string differs from the running LLVM, or the module count
//! disagrees). So the native output is what the *producer's* llvm-nm
//! prints. Another version's llvm-nm can differ on the same file: checked
//! with clang/llvm 13, 14, 15, 16, 19 and 22, llvm-nm 19 and 22 add
//! `U _GLOBAL_OFFSET_TABLE_` to i386 bitcode from LLVM 16 and older, and
//! order equal names (an asm `U x` beside a C `D x`) differently, because
//! asm symbols are enumerated in hash order and LLVM's string hash changed;
//! older llvm-nm mostly cannot read newer bitcode at all.

use super::Symbol;
use crate::bitcode::irsymtab::{IrSymtab, SymbolFlags};

/// What llvm-nm would print for one bitcode file (its `IRObjectFile`
/// symbol list, before `sortSymbolList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmView {
    /// 16-digit (true) or 8-digit address column.
    pub is_64: bool,
    /// False when the file has no symbols at all (llvm-nm: "no symbols").
    pub has_symtab: bool,
    /// Visible symbols in irsymtab order (not yet sorted).
    pub symbols: Vec<Symbol>,
}

/// The nm letter llvm-nm gives an IR symbol with these flags
/// (`getNMTypeChar` for an `IRObjectFile`).
pub fn nm_letter(f: SymbolFlags) -> char {
    if f.weak() {
        return if f.undefined() { 'w' } else { 'W' };
    }
    if f.undefined() {
        return 'U';
    }
    if f.common() {
        return 'C';
    }
    let c = if f.executable() { 't' } else { 'd' };
    if f.global() {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

/// Maps an irsymtab to llvm-nm's view (`dumpSymbolNamesFromObject` on
/// the IR), or says why that cannot be done
/// faithfully (the caller then asks llvm-nm).
pub fn nm_view(t: &IrSymtab<'_>) -> Result<NmView, String> {
    let triple = std::str::from_utf8(t.target_triple)
        .map_err(|_| "target triple is not UTF-8".to_string())?;
    if is_darwin(triple) {
        return Err(format!(
            "target {triple}: llvm-nm marks Darwin constants 's', which the irsymtab does not record"
        ));
    }
    let mut symbols = Vec::with_capacity(t.symbols.len());
    for s in &t.symbols {
        if s.flags.format_specific() {
            continue;
        }
        let name = std::str::from_utf8(s.name).map_err(|_| {
            format!(
                "symbol name {:?} is not UTF-8",
                String::from_utf8_lossy(s.name)
            )
        })?;
        symbols.push(Symbol {
            name: name.to_string(),
            kind: nm_letter(s.flags),
            address: 0,
            size: 0,
        });
    }
    Ok(NmView {
        is_64: triple_is_64bit(triple),
        has_symtab: !t.symbols.is_empty(),
        symbols,
    })
}

fn is_darwin(triple: &str) -> bool {
    let os = triple.split('-').nth(2).unwrap_or("");
    [
        "darwin",
        "macos",
        "ios",
        "tvos",
        "watchos",
        "xros",
        "bridgeos",
        "driverkit",
    ]
    .iter()
    .any(|p| os.starts_with(p))
}

/// Whether LLVM's `Triple(triple).isArch64Bit()` holds: the architecture
/// (first component) has 64-bit pointers. Unknown architectures are not
/// 64-bit, as in LLVM.
pub fn triple_is_64bit(triple: &str) -> bool {
    let arch = triple.split('-').next().unwrap_or("");
    matches!(
        arch,
        "x86_64"
            | "amd64"
            | "x86_64h"
            | "aarch64"
            | "aarch64_be"
            | "arm64"
            | "arm64e"
            | "arm64ec"
            | "bpf"
            | "bpfel"
            | "bpfeb"
            | "loongarch64"
            | "mips64"
            | "mips64el"
            | "mipsisa64r6"
            | "mipsisa64r6el"
            | "mips64r6"
            | "mips64elr6"
            | "powerpc64"
            | "powerpc64le"
            | "ppc64"
            | "ppc64le"
            | "ppu"
            | "riscv64"
            | "riscv64be"
            | "sparcv9"
            | "sparc64"
            | "s390x"
            | "systemz"
            | "amdgcn"
            | "nvptx64"
            | "le64"
            | "amdil64"
            | "hsail64"
            | "spir64"
            | "spirv64"
            | "wasm64"
            | "renderscript64"
            | "ve"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        let f = |bits: &[u32]| SymbolFlags(bits.iter().map(|b| 1 << b).sum());
        assert_eq!(nm_letter(f(&[10, 13])), 'T');
        assert_eq!(nm_letter(f(&[13])), 't');
        assert_eq!(nm_letter(f(&[10])), 'D');
        assert_eq!(nm_letter(f(&[])), 'd');
        assert_eq!(nm_letter(f(&[3, 10])), 'U');
        assert_eq!(nm_letter(f(&[3, 4, 10])), 'w');
        assert_eq!(nm_letter(f(&[4, 10, 13])), 'W');
        assert_eq!(nm_letter(f(&[5, 10])), 'C');
    }

    #[test]
    fn widths() {
        assert!(triple_is_64bit("x86_64-pc-linux-gnu"));
        assert!(triple_is_64bit("aarch64-unknown-linux-gnu"));
        assert!(!triple_is_64bit("i386-pc-linux-gnu"));
        assert!(!triple_is_64bit("armv7-unknown-linux-gnueabihf"));
        assert!(!triple_is_64bit(""));
        assert!(is_darwin("arm64-apple-macosx14.0.0"));
        assert!(!is_darwin("x86_64-pc-linux-gnu"));
    }
}
