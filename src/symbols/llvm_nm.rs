//! Finding and running `llvm-nm` for LLVM bitcode, and parsing its output.
//!
//! `llvm-nm` is found the way kbuild would pick it: `--nm`; `$NM` when it
//! names an llvm-nm; `$LLVM` as in the top Makefile (`LLVM=1`, `LLVM=-14`,
//! `LLVM=/usr/lib/llvm-14/bin/`); `llvm-nm` on `PATH`; the newest
//! `llvm-nm-NN` on `PATH`.
//!
//! The default (BSD) output is parsed: for bitcode it carries everything
//! there is (letter, name, and through the width of the dash/blank column
//! whether the target is 64-bit; addresses and sizes are always 0).

use super::{FileSymbols, ReadOptions, Symbol};
use crate::error::{Error, Position, Result};
use nom::{
    bytes::complete::take,
    character::complete::{anychar, char as ch},
    combinator::{all_consuming, map, rest, verify},
    sequence::tuple,
    IResult,
};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An `llvm-nm` executable modver will run.
#[derive(Debug, Clone)]
pub struct LlvmNm {
    /// The executable (a path, or a bare name looked up on `PATH`).
    pub path: PathBuf,
}

/// The symbol table llvm-nm printed for one bitcode file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmTable {
    /// Whether the address column was 16 characters wide.
    pub is_64: bool,
    /// False when llvm-nm listed nothing for the file.
    pub has_symtab: bool,
    /// The symbols in llvm-nm's order.
    pub symbols: Vec<Symbol>,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn resolve(candidate: &Path) -> Option<PathBuf> {
    if candidate.components().count() > 1 {
        is_executable(candidate).then(|| candidate.to_path_buf())
    } else {
        on_path(candidate.to_str()?)
    }
}

/// The llvm-nm name kbuild derives from `$LLVM` (the top Makefile's
/// `NM = $(LLVM_PREFIX)llvm-nm$(LLVM_SUFFIX)`).
pub fn from_llvm_var(llvm: &str) -> Option<PathBuf> {
    if llvm.is_empty() || llvm == "0" {
        None
    } else if llvm.ends_with('/') {
        Some(Path::new(llvm).join("llvm-nm"))
    } else if llvm.starts_with('-') {
        Some(PathBuf::from(format!("llvm-nm{llvm}")))
    } else {
        Some(PathBuf::from("llvm-nm"))
    }
}

/// The newest `llvm-nm-NN` on `PATH`.
fn newest_versioned() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let mut best: Option<(u32, PathBuf)> = None;
    for dir in std::env::split_paths(&path) {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let Some(v) = name
                .to_str()
                .and_then(|n| n.strip_prefix("llvm-nm-"))
                .and_then(|v| v.parse::<u32>().ok())
            else {
                continue;
            };
            if is_executable(&e.path()) && best.as_ref().map_or(true, |(b, _)| v > *b) {
                best = Some((v, e.path()));
            }
        }
    }
    best.map(|(_, p)| p)
}

/// Finds llvm-nm; the error lists everything that was tried.
pub fn locate(explicit: Option<&Path>) -> Result<LlvmNm> {
    let mut tried = Vec::new();
    if let Some(p) = explicit {
        return match resolve(p) {
            Some(path) => Ok(LlvmNm { path }),
            None => Err(Error::Tool {
                tool: "llvm-nm".into(),
                message: format!("--nm {}: not an executable", p.display()),
            }),
        };
    }
    if let Some(nm) = std::env::var_os("NM") {
        let p = PathBuf::from(&nm);
        let is_llvm = p
            .file_name()
            .and_then(OsStr::to_str)
            .is_some_and(|n| n.contains("llvm-nm"));
        if is_llvm {
            if let Some(path) = resolve(&p) {
                return Ok(LlvmNm { path });
            }
            tried.push(format!("$NM={}", p.display()));
        } else {
            tried.push(format!("$NM={} (not llvm-nm)", p.display()));
        }
    }
    if let Some(llvm) = std::env::var("LLVM").ok().and_then(|l| from_llvm_var(&l)) {
        if let Some(path) = resolve(&llvm) {
            return Ok(LlvmNm { path });
        }
        tried.push(format!("$LLVM -> {}", llvm.display()));
    }
    if let Some(path) = on_path("llvm-nm") {
        return Ok(LlvmNm { path });
    }
    tried.push("llvm-nm on PATH".into());
    if let Some(path) = newest_versioned() {
        return Ok(LlvmNm { path });
    }
    tried.push("llvm-nm-NN on PATH".into());
    Err(Error::Tool {
        tool: "llvm-nm".into(),
        message: format!(
            "not found (tried {}); install llvm (e.g. apt-get install llvm-14) or pass --nm",
            tried.join(", ")
        ),
    })
}

