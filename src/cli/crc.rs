//! `modver crc`: symbol version CRCs from symtypes files, printed as
//! genksyms prints them.

use super::args::{ExportFilter, KernelArgs};
use super::{exit, print_out};
use modver::crc::{export_crcs, exports_not_found, render, CrcOutput, FileCrcs};
use modver::Error;
use std::path::PathBuf;
use std::process::ExitCode;

/// Export CRCs from symtypes files, as genksyms prints them.
///
/// Compute the CRC of every export in symtypes files (genksyms -T output)
/// exactly as genksyms does. --kernel chooses genksyms' output format
/// and is not needed with --format; a --symbol not found is an error.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kernel: KernelArgs,
    /// Output format (default: as genksyms of --kernel prints).
    #[arg(long, value_enum)]
    format: Option<CrcOutput>,
    /// Also print the expanded definition each CRC is computed over, as
    /// `genksyms -D` does (`Export NAME == <...>` before each CRC line; a
    /// field "expanded" in JSON).
    #[arg(long)]
    expand: bool,
    #[command(flatten)]
    only: ExportFilter,
    /// Symtypes files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let format = match a.format {
        Some(f) => f,
        None => CrcOutput::for_kernel(a.kernel.resolve()?),
    };
    let mut files = Vec::new();
    for f in &a.files {
        let st = modver::symtypes::read(f)?;
        let crcs = export_crcs(&st, a.expand)?;
        files.push(FileCrcs {
            path: st.path,
            crcs,
        });
    }
    if let Some(s) = exports_not_found(&files, &a.only.symbols).first() {
        return Err(Error::Usage(format!(
            "no export '{s}' in the symtypes files given"
        )));
    }
    print_out(&render(&files, format, &a.only.symbols, a.expand)?)?;
    Ok(exit(exit::OK))
}
