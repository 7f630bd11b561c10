//! Export CRCs on their way from genksyms to the final link of an LTO
//! kernel (`.symversions` files up to 5.18, `#SYMVER` lines in `.cmd` files
//! from 5.19) — not to be confused with [`crate::symvers`] (the exporters'
//! `Module.symvers`) or [`crate::modversions`] (a module's imports).
//!
//! * 5.12–5.18: genksyms writes `__crc_NAME = 0x%08lx;` lines to
//!   `foo.o.symversions`; kbuild concatenates them with `cat` per thin
//!   archive or multi-object module (`cmd_update_lto_symversions`, skipping
//!   objects without the file) and into `.tmp_symversions.lds` for vmlinux
//!   (`link-vmlinux.sh`), passed to `ld -r -T`. [`merge`] does the same and
//!   checks every line.
//! * 5.19+: genksyms' `#SYMVER NAME 0x%08lx` lines are appended to
//!   `dir/.foo.o.cmd`, and modpost (`extract_crcs_for_object`) reads them
//!   back. [`parse_cmd`] applies exactly modpost's rule.
//!
//! In both layouts [`exports_without_crc`] cross-checks against the exports of
//! the objects, so an export without a CRC (which the kernel would accept
//! with CRC 0 or leave unversioned) cannot pass unnoticed.

use crate::error::{Error, Position, Result};
use crate::kver::KernelVersion;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One `__crc_NAME = 0x...;` line of a `.symversions` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymversionLine {
    /// The exported symbol.
    pub name: String,
    /// Its CRC.
    pub crc: u32,
    /// The line as written, without newline.
    pub text: String,
    /// The file it came from.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
}

fn at(file: &str, line: usize, column: usize, msg: impl Into<String>) -> Error {
    Error::malformed(file, Position::Line { line, column }, msg)
}

/// Parses one line as genksyms writes it: `__crc_NAME = 0xHEX;` (older
/// genksyms put a space before the `;`, which is accepted too).
fn parse_symversion(file: &str, line_no: usize, text: &str) -> Result<SymversionLine> {
    const EXPECT: &str = "expected '__crc_NAME = 0xXXXXXXXX;'";
    let rest = text
        .strip_prefix("__crc_")
        .ok_or_else(|| at(file, line_no, 1, EXPECT))?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let mut col = 7 + name_len;
    if name.is_empty() {
        return Err(at(file, line_no, col, format!("{EXPECT}: no symbol name")));
    }
    let rest = &rest[name_len..];
    let rest = rest.strip_prefix(" = 0x").ok_or_else(|| {
        at(
            file,
            line_no,
            col,
            format!("{EXPECT}: expected ' = 0x' after the name"),
        )
    })?;
    col += 5;
    let hex_len = rest
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(rest.len());
    if hex_len == 0 || hex_len > 8 {
        return Err(at(
            file,
            line_no,
            col,
            format!("{EXPECT}: expected 1 to 8 hex digits"),
        ));
    }
    let crc = u32::from_str_radix(&rest[..hex_len], 16)
        .map_err(|_| at(file, line_no, col, format!("{EXPECT}: bad hex number")))?;
    col += hex_len;
    let tail = &rest[hex_len..];
    if tail != ";" && tail != " ;" {
        return Err(at(
            file,
            line_no,
            col,
            format!("{EXPECT}: expected ';' and the end of the line"),
        ));
    }
    Ok(SymversionLine {
        name: name.to_string(),
        crc,
        text: text.to_string(),
        file: file.to_string(),
        line: line_no,
    })
}

/// Parses the text of one `.symversions` file. Every line must be an
/// assignment and the file must end with a newline (else `cat` would glue
/// its last line to the next file's first).
pub fn parse_symversions(file: &str, text: &str) -> Result<Vec<SymversionLine>> {
    let mut out = Vec::new();
    if text.is_empty() {
        return Ok(out);
    }
    let body = text.strip_suffix('\n').ok_or_else(|| {
        let line = text.matches('\n').count() + 1;
        let column = text.len() - text.rfind('\n').map_or(0, |p| p + 1) + 1;
        at(
            file,
            line,
            column,
            "expected a newline at the end of the file",
        )
    })?;
    for (i, l) in body.split('\n').enumerate() {
        out.push(parse_symversion(file, i + 1, l)?);
    }
    Ok(out)
}

