//! Symbol versions from the symtypes files gendwarfksyms writes
//! (`--symtypes`, kbuild's `KBUILD_SYMTYPES=1` with
//! `CONFIG_GENDWARFKSYMS`): the dwarf dialect of `modver crc`.
//!
//! Each line is `NAME EXPANSION`: a type (`s#`, `u#`, `e#`, `t#` prefix,
//! names with spaces in single quotes) or an exported symbol (no prefix),
//! and its type string, in which other types appear as references of the
//! same form. A symbol's version is gendwarfksyms' `calculate_version`
//! over its line: the CRC-32 of the text with each referenced type's own
//! line expanded in place the first time it is met and left as the
//! reference after that.
//!
//! gendwarfksyms writes one block per object, sorted by name (7.1); a name
//! that does not sort after the previous one starts a new block, whose
//! references resolve within it.

use super::types::{type_parse, Expansion, TypeMap};
use super::{kabi::Rules, Log};
use crate::crc::SymbolCrc;
use crate::error::{Error, Position, Result};

/// One line of a gendwarfksyms symtypes file.
#[derive(Debug, Clone)]
pub struct DwarfSymtypesLine {
    /// The name as written (`s#foo`, `s#'a b'`, or a symbol).
    pub name: String,
    /// The type string.
    pub expansion: Expansion,
    /// 1-based line number.
    pub line: usize,
}

/// Whether a symtypes text was written by gendwarfksyms rather than
/// genksyms: its type strings use DWARF words (`structure_type`,
/// `subprogram`, `variable`, ...), which genksyms never writes.
pub fn is_dwarf_symtypes(text: &str) -> bool {
    const WORDS: [&str; 9] = [
        "structure_type",
        "class_type",
        "union_type",
        "enumeration_type",
        "typedef_type",
        "subprogram",
        "variable",
        "base_type",
        "pointer_type",
    ];
    text.lines().take(64).any(|l| {
        split_name(l).is_some_and(|(_, rest)| {
            WORDS
                .iter()
                .any(|w| rest.starts_with(w) && rest[w.len()..].starts_with([' ', '[', '(']))
        })
    })
}

/// Splits `NAME REST` (a name `X#'...'` may hold spaces).
fn split_name(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let end = if b.len() > 3 && b[1] == b'#' && b[2] == b'\'' {
        3 + line[3..].find('\'')? + 1
    } else {
        line.find(' ').unwrap_or(line.len())
    };
    let name = &line[..end];
    let rest = line[end..].strip_prefix(' ').unwrap_or(&line[end..]);
    Some((name, rest))
}

/// Parses a gendwarfksyms symtypes file. `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<Vec<DwarfSymtypesLine>> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let pos = Position::Line {
            line: i + 1,
            column: 1,
        };
        let (name, rest) = split_name(line).ok_or_else(|| {
            Error::malformed(path, pos, "unterminated quoted name: expected a closing '")
        })?;
        if name.is_empty() {
            return Err(Error::malformed(
                path,
                pos,
                "expected a name at the start of the line",
            ));
        }
        let expansion = if rest.is_empty() {
            Expansion::default()
        } else {
            type_parse(name, rest).map_err(|e| Error::malformed(path, pos, e.to_string()))?
        };
        out.push(DwarfSymtypesLine {
            name: name.to_string(),
            expansion,
            line: i + 1,
        });
    }
    Ok(out)
}

fn is_type_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 2 && matches!(b[0], b's' | b'u' | b'e' | b't') && b[1] == b'#'
}

/// The version of every exported symbol in the file, in file order; with
/// `expand`, also the expanded string (what `--dump-versions` prints).
pub fn export_crcs(path: &str, text: &str, expand: bool) -> Result<Vec<SymbolCrc>> {
    let lines = parse(path, text)?;
    let rules = Rules::default();
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        // One object's block: names strictly increasing.
        let mut end = start + 1;
        while end < lines.len() && lines[end - 1].name.as_bytes() < lines[end].name.as_bytes() {
            end += 1;
        }
        let mut map = TypeMap::new(false, &rules, path);
        for l in &lines[start..end] {
            if is_type_name(&l.name) {
                map.insert(&l.name, l.expansion.clone());
            }
        }
        let mut log = Log {
            dump_versions: expand,
            ..Log::default()
        };
        for l in &lines[start..end] {
            if is_type_name(&l.name) {
                continue;
            }
            let (crc, text) = map.version(&l.name, &l.expansion, &mut log).map_err(|e| {
                Error::malformed(
                    path,
                    Position::Line {
                        line: l.line,
                        column: 1,
                    },
                    e.to_string(),
                )
            })?;
            out.push(SymbolCrc {
                name: l.name.clone(),
                crc,
                expanded: text,
            });
        }
        start = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_expand_each_type_once() {
        let text =
            "f subprogram ( formal_parameter s#a x , formal_parameter s#a y ) -> base_type void\n\
                    s#a structure_type a { member t#'b c' m }\n\
                    t#'b c' typedef_type b c { base_type int }\n";
        // Not sorted: three blocks would not resolve; sort as 7.1 writes.
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort();
        let sorted = lines.join("\n") + "\n";
        assert!(is_dwarf_symtypes(&sorted));
        let c = export_crcs("x", &sorted, true).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].expanded.as_deref(),
            Some(
                "subprogram ( formal_parameter structure_type a { member typedef_type b c { base_type int } m } x , formal_parameter s#a y ) -> base_type void"
            )
        );
        assert_eq!(
            c[0].crc,
            crc32fast::hash(c[0].expanded.as_deref().unwrap().as_bytes())
        );
        let e = export_crcs("x", "f variable s#nope\n", false).unwrap_err();
        assert!(e.to_string().starts_with("x:1:1: "), "{e}");
    }

    #[test]
    fn genksyms_files_are_not_dwarf() {
        assert!(!is_dwarf_symtypes(
            "s#foo struct foo { int a ; } \nbar int bar ( s#foo * ) \n"
        ));
    }
}