impl LlvmNm {
    /// Runs llvm-nm once over `files` and returns each file's table, or the
    /// message llvm-nm gave for it. A failing batch is retried file by file
    /// so that each error lands on the right file.
    pub fn symbol_tables(&self, files: &[&Path]) -> Vec<std::result::Result<NmTable, String>> {
        match self.run(files) {
            Ok(out) => match split_output(&out, files) {
                Some(v) => v,
                None => files.iter().map(|f| self.one(f)).collect(),
            },
            Err(_) if files.len() > 1 => files.iter().map(|f| self.one(f)).collect(),
            Err(msg) => vec![Err(msg)],
        }
    }

    fn one(&self, file: &Path) -> std::result::Result<NmTable, String> {
        let out = self.run(&[file])?;
        split_output(&out, &[file])
            .and_then(|mut v| v.pop())
            .unwrap_or_else(|| Err(format!("cannot parse {} output", self.path.display())))
    }

    fn run(&self, files: &[&Path]) -> std::result::Result<String, String> {
        let out = Command::new(&self.path)
            .args(files)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.path.display()))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let msg = stderr
                .lines()
                .find(|l| l.contains("error:"))
                .map(|l| l.split_once("error: ").map_or(l, |(_, m)| m))
                .unwrap_or("failed")
                .trim()
                .to_string();
            return Err(format!("{} failed: {msg}", self.path.display()));
        }
        String::from_utf8(out.stdout).map_err(|_| "llvm-nm printed invalid UTF-8".to_string())
    }
}

/// Splits the output of `llvm-nm FILE...` (BSD format, bitcode inputs)
/// into per-file tables; `None` if it does not have the expected shape.
pub fn split_output(
    out: &str,
    files: &[&Path],
) -> Option<Vec<std::result::Result<NmTable, String>>> {
    let mut lines = out.lines().peekable();
    let mut tables = Vec::with_capacity(files.len());
    for f in files {
        if files.len() > 1 {
            // "\n<path>:\n"
            if !lines.next()?.is_empty() || lines.next()? != format!("{}:", f.display()) {
                return None;
            }
        }
        let mut symbols = Vec::new();
        let mut width = None;
        while let Some(&line) = lines.peek() {
            if line.is_empty() {
                // Either the separator before the next file's header or the end.
                break;
            }
            let (w, sym) = parse_bsd_line(line).ok()?.1;
            if *width.get_or_insert(w) != w {
                return None;
            }
            symbols.push(sym);
            lines.next();
        }
        tables.push(Ok(NmTable {
            is_64: width != Some(8),
            has_symtab: !symbols.is_empty(),
            symbols,
        }));
    }
    lines.next().is_none().then_some(tables)
}

/// Parses one line of llvm-nm's BSD output for an IR object:
/// `<16 or 8 dashes or blanks> <letter> <name>`. Returns the column width.
pub fn parse_bsd_line(line: &str) -> IResult<&str, (usize, Symbol)> {
    fn column(w: usize) -> impl Fn(&str) -> IResult<&str, &str> {
        move |i| {
            verify(take(w), |s: &str| {
                s.bytes().all(|b| b == b'-') || s.bytes().all(|b| b == b' ')
            })(i)
        }
    }
    fn field(w: usize) -> impl Fn(&str) -> IResult<&str, (usize, Symbol)> {
        move |i| {
            map(
                all_consuming(tuple((column(w), ch(' '), anychar, ch(' '), rest))),
                move |(_, _, kind, _, name): (&str, char, char, char, &str)| {
                    (
                        w,
                        Symbol {
                            name: name.to_string(),
                            kind,
                            address: 0,
                            size: 0,
                        },
                    )
                },
            )(i)
        }
    }
    // 64-bit first: a 32-bit line never has 16 identical fill characters
    // followed by " X ".
    nom::branch::alt((field(16), field(8)))(line)
}

