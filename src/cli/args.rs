//! Argument groups shared by several subcommands, each flag declared once
//! and flattened (`#[command(flatten)]`) where it is used.

use modver::kver::KernelVersion;
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

/// `-f/--format`, declared once for every command that prints in more
/// than one format; `F` is the library's own format enum (`ReportFormat`
/// of `check`/`explain`, `NmFormat` of `symbols`, `CrcOutput` of `crc`).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct FormatArg<F: clap::ValueEnum + Send + Sync + 'static> {
    /// Output format (default: the first listed, or for `crc` what
    /// genksyms of --kernel prints).
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<F>,
}

impl<F: clap::ValueEnum + Send + Sync + Default + Copy + 'static> FormatArg<F> {
    /// `--format`, else the format's default.
    pub fn get(&self) -> F {
        self.format.unwrap_or_default()
    }
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
