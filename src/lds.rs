//! The section-merge rules of `scripts/module.lds.S` under `CONFIG_LTO_CLANG`.
//!
//! With LTO, LLD compiles every module with `-ffunction-sections
//! -fdata-sections`; the final `ld -r -T scripts/module.lds` of a `.ko` merges
//! the split `.bss.*`, `.data.*`, `.rodata.*` (and, up to 6.0, `.text.*`)
//! sections back into one section each. The rules changed with the kernel:
//!
//! * 5.12: `.bss`, `.data`, `.rodata`, and a plain `.text` rule;
//! * 5.13–6.0: the `.text` rule puts `.text.__cfi_check` first and also
//!   takes `.text..L.cfi*`; with `CONFIG_CFI_CLANG` the section is aligned to
//!   `PAGE_SIZE` (`ALIGN_CFI`);
//! * 6.1–6.9: no `.text` rule (kCFI needs no `__cfi_check`);
//! * 6.10+: `.data` also collects the code-tag section `alloc_tags`
//!   (`CODETAG_SECTIONS()` from `<asm-generic/codetag.lds.h>`).

use crate::kver::KernelVersion;
use crate::{Error, Result};

/// Options that select a variant of the fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LdsOptions {
    /// `CONFIG_CFI_CLANG` (only meaningful for 5.13–6.0): align `.text` to
    /// the page size.
    pub cfi: bool,
    /// `PAGE_SIZE` of the architecture, as `ALIGN(PAGE_SIZE)` resolves it.
    pub page_size: u64,
}

impl Default for LdsOptions {
    fn default() -> Self {
        LdsOptions {
            cfi: false,
            page_size: 4096,
        }
    }
}

/// One merged output section: `name : [ALIGN(n)] { rules }`.
fn section(out: &mut String, name: &str, align: Option<u64>, rules: &[&str]) {
    out.push('\t');
    out.push_str(name);
    out.push_str(" : ");
    if let Some(a) = align {
        out.push_str(&format!("ALIGN({a}) "));
    }
    out.push_str("{\n");
    for r in rules {
        out.push_str("\t\t");
        out.push_str(r);
        out.push('\n');
    }
    out.push_str("\t}\n");
}

/// The `SECTIONS { ... }` block that `scripts/module.lds.S` of `kernel`
/// contains under `#ifdef CONFIG_LTO_CLANG`, preprocessed (macros such as
/// `ALIGN_CFI` and `CODETAG_SECTIONS()` expanded), usable as an extra `-T`
/// script for the final `ld -r` of a module.
pub fn module_lto_sections(kernel: KernelVersion, opts: LdsOptions) -> Result<String> {
    if !kernel.at_least(5, 12) {
        return Err(Error::Unsupported(format!(
            "kernel {kernel} has no CONFIG_LTO_CLANG (Clang LTO arrived in 5.12)"
        )));
    }
    let cfi_text = kernel.at_least(5, 13) && !kernel.at_least(6, 1);
    if opts.cfi && !cfi_text {
        return Err(Error::Unsupported(format!(
            "--cfi: the CFI .text rule exists only in kernels 5.13 to 6.0, not {kernel}"
        )));
    }
    if opts.cfi && !opts.page_size.is_power_of_two() {
        return Err(Error::Unsupported(format!(
            "page size {} is not a power of two",
            opts.page_size
        )));
    }
    let mut s = String::from("SECTIONS {\n");
    s.push_str("\t/*\n\t * With CONFIG_LTO_CLANG, LLD always enables -fdata-sections and\n");
    s.push_str("\t * -ffunction-sections, which increases the size of the final module.\n");
    s.push_str("\t * Merge the split sections in the final binary.\n\t */\n");
    section(
        &mut s,
        ".bss",
        None,
        &["*(.bss .bss.[0-9a-zA-Z_]*)", "*(.bss..L*)"],
    );
    s.push('\n');
    let mut data = vec!["*(.data .data.[0-9a-zA-Z_]*)", "*(.data..L*)"];
    if kernel.at_least(6, 10) {
        data.extend([
            ". = ALIGN(8);",
            "__start_alloc_tags = .;",
            "KEEP(*(alloc_tags))",
            "__stop_alloc_tags = .;",
        ]);
    }
    section(&mut s, ".data", None, &data);
    s.push('\n');
    section(
        &mut s,
        ".rodata",
        None,
        &["*(.rodata .rodata.[0-9a-zA-Z_]*)", "*(.rodata..L*)"],
    );
    if !kernel.at_least(5, 13) {
        s.push('\n');
        section(&mut s, ".text", None, &["*(.text .text.[0-9a-zA-Z_]*)"]);
    } else if cfi_text {
        s.push('\n');
        s.push_str("\t/*\n\t * With CONFIG_CFI_CLANG, we assume __cfi_check is at the beginning\n");
        s.push_str("\t * of the .text section, and is aligned to PAGE_SIZE.\n\t */\n");
        section(
            &mut s,
            ".text",
            opts.cfi.then_some(opts.page_size),
            &[
                "*(.text.__cfi_check)",
                "*(.text .text.[0-9a-zA-Z_]* .text..L.cfi*)",
            ],
        );
    }
    s.push_str("}\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KernelVersion {
        s.parse().unwrap()
    }

    #[test]
    fn text_rule_by_version() {
        let o = LdsOptions::default();
        let v512 = module_lto_sections(k("5.12"), o).unwrap();
        assert!(v512.contains("\t.text : {\n\t\t*(.text .text.[0-9a-zA-Z_]*)\n"));
        let v515 = module_lto_sections(k("5.15"), o).unwrap();
        assert!(v515.contains("\t.text : {\n\t\t*(.text.__cfi_check)\n"));
        let cfi = LdsOptions { cfi: true, ..o };
        assert!(module_lto_sections(k("6.0"), cfi)
            .unwrap()
            .contains(".text : ALIGN(4096) {"));
        assert!(!module_lto_sections(k("6.1"), o).unwrap().contains(".text"));
        assert!(module_lto_sections(k("6.1"), cfi).is_err());
        assert!(module_lto_sections(k("5.12"), cfi).is_err());
        assert!(module_lto_sections(k("5.11"), o).is_err());
        assert!(module_lto_sections(k("6.12"), o)
            .unwrap()
            .contains("KEEP(*(alloc_tags))"));
    }
}