/// The result of merging `.symversions` files.
#[derive(Debug, Clone, Default)]
pub struct MergedSymversions {
    /// Every line, in input order (as `cat` concatenates them).
    pub lines: Vec<SymversionLine>,
    /// Inputs that did not exist (skipped, as kbuild does).
    pub missing_inputs: Vec<PathBuf>,
}

impl MergedSymversions {
    /// The merged linker script: every line, each with a newline, which is
    /// byte for byte what kbuild's `cat` writes.
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(self.lines.len() * 48);
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }

    /// Writes [`render`](Self::render) to `output` atomically, as kbuild's
    /// `rm -f $@; cat ... >> $@` leaves it: with no lines, no file at all.
    pub fn write_to(&self, output: &Path) -> Result<()> {
        if self.lines.is_empty() {
            crate::output::remove_if_exists(output)
        } else {
            crate::output::write_atomic(output, self.render().as_bytes())
        }
    }

    /// symbol -> CRC.
    pub fn crcs(&self) -> HashMap<&str, u32> {
        self.lines
            .iter()
            .map(|l| (l.name.as_str(), l.crc))
            .collect()
    }
}

/// Concatenates `.symversions` files in order, as kbuild does: inputs that
/// do not exist are skipped (objects without exports have none). Every
/// line is validated; a line repeating an earlier one exactly is kept, as
/// `cat` keeps it (the linker accepts the same assignment twice); two
/// different CRCs for one symbol are an error naming both places.
pub fn merge(inputs: &[PathBuf]) -> Result<MergedSymversions> {
    let mut merged = MergedSymversions::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in inputs {
        let data = match std::fs::read(p) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                merged.missing_inputs.push(p.clone());
                continue;
            }
            Err(e) => return Err(Error::io(p, e)),
        };
        let display = p.display().to_string();
        let text = std::str::from_utf8(&data).map_err(|e| {
            let good = &data[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            at(&display, line, 1, "invalid UTF-8: expected text")
        })?;
        for l in parse_symversions(&display, text)? {
            match seen.get(&l.name) {
                Some(&i) => {
                    let first = &merged.lines[i];
                    if first.crc != l.crc {
                        return Err(Error::Check(format!(
                            "conflicting CRCs for {}: 0x{:08x} at {}:{} and 0x{:08x} at {}:{}",
                            l.name, first.crc, first.file, first.line, l.crc, l.file, l.line
                        )));
                    }
                    // Same symbol and CRC: harmless, kept as cat keeps it.
                    merged.lines.push(l);
                }
                None => {
                    seen.insert(l.name.clone(), merged.lines.len());
                    merged.lines.push(l);
                }
            }
        }
    }
    Ok(merged)
}

/// The `.symversions` file kbuild (5.12–5.18) keeps next to `object`:
/// `foo.o.symversions` for `foo.o`, `built-in.a.symversions` for
/// `built-in.a`.
pub fn symversions_file_for(object: &Path) -> PathBuf {
    let mut s = object.as_os_str().to_owned();
    s.push(".symversions");
    PathBuf::from(s)
}

/// The symbols `__crc_NAME` that `path` (an object or every member of an
/// archive) defines itself, as names without the prefix. In 5.12–5.18 LTO
/// kernels assembler objects are ELF and get their CRCs linked in
/// (`cmd_modversions_S`), so their exports have a CRC without any
/// `.symversions` file.
pub fn crcs_defined_in(
    path: &Path,
    opts: &crate::symbols::ReadOptions,
) -> Result<std::collections::HashSet<String>> {
    let fs = crate::symbols::read_file(path, opts)?;
    Ok(fs
        .tables
        .iter()
        .flat_map(|t| t.symbols.iter())
        .filter(|s| !s.is_undefined())
        .filter_map(|s| s.name.strip_prefix("__crc_"))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect())
}

/// A CRC found in a `.cmd` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdCrc {
    /// The symbol.
    pub name: String,
    /// The CRC as modpost stores it (`unsigned int`).
    pub crc: u32,
}

