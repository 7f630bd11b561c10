//! `modver crc`: symbol version CRCs from symtypes files, printed as
//! genksyms prints them.

use super::args::{ExportFilter, FormatArg, KernelArgs};
use super::{exit, print_out, Status};
use modver::crc::{exports_not_found, files_export_crcs, render, CrcOutput, SymtypesDialect};
use modver::Error;
use std::path::PathBuf;

/// Export CRCs from symtypes files, as genksyms prints them.
///
/// Compute the CRC of every export in symtypes files (genksyms -T output)
/// exactly as genksyms does. --kernel chooses genksyms' output format
/// and is not needed with --format; a --symbol not found is an error.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    kernel: KernelArgs,
    #[command(flatten)]
    format: FormatArg<CrcOutput>,
    /// Also print the expanded definition each CRC is computed over, as
    /// `genksyms -D` does (`Export NAME == <...>` before each CRC line; a
    /// field "expanded" in JSON).
    #[arg(long)]
    expand: bool,
    /// Which tool wrote the symtypes files: genksyms (C declarations) or
    /// gendwarfksyms (DWARF type strings; CRCs as `calculate_version`).
    #[arg(long, value_enum, default_value = "auto")]
    dialect: SymtypesDialect,
    #[command(flatten)]
    only: ExportFilter,
    /// Symtypes files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<Status> {
    let files = files_export_crcs(&a.files, a.expand, a.dialect)?;
    let format = match a.format.format {
        Some(f) => f,
        // gendwarfksyms (6.14+) always prints #SYMVER lines.
        None if files.iter().any(|f| f.dwarf) => CrcOutput::Symver,
        None => CrcOutput::for_kernel(a.kernel.resolve()?),
    };
    if let Some(s) = exports_not_found(&files, &a.only.symbols).first() {
        return Err(Error::Usage(format!(
            "no export '{s}' in the symtypes files given"
        )));
    }
    print_out(&render(&files, format, &a.only.symbols, a.expand)?)?;
    Ok(exit::OK)
}
