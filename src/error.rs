//! Errors returned by every modver module.
//!
//! Each error names the file it is about (and the archive member, line or
//! byte offset where that is known) and says what was expected, so that a
//! kbuild log line is enough to find the problem.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The whole file (no finer position known).
    File,
    /// A byte offset from the start of the file (or archive member).
    Offset(u64),
    /// A 1-based line and column in a text file.
    Line { line: usize, column: usize },
}

/// The error type of the modver library.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read, written or renamed.
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Input that does not have the expected format.
    Malformed {
        /// The file, as `file` or `archive(member)`.
        file: String,
        /// Where in it.
        pos: Position,
        /// What was expected or found.
        message: String,
    },
    /// An external tool (llvm-nm) could not be found or failed.
    Tool {
        /// The tool.
        tool: String,
        /// What happened.
        message: String,
    },
    /// A kernel version modver does not know, or none could be found
    /// (no `--kernel` and no kernel tree in the current directory).
    UnknownKernel(String),
    /// A request the kernel version or the input cannot satisfy: a kbuild
    /// layout that kernel does not have, an option value out of range.
    Unsupported(String),
    /// A JSON report could not be serialised.
    Json(serde_json::Error),
    /// A command line modver cannot act on; raised only by the CLI
    /// (`src/cli/`), never by the library.
    Usage(String),
    /// A consistency check failed (missing CRC, conflicting CRCs, ...).
    Check(String),
}

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Malformed input in `file` at `pos`.
    pub fn malformed(file: impl Into<String>, pos: Position, message: impl Into<String>) -> Self {
        Error::Malformed {
            file: file.into(),
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::Malformed { file, pos, message } => match pos {
                Position::File => write!(f, "{file}: {message}"),
                Position::Offset(o) => write!(f, "{file}: at offset {o:#x}: {message}"),
                Position::Line { line, column } => write!(f, "{file}:{line}:{column}: {message}"),
            },
            Error::Tool { tool, message } => write!(f, "{tool}: {message}"),
            Error::Json(e) => write!(f, "JSON output: {e}"),
            Error::UnknownKernel(m) | Error::Unsupported(m) | Error::Usage(m) | Error::Check(m) => {
                f.write_str(m)
            }
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Json(source) => Some(source),
            _ => None,
        }
    }
}
