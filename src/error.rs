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
    /// A request modver cannot satisfy (bad option value, unknown kernel).
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
            Error::Usage(m) | Error::Check(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
