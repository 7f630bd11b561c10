//! Rendering symbol tables as `llvm-nm` prints them.
//!
//! BSD (the default) and POSIX (`-P`) output follow llvm-nm's
//! `printSymbolList`: a `\nNAME:\n` label before each archive member and,
//! when several files are given, before each plain object; addresses in
//! 16 (or 8) hex digits, blanks for undefined symbols and dashes for
//! bitcode definitions. JSON gives one record per symbol.

use super::{FileSymbols, InputKind, ObjectFormat, SymbolTable};
use serde::Serialize;
use std::fmt::Write;

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
    let mut out = String::new();
    for f in files {
        for t in &f.tables {
            if format == NmFormat::Json {
                render_json(&mut out, f, t);
                continue;
            }
            match (&t.member, f.kind) {
                (Some(m), InputKind::Archive | InputKind::ThinArchive) => {
                    let _ = write!(out, "\n{m}:\n");
                }
                _ if multiple => {
                    let _ = write!(out, "\n{}:\n", f.path);
                }
                _ => {}
            }
            render_table(&mut out, t, format);
        }
    }
    out
}

fn render_table(out: &mut String, t: &SymbolTable, format: NmFormat) {
    let w = if t.is_64 { 16 } else { 8 };
    for s in &t.symbols {
        let defined = !s.is_undefined();
        match format {
            NmFormat::Posix => {
                out.push_str(&s.name);
                out.push(' ');
                out.push(s.kind);
                out.push(' ');
                if defined && t.format == ObjectFormat::Bitcode {
                    out.extend(std::iter::repeat('-').take(w));
                } else {
                    let _ = write!(out, "{:x}", s.address);
                }
                let _ = writeln!(out, " {:x}", s.size);
            }
            _ => {
                if !defined {
                    out.extend(std::iter::repeat(' ').take(w));
                } else if t.format == ObjectFormat::Bitcode {
                    out.extend(std::iter::repeat('-').take(w));
                } else {
                    let _ = write!(out, "{:0w$x}", s.address, w = w);
                }
                let _ = writeln!(out, " {} {}", s.kind, s.name);
            }
        }
    }
}

fn render_json(out: &mut String, f: &FileSymbols, t: &SymbolTable) {
    for s in &t.symbols {
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
        out.push_str(&serde_json::to_string(&rec).expect("plain record serializes"));
        out.push('\n');
    }
}
