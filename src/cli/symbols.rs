//! `modver symbols`: symbol tables, byte-identical to llvm-nm.

use super::args::{FormatArg, SymbolArgs};
use super::{exit, print_chunks};
use modver::symbols::{self, NmFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// Symbol tables of objects, bitcode and archives, as llvm-nm prints them.
///
/// Print symbol tables of ELF objects, LLVM bitcode and (thin) archives,
/// exactly as llvm-nm prints them.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    format: FormatArg<NmFormat>,
    #[command(flatten)]
    symbols: SymbolArgs,
    /// Say on stderr which bitcode files fell back to llvm-nm and why.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Object files or archives.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(a: Args) -> modver::Result<ExitCode> {
    let format = a.format.get();
    let (results, notes) = symbols::read_files_noted(&a.files, &a.symbols.options());
    if a.verbose {
        for n in &notes {
            eprintln!("modver: {n}");
        }
    }
    let multiple = a.files.len() > 1;
    // Each file rendered on the thread pool; stdout written once, in order.
    let rendered = modver::parallel::map(results.len(), |i| {
        let mut out = Vec::new();
        if let Ok(f) = &results[i] {
            symbols::render_into(&mut out, f, format, multiple);
        }
        out
    });
    let mut failed = false;
    let mut stdout: Vec<&[u8]> = Vec::with_capacity(rendered.len());
    // Print in input order; stop printing at an error's position only for
    // that file, as llvm-nm does.
    for (r, text) in results.iter().zip(&rendered) {
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
                stdout.push(text);
            }
            Err(e) => {
                eprintln!("modver: {e}");
                failed = true;
            }
        }
    }
    print_chunks(&stdout)?;
    Ok(exit(if failed { exit::ERROR } else { exit::OK }))
}
