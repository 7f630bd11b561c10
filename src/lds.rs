//! The section-merge rules of `scripts/module.lds.S`.
//!
//! With LTO, LLD compiles every module with `-ffunction-sections
//! -fdata-sections`; the final `ld -r -T scripts/module.lds` of a `.ko` merges
//! the split `.bss.*`, `.data.*`, `.rodata.*` (and in some releases
//! `.text.*`) sections back into one section each. The rules changed with the
//! kernel (read from each release's `scripts/module.lds.S` and
//! `<asm-generic/codetag.lds.h>`):
//!
//! * 5.12: under `#ifdef CONFIG_LTO_CLANG`: `.bss`, `.data`, `.rodata`, and a
//!   plain `.text` rule;
//! * 5.13–6.0: the `.text` rule puts `.text.__cfi_check` first and also
//!   takes `.text..L.cfi*`; with `CONFIG_CFI_CLANG` the section is aligned to
//!   `PAGE_SIZE` (`ALIGN_CFI`);
//! * 6.1–6.9: no `.text` rule (kCFI needs no `__cfi_check`);
//! * 6.10–6.12: `.data` also collects the code-tag section `alloc_tags`
//!   (`CODETAG_SECTIONS()`);
//! * 6.13–6.18: `alloc_tags` moved out of `.data` into its own
//!   `.codetag.alloc_tags` (`MOD_SEPARATE_CODETAG_SECTIONS()`, after the
//!   LTO block): the block is `.bss`, `.data`, `.rodata` again;
//! * 6.19–7.0: no `CONFIG_LTO_CLANG` condition: every module gets `.text`,
//!   `.bss`, `.data`, `.rodata` merged (commit "vmlinux.lds: Unify
//!   TEXT_MAIN, DATA_MAIN, and related macros"); the kernel merges by itself;
//! * 7.1+: the same rules written `.X 0 : { ... }` (sh_addr forced to 0; the
//!   change was also backported to later 6.19.y/7.0.y point releases), and
//!   `.text` only without `CONFIG_ARCH_WANTS_MODULES_TEXT_SECTIONS` (32-bit
//!   parisc).

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
    /// `CONFIG_ARCH_WANTS_MODULES_TEXT_SECTIONS` (7.1+): `.text` is not
    /// merged.
    pub keep_text_sections: bool,
}

impl Default for LdsOptions {
    fn default() -> Self {
        LdsOptions {
            cfi: false,
            page_size: 4096,
            keep_text_sections: false,
        }
    }
}

/// Whether `kernel`'s own `scripts/module.lds` merges the split sections of
/// every module, LTO or not (6.19 and later): the fragment then only
/// restates what the kernel does, and no extra `-T` is needed.
pub fn kernel_merges_sections(kernel: KernelVersion) -> bool {
    kernel.at_least(6, 19)
}

