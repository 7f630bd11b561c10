//! Argument groups shared by several subcommands, each flag declared once
//! and flattened (`#[command(flatten)]`) where it is used.

use modver::kver::KernelVersion;
use modver::output::ReportFormat;
use modver::symbols::{native::Backend, ReadOptions};
use std::path::PathBuf;

/// `--nm` and `--backend`: how symbol tables of bitcode are read. On every
/// command that reads symbols.
#[derive(clap::Args, Debug, Clone)]
pub struct SymbolArgs {
    /// The llvm-nm to run for bitcode (default: $NM, $LLVM, PATH).
    #[arg(long, value_name = "PATH")]
    pub nm: Option<PathBuf>,
    /// Bitcode symbol tables from the irsymtab stored in the file (native),
    /// from llvm-nm, or native with llvm-nm for files it cannot serve (auto).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
}

impl SymbolArgs {
    /// The library's reading options.
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            nm: self.nm.clone(),
            backend: self.backend,
        }
    }
}

/// `--kernel`: whose kbuild layout to follow.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct KernelArgs {
    /// Kernel version X.Y whose kbuild layout to follow (default: read from
    /// the kernel tree in the current directory).
    #[arg(long, value_name = "X.Y")]
    pub kernel: Option<KernelVersion>,
}

impl KernelArgs {
    /// `--kernel`, else the version of the tree in the current directory.
    pub fn resolve(self) -> modver::Result<KernelVersion> {
        KernelVersion::resolve(self.kernel)
    }
}

/// `--format text|json` of the reports (`check`, `explain`).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `-o/--output FILE` of the commands that write one kbuild file (written
/// atomically: a temporary file renamed into place).
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output file.
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,
}

/// `--symbol NAME`: restrict a symtypes command to some exports.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportFilter {
    /// Only these exports (repeatable).
    #[arg(long = "symbol", value_name = "NAME")]
    pub symbols: Vec<String>,
}