/// The `.cmd` file modpost reads for `object`, built on the bytes of the
/// path as that kernel's `extract_crcs_for_object` does, with
/// `get_basename` (everything after the last `/`):
/// - 5.19–7.1: `"%.*s.%s.cmd"`, `dir/.base.cmd`;
/// - 7.2 (distributed ThinLTO, `CONFIG_LTO_CLANG_THIN_DIST`): vmlinux's
///   objects are `foo.thinlto-native.o`, but their CRCs stay in the
///   `.foo.o.cmd` of the bitcode object. modpost drops the last two bytes
///   of the name (`.o`, whatever they are) and, after a
///   `.thinlto-native.o` suffix, 15 more, then appends `.o.cmd`:
///   `dir/.stem.o.cmd`. A name shorter than two bytes gives C's negative
///   `%.*s` precision, which prints the whole name.
///
/// Unlike [`Path::file_name`] this keeps a trailing `.` or `..` and repeated
/// slashes, so the file named is exactly modpost's.
pub fn cmd_file_for(object: &Path, kernel: KernelVersion) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let bytes = object.as_os_str().as_bytes();
    let dirlen = bytes.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    let base = &bytes[dirlen..];
    let mut cmd = Vec::with_capacity(bytes.len() + 7);
    cmd.extend_from_slice(&bytes[..dirlen]);
    cmd.push(b'.');
    if kernel.at_least(7, 2) {
        let mut keep = base.len() as isize - 2;
        if bytes.ends_with(THINLTO_NATIVE_SUFFIX) {
            keep -= (THINLTO_NATIVE_SUFFIX.len() - 2) as isize;
        }
        let stem = usize::try_from(keep).map_or(base, |n| &base[..n]);
        cmd.extend_from_slice(stem);
        cmd.extend_from_slice(b".o.cmd");
    } else {
        cmd.extend_from_slice(base);
        cmd.extend_from_slice(b".cmd");
    }
    PathBuf::from(std::ffi::OsString::from_vec(cmd))
}

/// The suffix of the native objects 7.2's distributed ThinLTO makes from
/// vmlinux's bitcode (`scripts/Makefile.thinlto`: `foo.o` →
/// `foo.thinlto-native.o`).
pub const THINLTO_NATIVE_SUFFIX: &[u8] = b".thinlto-native.o";

/// C's `strtoul(p, &end, 0)` on a string starting with a digit, truncated to
/// `unsigned int` as modpost assigns it: returns the value and the number of
/// bytes consumed. Overflow saturates at `ULONG_MAX` (64-bit) as strtoul does.
fn strtoul0(s: &[u8]) -> (u32, usize) {
    let (radix, start) = match s {
        [b'0', b'x' | b'X', c, ..] if c.is_ascii_hexdigit() => (16u64, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let mut v: u64 = 0;
    let mut overflow = false;
    let mut i = start;
    while let Some(&c) = s.get(i) {
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'f' => u64::from(c - b'a' + 10),
            b'A'..=b'F' => u64::from(c - b'A' + 10),
            _ => break,
        };
        if d >= radix {
            break;
        }
        match v.checked_mul(radix).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    let v = if overflow { u64::MAX } else { v };
    (v as u32, i)
}

/// Extracts the CRCs of a `.cmd` file exactly as modpost's
/// `extract_crcs_for_object` (6.1, unchanged through 7.1.5) does: each occurrence of
/// `"\n#SYMVER "`, the name up to the next space (wherever it is), then a
/// number that must start with a digit, parsed as `strtoul(.., 0)`, and be
/// followed directly by `\n`; anything else skips that occurrence. Later
/// lines for a symbol override earlier ones (modpost's `sym_set_crc`).
pub fn parse_cmd(data: &[u8]) -> Vec<CmdCrc> {
    const KEY: &[u8] = b"\n#SYMVER ";
    let mut out: Vec<CmdCrc> = Vec::new();
    // modpost works on a C string: stop at the first NUL.
    let data = &data[..data.iter().position(|&b| b == 0).unwrap_or(data.len())];
    let mut p = 0;
    while let Some(off) = find(&data[p..], KEY) {
        let name_start = p + off + KEY.len();
        let Some(sp) = data[name_start..].iter().position(|&b| b == b' ') else {
            break;
        };
        let name = &data[name_start..name_start + sp];
        p = name_start + sp + 1;
        if !data.get(p).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let (crc, used) = strtoul0(&data[p..]);
        p += used;
        if data.get(p) != Some(&b'\n') {
            continue;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        match out.iter_mut().find(|c| c.name == name) {
            Some(c) => c.crc = crc,
            None => out.push(CmdCrc { name, crc }),
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads the `.cmd` file of `object` (named for `kernel`, [`cmd_file_for`])
/// and extracts its CRCs.
pub fn read_cmd_crcs(object: &Path, kernel: KernelVersion) -> Result<Vec<CmdCrc>> {
    let cmd = cmd_file_for(object, kernel);
    let data = std::fs::read(&cmd).map_err(|e| Error::io(&cmd, e))?;
    Ok(parse_cmd(&data))
}

/// An exported symbol for which no CRC was collected: what kbuild's shell
/// pipeline let through as CRC 0 (the `$(wildcard)` bug of 5.12/5.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCrc {
    /// The exported symbol.
    pub symbol: String,
    /// The object that exports it.
    pub object: String,
}

impl std::fmt::Display for MissingCrc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no CRC for exported symbol {} of {}",
            self.symbol, self.object
        )
    }
}

/// The CRCs of one object as modpost (5.19+) reads them from its `.cmd` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectCmdCrcs {
    /// The object, as given.
    pub object: PathBuf,
    /// Its `#SYMVER` CRCs ([`read_cmd_crcs`]).
    pub crcs: Vec<CmdCrc>,
}

/// What modpost (5.19+) collects for a set of objects: their `.cmd` CRCs,
/// and the exports left without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdCrcs {
    /// Per object, in the order given.
    pub objects: Vec<ObjectCmdCrcs>,
    /// Exports of those objects without a `#SYMVER` line.
    pub missing: Vec<MissingCrc>,
}

