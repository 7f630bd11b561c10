//! `modver lds`: the LTO section-merge fragment of scripts/module.lds.S.

use super::args::KernelArgs;
use super::{exit, print_out};
use modver::lds::{module_lto_sections, LdsOptions};
use modver::output::write_atomic;
use std::path::PathBuf;
use std::process::ExitCode;

/// The LTO section-merge fragment of that kernel's scripts/module.lds.S.
///
/// Print the linker-script fragment that merges the sections LLD splits
/// under LTO, as that kernel's scripts/module.lds.S has it under
/// CONFIG_LTO_CLANG.
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
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let text = module_lto_sections(
        a.kernel.resolve()?,
        LdsOptions {
            cfi: a.cfi,
            page_size: a.page_size,
        },
    )?;
    match a.output {
        Some(p) => write_atomic(&p, text.as_bytes())?,
        None => print_out(&text)?,
    }
    Ok(exit(exit::OK))
}
