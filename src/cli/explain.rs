//! `modver explain`: why export CRCs differ between two symtypes files or
//! KBUILD_SYMTYPES trees.

use super::print_out;
use modver::explain::{explain_paths, render_text};
use std::path::PathBuf;
use std::process::ExitCode;

/// Report format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Chains and member changes, for people.
    Text,
    /// The same, for scripts.
    Json,
}

/// For every export whose CRC differs between OLD and NEW (symtypes files
/// or directories of them): the chain to each changed type and what changed
/// in it, member by member. Changed types that affect no export are listed
/// separately. Exit 0 when no CRC differs, 1 when some do.
#[derive(clap::Args)]
pub struct Args {
    /// Only explain these exports (repeatable).
    #[arg(long = "symbol", value_name = "NAME")]
    symbols: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// The old symtypes file or tree.
    old: PathBuf,
    /// The new symtypes file or tree.
    new: PathBuf,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let e = explain_paths(&a.old, &a.new, &a.symbols)?;
    match a.format {
        Format::Text => print_out(&render_text(&e))?,
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&e)
                .map_err(|err| modver::Error::Usage(format!("JSON output: {err}")))?;
            s.push('\n');
            print_out(&s)?;
        }
    }
    Ok(if e.exports.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
