//! `modver symbols`: symbol tables, byte-identical to llvm-nm.

use super::{print_out, EXIT_ERROR};
use clap::ValueEnum;
use modver::symbols::{self, native::Backend as NativeBackend, NmFormat, ReadOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Bsd,
    Posix,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    Auto,
    Native,
    LlvmNm,
}

/// Print symbol tables of ELF objects, LLVM bitcode and (thin) archives,
/// exactly as llvm-nm prints them.
#[derive(clap::Args)]
pub struct Args {
    /// Output format: bsd (= llvm-nm), posix (= llvm-nm -P), json.
    #[arg(long, short = 'f', value_enum, default_value = "bsd")]
    format: Format,
    /// The llvm-nm to run for bitcode (default: $NM, $LLVM, PATH).
    #[arg(long)]
    nm: Option<PathBuf>,
    /// Bitcode symbol tables from the irsymtab stored in the file (native),
    /// from llvm-nm, or native with llvm-nm for files it cannot serve (auto).
    #[arg(long, value_enum, default_value = "auto")]
    backend: Backend,
    /// Say on stderr which bitcode files fell back to llvm-nm and why.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Object files or archives.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let format = match a.format {
        Format::Bsd => NmFormat::Bsd,
        Format::Posix => NmFormat::Posix,
        Format::Json => NmFormat::Json,
    };
    let backend = match a.backend {
        Backend::Auto => NativeBackend::Auto,
        Backend::Native => NativeBackend::Native,
        Backend::LlvmNm => NativeBackend::LlvmNm,
    };
    let opts = ReadOptions { nm: a.nm, backend };
    let (results, notes) = symbols::read_files_noted(&a.files, &opts);
    if a.verbose {
        for n in &notes {
            eprintln!("modver: {n}");
        }
    }
    let multiple = a.files.len() > 1;
    let mut failed = false;
    // Print in input order; stop printing at an error's position only for
    // that file, as llvm-nm does.
    for r in results {
        match r {
            Ok(f) => {
                for t in &f.tables {
                    if !t.has_symtab && format != NmFormat::Json {
                        let who = match &t.member {
                            Some(m) => format!("{}:{m}", f.path),
                            None => f.path.clone(),
                        };
                        eprintln!("modver: warning: {who}: no symbols");
                    }
                }
                print_out(&symbols::render(std::slice::from_ref(&f), format, multiple))?;
            }
            Err(e) => {
                eprintln!("modver: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}
