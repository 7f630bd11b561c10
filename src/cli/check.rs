//! `modver check`: every import of every module against its provider's CRC.

use super::print_out;
use modver::check::{check_modules, has_failures, render_text, summarize};
use std::path::PathBuf;
use std::process::ExitCode;

/// Report format.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// One line per problem.
    Text,
    /// All modules and imports with their verdicts, for scripts.
    Json,
}

/// Check each import of each module against the CRC of its provider:
/// Module.symvers files, a vmlinux, and the other modules given. Prints one
/// line per problem (mismatch, missing, unversioned). Exit status: 0 all
/// imports ok (or only unversioned), 1 a mismatch or missing symbol, 2
/// nothing could be checked.
#[derive(clap::Args)]
pub struct Args {
    /// A Module.symvers file (repeatable; earlier files win for a symbol).
    #[arg(long = "symvers", value_name = "FILE")]
    symvers: Vec<PathBuf>,
    /// A vmlinux (or any linked object) whose __ksymtab/__kcrctab provide CRCs.
    #[arg(long, value_name = "FILE")]
    vmlinux: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Module files (.ko, .ko.xz, .ko.zst, .ko.gz).
    #[arg(required = true)]
    modules: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let checks = check_modules(&a.modules, &a.symvers, a.vmlinux.as_deref())?;
    let summary = summarize(&checks);
    match a.format {
        Format::Text => {
            print_out(&render_text(&checks))?;
            eprintln!(
                "modver check: {} modules ({} unreadable, {} without __versions), {} imports: {} ok, {} mismatch, {} missing, {} unversioned",
                summary.modules,
                summary.errors,
                summary.unversioned_modules,
                summary.imports,
                summary.ok,
                summary.mismatch,
                summary.missing,
                summary.unversioned
            );
        }
        Format::Json => {
            let doc = serde_json::json!({ "summary": summary, "modules": checks });
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| modver::Error::Usage(format!("JSON output: {e}")))?;
            s.push('\n');
            print_out(&s)?;
        }
    }
    Ok(if summary.errors == summary.modules {
        ExitCode::from(super::EXIT_ERROR)
    } else if has_failures(&checks) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
