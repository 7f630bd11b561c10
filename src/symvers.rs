//! `Module.symvers`, the *export* CRCs: every export of vmlinux and the
//! modules with its CRC, as modpost writes it (`write_dump`) and reads it
//! back (`read_dump`).
//!
//! Since 5.4 a line is `0x%08x\tsym\tmodule\texport_type\tnamespace\n`
//! (namespace possibly empty); 4.x wrote the same without the namespace
//! column. `module` is `vmlinux` or the module path without `.ko`/`.o`;
//! `export_type` is `EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL` (older kernels
//! also had `EXPORT_UNUSED_SYMBOL[_GPL]` and `EXPORT_SYMBOL_GPL_FUTURE`).

use crate::error::{Error, Position, Result};
use crate::exports::License;
use serde::Serialize;

/// One line of `Module.symvers` (one `struct symbol` of modpost's
/// `write_dump()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymversEntry {
    /// The symbol's CRC.
    pub crc: u32,
    /// The exported symbol.
    pub symbol: String,
    /// `vmlinux` or the exporting module's path without extension.
    pub module: String,
    /// `EXPORT_SYMBOL`, `EXPORT_SYMBOL_GPL`, ...
    pub export_type: String,
    /// The symbol namespace (`EXPORT_SYMBOL_NS`); `None` in the old
    /// 4-column format, `Some("")` for no namespace in the 5-column one.
    pub namespace: Option<String>,
}

impl SymversEntry {
    /// GPL-only for `EXPORT_SYMBOL_GPL` (and the older `_GPL` variants).
    pub fn license(&self) -> License {
        License::from_gpl_only(self.export_type.contains("_GPL"))
    }
}

/// Parses the text of a `Module.symvers`; `file` names it in errors, which
/// carry the line and column of the offending field.
pub fn parse(text: &str, file: &str) -> Result<Vec<SymversEntry>> {
    let mut out = Vec::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return Ok(out);
    }
    for (i, line) in body.split('\n').enumerate() {
        out.push(parse_line(line, file, i + 1)?);
    }
    Ok(out)
}

/// One line of `Module.symvers`, as modpost's `read_dump()` reads it.
fn parse_line(line: &str, file: &str, lineno: usize) -> Result<SymversEntry> {
    let err = |column: usize, message: String| {
        Error::malformed(
            file,
            Position::Line {
                line: lineno,
                column,
            },
            message,
        )
    };
    let fields = split_fields(line);
    let [crc, symbol, module, export_type] = match fields[..] {
        [a, b, c, d, ..] => [a, b, c, d],
        _ => {
            let names = ["CRC", "symbol", "module", "export type"];
            let missing = names.get(fields.len()).copied().unwrap_or("field");
            return Err(err(
                line.len() + 1,
                format!(
                    "expected 4 or 5 tab-separated fields (crc, symbol, module, export type[, namespace]), found {}: missing {missing}",
                    fields.len()
                ),
            ));
        }
    };
    let namespace = fields.get(4).copied();
    let entry = SymversEntry {
        crc: parse_crc(crc.1).map_err(|m| err(crc.0, m))?,
        symbol: symbol.1.to_string(),
        module: module.1.to_string(),
        export_type: export_type.1.to_string(),
        namespace: namespace.map(|(_, ns)| ns.to_string()),
    };
    let problem = check_symbol(symbol)
        .or_else(|| check_module(module))
        .or_else(|| check_export_type(export_type))
        .or_else(|| namespace.and_then(check_namespace));
    match problem {
        Some((column, message)) => Err(err(column, message)),
        None => Ok(entry),
    }
}

/// A field and the column (1-based, in bytes) where it starts.
type Field<'a> = (usize, &'a str);

/// The tab-separated fields of a line: at most 5, the last keeping any
/// further tabs.
fn split_fields(line: &str) -> Vec<Field<'_>> {
    let mut start = 0;
    line.splitn(5, '\t')
        .map(|part| {
            let field = (start + 1, part);
            start += part.len() + 1;
            field
        })
        .collect()
}

/// `0x%08x`: at most 8 hex digits, `0x` optional.
fn parse_crc(text: &str) -> std::result::Result<u32, String> {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if hex.is_empty() || hex.len() > 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "expected a CRC of at most 8 hex digits (0x%08x), found {text:?}"
        ));
    }
    u32::from_str_radix(hex, 16).map_err(|e| e.to_string())
}

fn check_symbol((col, symbol): Field<'_>) -> Option<(usize, String)> {
    (symbol.is_empty() || symbol.contains(char::is_whitespace))
        .then(|| (col, format!("expected a symbol name, found {symbol:?}")))
}

fn check_module((col, module): Field<'_>) -> Option<(usize, String)> {
    module.is_empty().then(|| {
        let m = "expected a module name (vmlinux or a module path), found nothing";
        (col, m.to_string())
    })
}

fn check_export_type((col, export_type): Field<'_>) -> Option<(usize, String)> {
    (!export_type.starts_with("EXPORT_")).then(|| {
        (
            col,
            format!("expected an export type (EXPORT_SYMBOL or EXPORT_SYMBOL_GPL), found {export_type:?}"),
        )
    })
}

fn check_namespace((col, ns): Field<'_>) -> Option<(usize, String)> {
    ns.find('\t').map(|tab| {
        let m = "expected end of line after the namespace, found another tab";
        (col + tab, m.to_string())
    })
}

/// Reads and parses a `Module.symvers` file (modpost's `read_dump()`).
pub fn read(path: &std::path::Path) -> Result<Vec<SymversEntry>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let file = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::malformed(
            &file,
            Position::Offset(e.valid_up_to() as u64),
            "expected UTF-8 text",
        )
    })?;
    parse(text, &file)
}

/// Writes entries back in modpost's format (`write_dump()`) (4 columns where the entry has
/// no namespace column).
pub fn render(entries: &[SymversEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&format!(
            "0x{:08x}\t{}\t{}\t{}",
            e.crc, e.symbol, e.module, e.export_type
        ));
        if let Some(ns) = &e.namespace {
            out.push('\t');
            out.push_str(ns);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_four_columns_round_trip() {
        let text = "0x4c9d28b0\tphys_base\tvmlinux\tEXPORT_SYMBOL\t\n\
                    0x039823de\tfoo\tdrivers/net/bar\tEXPORT_SYMBOL_GPL\tNS\n\
                    0x00000001\told\tvmlinux\tEXPORT_SYMBOL\n";
        let v = parse(text, "M").unwrap();
        assert_eq!(v[0].namespace.as_deref(), Some(""));
        assert_eq!(v[1].license(), License::GplOnly);
        assert_eq!(v[1].module, "drivers/net/bar");
        assert_eq!(v[2].namespace, None);
        assert_eq!(render(&v), text);
    }

    #[test]
    fn positioned_errors() {
        let e = parse(
            "0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\nzz\tb\tvmlinux\tEXPORT_SYMBOL\t\n",
            "M",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("M:2:1: expected a CRC"), "{e}");
        let e = parse("0x1\ta\tvmlinux\n", "M").unwrap_err();
        assert!(e.to_string().starts_with("M:1:14: expected 4 or 5"), "{e}");
        let e = parse("0x1\ta\tvmlinux\tGPL\t\n", "M").unwrap_err();
        assert!(
            e.to_string().starts_with("M:1:15: expected an export type"),
            "{e}"
        );
        assert!(parse("\n\n", "M").is_err());
    }
}
