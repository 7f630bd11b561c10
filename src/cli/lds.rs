//! `modver lds`: the section-merge rules of scripts/module.lds.S.

use super::args::KernelArgs;
use super::{exit, print_out, Status};
use modver::lds::{module_lto_sections, LdsOptions};
use modver::output::write_atomic;
use std::path::PathBuf;

/// The LTO section-merge fragment of that kernel's scripts/module.lds.S.
///
/// Print the linker-script fragment that merges the sections LLD splits
/// under LTO, as that kernel's scripts/module.lds.S has it (under
/// CONFIG_LTO_CLANG up to 6.18; from 6.19 the kernel merges by itself and
/// the fragment says so).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kernel: KernelArgs,
    /// CONFIG_CFI_CLANG (5.13-6.0): align .text to the page size.
    #[arg(long)]
    cfi: bool,
    /// PAGE_SIZE for --cfi.
    #[arg(long, default_value_t = 4096)]
    page_size: u64,
    /// CONFIG_ARCH_WANTS_MODULES_TEXT_SECTIONS (7.1+, 32-bit parisc): no .text rule.
    #[arg(long)]
    keep_text_sections: bool,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let kernel = a.kernel.resolve()?;
    let text = module_lto_sections(
        kernel,
        LdsOptions {
            cfi: a.cfi,
            page_size: a.page_size,
            keep_text_sections: a.keep_text_sections,
        },
    )?;
    if modver::lds::kernel_merges_sections(kernel) {
        eprintln!(
            "modver: note: kernel {kernel} merges these sections by itself (scripts/module.lds, since 6.19); no extra linker script is needed"
        );
    }
    match a.output {
        Some(p) => write_atomic(&p, text.as_bytes())?,
        None => print_out(&text)?,
    }
    Ok(exit::OK)
}