impl CmdCrcs {
    /// `OBJECT<TAB>SYMBOL<TAB>0xCRC` per CRC, objects in order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for o in &self.objects {
            for c in &o.crcs {
                out.push_str(&format!(
                    "{}\t{}\t0x{:08x}\n",
                    o.object.display(),
                    c.name,
                    c.crc
                ));
            }
        }
        out
    }
}

/// Reads the `#SYMVER` CRCs of each of `objects` (modpost's
/// `extract_crcs_for_object`) and cross-checks them against the exports
/// of the objects ([`exports_without_crc`]). Only kernels from 5.19 have
/// this layout; earlier ones collect `.symversions` files ([`merge`]).
pub fn cmd_crcs(
    objects: &[PathBuf],
    kernel: KernelVersion,
    opts: &crate::symbols::ReadOptions,
) -> Result<CmdCrcs> {
    if !kernel.at_least(5, 19) {
        return Err(Error::Unsupported(format!(
            "kernel {kernel}: #SYMVER lines in .cmd files exist from 5.19; use 'symversions merge'"
        )));
    }
    let objects = objects
        .iter()
        .map(|o| {
            Ok(ObjectCmdCrcs {
                object: o.clone(),
                crcs: read_cmd_crcs(o, kernel)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let paths: Vec<PathBuf> = objects.iter().map(|o| o.object.clone()).collect();
    let crcs_of: HashMap<&Path, &[CmdCrc]> = objects
        .iter()
        .map(|o| (o.object.as_path(), o.crcs.as_slice()))
        .collect();
    let missing = exports_without_crc(&paths, kernel, opts, |o, n| {
        Ok(crcs_of
            .get(o)
            .is_some_and(|v| v.iter().any(|c| c.name == n)))
    })?;
    Ok(CmdCrcs { objects, missing })
}

/// The cross-check of `symversions merge --objects` and `symversions cmd`:
/// every symbol `objects` export (read for `kernel`) must have a CRC, as
/// `has_crc(object, symbol)` tells.
pub fn exports_without_crc(
    objects: &[PathBuf],
    kernel: KernelVersion,
    opts: &crate::symbols::ReadOptions,
    mut has_crc: impl FnMut(&Path, &str) -> Result<bool>,
) -> Result<Vec<MissingCrc>> {
    let mut missing = Vec::new();
    for o in objects {
        for e in crate::exports::read_object_exports(o, kernel, opts)? {
            if !has_crc(o, &e.name)? {
                missing.push(MissingCrc {
                    symbol: e.name.clone(),
                    object: o.display().to_string(),
                });
            }
        }
    }
    Ok(missing)
}

/// The cross-check of `symversions merge --objects` (5.12–5.18): every
/// export of `objects` must have a CRC in `merged`, or, for an assembler
/// object (ELF, CRCs linked in by `cmd_modversions_S`), a `__crc_NAME` of
/// its own. An object's own symbols are read only when `merged` lacks one
/// of its exports.
pub fn merged_exports_without_crc(
    objects: &[PathBuf],
    merged: &MergedSymversions,
    opts: &crate::symbols::ReadOptions,
) -> Result<Vec<MissingCrc>> {
    // This layout exists only in 5.12-5.18: exports are __ksymtab_ labels.
    let kernel = crate::kver::KernelVersion::new(5, 18)?;
    let crcs = merged.crcs();
    let mut own: Option<(PathBuf, std::collections::HashSet<String>)> = None;
    exports_without_crc(objects, kernel, opts, |o, n| {
        if crcs.contains_key(n) {
            return Ok(true);
        }
        if own.as_ref().map(|(p, _)| p.as_path()) != Some(o) {
            own = Some((o.to_path_buf(), crcs_defined_in(o, opts)?));
        }
        Ok(own.as_ref().is_some_and(|(_, set)| set.contains(n)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmd_file_is_modposts() {
        let v71 = KernelVersion::new(7, 1).unwrap();
        let c = |o: &str| cmd_file_for(Path::new(o), v71).display().to_string();
        assert_eq!(c("foo.o"), ".foo.o.cmd");
        assert_eq!(c("./foo.o"), "./.foo.o.cmd");
        assert_eq!(c("drivers/net/foo.o"), "drivers/net/.foo.o.cmd");
        // get_basename: after the last '/', with nothing normalised away.
        assert_eq!(c("a//foo.o"), "a//.foo.o.cmd");
        assert_eq!(c("a/b/."), "a/b/...cmd");
        assert_eq!(c("a/.."), "a/....cmd");
        assert_eq!(c("dir/"), "dir/..cmd");
        // Before 7.2 a native object would be looked up under its own name.
        assert_eq!(c("a/b.thinlto-native.o"), "a/.b.thinlto-native.o.cmd");
    }

    #[test]
    fn cmd_file_is_72_modposts() {
        let v72 = KernelVersion::new(7, 2).unwrap();
        let c = |o: &str| cmd_file_for(Path::new(o), v72).display().to_string();
        assert_eq!(c("foo.o"), ".foo.o.cmd");
        assert_eq!(c("kernel/fork.thinlto-native.o"), "kernel/.fork.o.cmd");
        assert_eq!(c("./a//b.thinlto-native.o"), "./a//.b.o.cmd");
        // Only the whole suffix counts; the last two bytes go regardless.
        assert_eq!(c("x.thinlto-native.oo"), ".x.thinlto-native..o.cmd");
        assert_eq!(c("lib/foo.a"), "lib/.foo.o.cmd");
        assert_eq!(c(".thinlto-native.o"), "..o.cmd");
        assert_eq!(c("d/thinlto-native.o"), "d/.thinlto-native.o.cmd");
        // Names shorter than ".o": C prints the whole name.
        assert_eq!(c("d/x"), "d/.x.o.cmd");
        assert_eq!(c("d/"), "d/..o.cmd");
        assert_eq!(c("xy"), "..o.cmd");
    }

    #[test]
    fn symversion_lines() {
        let l = parse_symversions("f", "__crc_foo = 0x0badf00d;\n__crc_b = 0x1 ;\n").unwrap();
        assert_eq!(l[0].crc, 0x0badf00d);
        assert_eq!(l[1].name, "b");
        let e = parse_symversions("f", "__crc_foo = 0x0badf00d;\nfoo = 1;\n").unwrap_err();
        assert!(e.to_string().starts_with("f:2:1: "), "{e}");
        let e = parse_symversions("f", "__crc_foo = 0x0badf00d").unwrap_err();
        assert!(
            e.to_string().starts_with("f:1:23: expected a newline"),
            "{e}"
        );
        let e = parse_symversions("f", "__crc_foo = 0xzz;\n").unwrap_err();
        assert!(e.to_string().starts_with("f:1:15: "), "{e}");
    }

    #[test]
    fn modpost_rule() {
        let got = parse_cmd(
            b"cmd := x\n#SYMVER a 0x0000000a\n#SYMVER b 0x1b\n#SYMVER c 12x\n#SYMVER d 017\n\
              #SYMVER e x1\n#SYMVER a 0x00000005\n#SYMVER f 0x10",
        );
        let got: Vec<(String, u32)> = got.into_iter().map(|c| (c.name, c.crc)).collect();
        assert_eq!(
            got,
            vec![("a".into(), 5), ("b".into(), 0x1b), ("d".into(), 0o17)]
        );
        assert_eq!(parse_cmd(b"#SYMVER first 0x1\n"), vec![]);
        assert_eq!(strtoul0(b"0x"), (0, 1));
        assert_eq!(strtoul0(b"99999999999999999999999\n").0, u32::MAX);
        assert_eq!(strtoul0(b"0x123456789\n").0, 0x23456789);
    }
}
