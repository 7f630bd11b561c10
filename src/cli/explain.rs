//! `modver explain`: why export CRCs differ between two symtypes files or
//! KBUILD_SYMTYPES trees.

use super::args::{ExportFilter, FormatArg};
use super::{exit, print_out};
use modver::explain::{explain_paths, render_text};
use modver::output::{to_json, ReportFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// Explain why export CRCs differ between two symtypes files or trees.
///
/// For every export whose CRC differs between OLD and NEW (symtypes files
/// or directories of them): the chain to each changed type and what changed
/// in it, member by member. Changed types that affect no export are listed
/// separately. Exit 0 when no CRC differs, 1 when some do.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    only: ExportFilter,
    #[command(flatten)]
    format: FormatArg<ReportFormat>,
    /// The old symtypes file or tree.
    old: PathBuf,
    /// The new symtypes file or tree.
    new: PathBuf,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let e = explain_paths(&a.old, &a.new, &a.only.symbols)?;
    print_out(&match a.format.get() {
        ReportFormat::Text => render_text(&e),
        ReportFormat::Json => to_json(&e)?,
    })?;
    Ok(exit(if e.exports.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    }))
}
