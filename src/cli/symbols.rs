//! `modver symbols`: symbol tables, byte-identical to llvm-nm.

use super::args::{FormatArg, SymbolArgs};
use super::{exit, Status};
use modver::symbols::{self, NmFormat};
use std::path::PathBuf;

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

pub fn run(a: Args) -> modver::Result<Status> {
    use std::io::Write;
    let format = a.format.get();
    let multiple = a.files.len() > 1;
    let stdout = std::io::stdout();
    let mut written = Ok(());
    let mut failed = false;
    // Each file rendered on the thread that read it, then written in input
    // order as soon as its turn comes: no file's symbols or text are kept
    // longer than that. An unreadable file prints its error and nothing.
    let notes = symbols::read_files_each(
        &a.files,
        &a.symbols.options(),
        |r| {
            r.map(|f| {
                let mut text = Vec::new();
                symbols::render_into(&mut text, &f, format, multiple);
                (text, no_symbols_warnings(&f, format))
            })
        },
        |r| match r {
            Ok((text, warnings)) => {
                for w in warnings {
                    eprintln!("modver: warning: {w}: no symbols");
                }
                if written.is_ok() {
                    written = stdout.lock().write_all(&text);
                }
            }
            Err(e) => {
                eprintln!("modver: {e}");
                failed = true;
            }
        },
    );
    if a.verbose {
        for n in &notes {
            eprintln!("modver: {n}");
        }
    }
    match written.and_then(|_| stdout.lock().flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(modver::Error::io("<stdout>", e));
        }
        _ => {}
    }
    Ok(if failed { exit::ERROR } else { exit::OK })
}

/// The objects llvm-nm warns "no symbols" about (not in JSON output).
fn no_symbols_warnings(f: &symbols::FileSymbols, format: NmFormat) -> Vec<String> {
    if format == NmFormat::Json {
        return Vec::new();
    }
    f.tables
        .iter()
        .filter(|t| !t.has_symtab)
        .map(|t| match &t.member {
            Some(m) => format!("{}:{m}", f.path),
            None => f.path.clone(),
        })
        .collect()
}