/// A bitcode object whose table is still to be filled in by llvm-nm.
pub(super) struct PendingBitcode {
    /// Index of the input file.
    pub(super) file: usize,
    /// Index of the table in that file.
    pub(super) table: usize,
    /// The object on disk, for llvm-nm to read.
    pub(super) disk_path: PathBuf,
    /// How the object is named in errors.
    pub(super) display: String,
}

/// Runs llvm-nm once over every pending bitcode object and puts its
/// tables in place; a file whose object llvm-nm cannot read (or when there
/// is no llvm-nm) becomes an error.
pub(super) fn fill_bitcode(
    out: &mut [Result<FileSymbols>],
    pending: Vec<PendingBitcode>,
    opts: &ReadOptions,
) {
    if pending.is_empty() {
        return;
    }
    let tool = match locate(opts.nm.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            let msg = e.to_string();
            for p in &pending {
                if out[p.file].is_ok() {
                    out[p.file] = Err(Error::Tool {
                        tool: "llvm-nm".into(),
                        message: format!("{}: needed for LLVM bitcode: {msg}", p.display),
                    });
                }
            }
            return;
        }
    };
    let paths: Vec<&Path> = pending.iter().map(|p| p.disk_path.as_path()).collect();
    let results = tool.symbol_tables(&paths);
    for (p, r) in pending.iter().zip(results) {
        let Ok(fs) = &mut out[p.file] else { continue };
        match r {
            Ok(t) => {
                let slot = &mut fs.tables[p.table];
                slot.is_64 = t.is_64;
                slot.has_symtab = t.has_symtab;
                slot.symbols = t.symbols.into();
            }
            Err(msg) => {
                out[p.file] = Err(Error::malformed(p.display.clone(), Position::File, msg));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bsd_lines_of_both_widths() {
        let (_, (w, s)) = parse_bsd_line("---------------- T a_fn").unwrap();
        assert_eq!((w, s.kind, s.name.as_str()), (16, 'T', "a_fn"));
        let (_, (w, s)) = parse_bsd_line("                 U ext fn").unwrap();
        assert_eq!((w, s.kind, s.name.as_str()), (16, 'U', "ext fn"));
        let (_, (w, s)) = parse_bsd_line("         U x").unwrap();
        assert_eq!((w, s.kind, s.name.as_str()), (8, 'U', "x"));
        let (_, (w, _)) = parse_bsd_line("-------- d y").unwrap();
        assert_eq!(w, 8);
        assert!(parse_bsd_line("0000000000000000 T elf").is_err());
        assert!(parse_bsd_line("garbage").is_err());
    }

    #[test]
    fn llvm_variable_like_kbuild() {
        assert_eq!(from_llvm_var("1").unwrap(), PathBuf::from("llvm-nm"));
        assert_eq!(from_llvm_var("-14").unwrap(), PathBuf::from("llvm-nm-14"));
        assert_eq!(
            from_llvm_var("/usr/lib/llvm-14/bin/").unwrap(),
            PathBuf::from("/usr/lib/llvm-14/bin/llvm-nm")
        );
        assert!(from_llvm_var("").is_none());
    }

    #[test]
    fn splits_multi_file_output() {
        let out = "\na.o:\n---------------- T f\n\nb.o:\n                 U f\n";
        let v = split_output(out, &[Path::new("a.o"), Path::new("b.o")]).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].as_ref().unwrap().symbols[0].kind, 'U');
        assert!(split_output(out, &[Path::new("a.o"), Path::new("c.o")]).is_none());
    }
}
