//! Rendering symbol tables as `llvm-nm` prints them.
//!
//! BSD (the default) and POSIX (`-P`) output follow llvm-nm's
//! `printSymbolList`: a `\nNAME:\n` label before each archive member and,
//! when several files are given, before each plain object; addresses in
//! 16 (or 8) hex digits, blanks for undefined symbols and dashes for
//! bitcode definitions. JSON gives one record per symbol.

use super::{FileSymbols, InputKind, ObjectFormat, SymbolTable};
use serde::Serialize;

/// Output format of `modver symbols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NmFormat {
    /// `llvm-nm` default output.
    #[default]
    Bsd,
    /// `llvm-nm -P`.
    Posix,
    /// One JSON object per symbol, one per line.
    Json,
}

/// One symbol with where it came from, for JSON output.
#[derive(Serialize)]
struct JsonRecord<'a> {
    file: &'a str,
    member: Option<&'a str>,
    format: ObjectFormat,
    name: &'a str,
    #[serde(rename = "type")]
    kind: char,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

/// Renders `files` in `format` (llvm-nm's `printSymbolList`). `multiple` is true when more than one file
/// was named on the command line (llvm-nm then labels every object).
pub fn render(files: &[FileSymbols], format: NmFormat, multiple: bool) -> String {
    let mut out = Vec::new();
    for f in files {
        render_into(&mut out, f, format, multiple);
    }
    // Every piece pushed is a `str` or ASCII.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`render`] of one file, appended to `out` as bytes.
pub fn render_into(out: &mut Vec<u8>, f: &FileSymbols, format: NmFormat, multiple: bool) {
    for t in &f.tables {
        if format == NmFormat::Json {
            render_json(out, f, t);
            continue;
        }
        let label = match (&t.member, f.kind) {
            (Some(m), InputKind::Archive | InputKind::ThinArchive) => Some(m.as_str()),
            _ if multiple => Some(f.path.as_str()),
            _ => None,
        };
        if let Some(l) = label {
            out.push(b'\n');
            out.extend_from_slice(l.as_bytes());
            out.extend_from_slice(b":\n");
        }
        render_table(out, t, format);
    }
}

/// Appends `v` in lower-case hex, zero-padded to `width` digits.
fn push_hex(out: &mut Vec<u8>, v: u64, width: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    let digits = buf.len() - i;
    out.extend(std::iter::repeat(b'0').take(width.saturating_sub(digits)));
    out.extend_from_slice(&buf[i..]);
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

fn render_table(out: &mut Vec<u8>, t: &SymbolTable, format: NmFormat) {
    let w = if t.is_64 { 16 } else { 8 };
    // Room for every line (name, address, letter, separators): one
    // allocation instead of repeated growth.
    out.reserve(t.symbols.iter().map(|s| s.name.len() + 2 * w + 4).sum());
    for s in t.symbols.iter() {
        let defined = !s.is_undefined();
        match format {
            NmFormat::Posix => {
                out.extend_from_slice(s.name.as_bytes());
                out.push(b' ');
                push_char(out, s.kind);
                out.push(b' ');
                if defined && t.format == ObjectFormat::Bitcode {
                    out.extend(std::iter::repeat(b'-').take(w));
                } else {
                    push_hex(out, s.address, 0);
                }
                out.push(b' ');
                push_hex(out, s.size, 0);
                out.push(b'\n');
            }
            _ => {
                if !defined {
                    out.extend(std::iter::repeat(b' ').take(w));
                } else if t.format == ObjectFormat::Bitcode {
                    out.extend(std::iter::repeat(b'-').take(w));
                } else {
                    push_hex(out, s.address, w);
                }
                out.push(b' ');
                push_char(out, s.kind);
                out.push(b' ');
                out.extend_from_slice(s.name.as_bytes());
                out.push(b'\n');
            }
        }
    }
}

fn render_json(out: &mut Vec<u8>, f: &FileSymbols, t: &SymbolTable) {
    for s in t.symbols.iter() {
        let elf = t.format == ObjectFormat::Elf;
        let rec = JsonRecord {
            file: &f.path,
            member: t.member.as_deref(),
            format: t.format,
            name: &s.name,
            kind: s.kind,
            address: elf.then_some(s.address),
            size: elf.then_some(s.size),
        };
        let _ = serde_json::to_writer(&mut *out, &rec);
        out.push(b'\n');
    }
}