/// One merged output section: `name [0] : [ALIGN(n)] { rules }`.
fn section(out: &mut String, name: &str, addr0: bool, align: Option<u64>, rules: &[&str]) {
    out.push('\t');
    out.push_str(name);
    out.push_str(if addr0 { " 0 : " } else { " : " });
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

fn comment(out: &mut String, lines: &[&str]) {
    out.push_str("\t/*\n");
    for l in lines {
        out.push_str("\t * ");
        out.push_str(l);
        out.push('\n');
    }
    out.push_str("\t */\n");
}

const BSS: [&str; 2] = ["*(.bss .bss.[0-9a-zA-Z_]*)", "*(.bss..L*)"];
const DATA: [&str; 2] = ["*(.data .data.[0-9a-zA-Z_]*)", "*(.data..L*)"];
const RODATA: [&str; 2] = ["*(.rodata .rodata.[0-9a-zA-Z_]*)", "*(.rodata..L*)"];
const TEXT: [&str; 1] = ["*(.text .text.[0-9a-zA-Z_]*)"];

/// The section-merge statements of `kernel`'s `scripts/module.lds.S`, as
/// kbuild's `cmd_cpp_lds_S` preprocesses them for an x86 `CONFIG_LTO_CLANG`
/// build (macros such as `ALIGN_CFI` and `CODETAG_SECTIONS()` expanded),
/// in one `SECTIONS { ... }` block usable as an extra `-T` script for the
/// final `ld -r` of a module. Up to 6.18 these are the rules under
/// `#ifdef CONFIG_LTO_CLANG`; from 6.19 the kernel has them for every
/// module (see [`kernel_merges_sections`]) and the block says so.
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
    if opts.keep_text_sections && !kernel.at_least(7, 1) {
        return Err(Error::Usage(format!(
            "--keep-text-sections: CONFIG_ARCH_WANTS_MODULES_TEXT_SECTIONS exists from 7.1, not in {kernel}"
        )));
    }
    let mut s = String::from("SECTIONS {\n");
    if kernel_merges_sections(kernel) {
        let addr0 = kernel.at_least(7, 1);
        comment(
            &mut s,
            &[
                &format!("Kernel {kernel} merges these sections by itself: its scripts/module.lds"),
                "has these rules for every module, with or without CONFIG_LTO_CLANG",
                "(since 6.19). No extra linker script is needed; this restates it.",
            ],
        );
        if !opts.keep_text_sections {
            section(&mut s, ".text", addr0, None, &TEXT);
            s.push('\n');
        }
        section(&mut s, ".bss", addr0, None, &BSS);
        s.push('\n');
        section(&mut s, ".data", addr0, None, &DATA);
        s.push('\n');
        section(&mut s, ".rodata", addr0, None, &RODATA);
        s.push_str("}\n");
        return Ok(s);
    }
    comment(
        &mut s,
        &[
            "With CONFIG_LTO_CLANG, LLD always enables -fdata-sections and",
            "-ffunction-sections, which increases the size of the final module.",
            "Merge the split sections in the final binary.",
        ],
    );
    section(&mut s, ".bss", false, None, &BSS);
    s.push('\n');
    let mut data = DATA.to_vec();
    // CODETAG_SECTIONS() inside .data: 6.10 to 6.12 only.
    if kernel.at_least(6, 10) && !kernel.at_least(6, 13) {
        data.extend([
            ". = ALIGN(8);",
            "__start_alloc_tags = .;",
            "KEEP(*(alloc_tags))",
            "__stop_alloc_tags = .;",
        ]);
    }
    section(&mut s, ".data", false, None, &data);
    s.push('\n');
    section(&mut s, ".rodata", false, None, &RODATA);
    if !kernel.at_least(5, 13) {
        s.push('\n');
        section(&mut s, ".text", false, None, &TEXT);
    } else if cfi_text {
        s.push('\n');
        comment(
            &mut s,
            &[
                "With CONFIG_CFI_CLANG, we assume __cfi_check is at the beginning",
                "of the .text section, and is aligned to PAGE_SIZE.",
            ],
        );
        section(
            &mut s,
            ".text",
            false,
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
        for v in ["6.13", "6.18"] {
            let t = module_lto_sections(k(v), o).unwrap();
            assert!(!t.contains("alloc_tags") && !t.contains(".text"), "{v}");
        }
        let v619 = module_lto_sections(k("6.19"), o).unwrap();
        assert!(v619.contains("\t.text : {\n") && v619.contains("merges these sections by itself"));
        let v71 = module_lto_sections(k("7.1"), o).unwrap();
        assert!(v71.contains("\t.text 0 : {\n") && v71.contains("\t.rodata 0 : {\n"));
        let keep = LdsOptions {
            keep_text_sections: true,
            ..o
        };
        assert!(!module_lto_sections(k("7.1"), keep)
            .unwrap()
            .contains(".text"));
        assert!(module_lto_sections(k("7.0"), keep).is_err());
    }
}
