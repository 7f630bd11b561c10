//! The symtypes format: what `genksyms -T FILE` writes with
//! `KBUILD_SYMTYPES=1` (`foo.symtypes`), and what `genksyms -r` reads back
//! as a reference file.
//!
//! One line per symbol genksyms expanded while computing CRCs, in the order
//! their expansion finished:
//!
//! ```text
//! [override ]<prefix#>name [extern ]token token ... \n
//! ```
//!
//! The prefix says which kind of symbol the line defines (`t#` typedef,
//! `s#` struct, `u#` union, `e#` enum, `E#` enum constant, none for an
//! exported function or variable). Tokens are separated by single spaces
//! (genksyms writes one after every token); a token of the form
//! `<prefix#>name` refers to another symbol, any other token is plain text.
//! As in genksyms' `read_node`, a double quote toggles a string in which
//! spaces do not split tokens. gendwarfksyms wraps names containing spaces
//! in single quotes (`s#'foo bar'`); such a quoted name is one token.
//! A definition genksyms had no list for is written `(nil)`.

use crate::error::{Error, Position, Result};
use nom::{
    branch::alt,
    bytes::complete::{is_not, tag, take_till1, take_until},
    character::complete::one_of,
    combinator::{opt, recognize},
    multi::many1_count,
    sequence::{delimited, terminated},
    IResult,
};

/// The kind of a symtypes symbol: genksyms' `enum symbol_type` and its
/// one-letter prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// `SYM_NORMAL`: an exported function or variable (no prefix), or a
    /// plain token.
    Normal,
    /// `SYM_TYPEDEF`, prefix `t#`.
    Typedef,
    /// `SYM_ENUM`, prefix `e#`.
    Enum,
    /// `SYM_STRUCT`, prefix `s#`.
    Struct,
    /// `SYM_UNION`, prefix `u#`.
    Union,
    /// `SYM_ENUM_CONST`, prefix `E#`.
    EnumConst,
}

impl SymbolKind {
    /// The prefix letter genksyms writes before `#` (none for `Normal`).
    pub fn prefix(self) -> Option<char> {
        match self {
            SymbolKind::Normal => None,
            SymbolKind::Typedef => Some('t'),
            SymbolKind::Enum => Some('e'),
            SymbolKind::Struct => Some('s'),
            SymbolKind::Union => Some('u'),
            SymbolKind::EnumConst => Some('E'),
        }
    }

    /// The kind for a prefix letter.
    pub fn from_prefix(c: char) -> Option<Self> {
        Some(match c {
            't' => SymbolKind::Typedef,
            'e' => SymbolKind::Enum,
            's' => SymbolKind::Struct,
            'u' => SymbolKind::Union,
            'E' => SymbolKind::EnumConst,
            _ => return None,
        })
    }

    /// The keyword genksyms feeds for a short-form struct/union/enum
    /// reference (`symbol_types[].name`).
    pub fn keyword(self) -> &'static str {
        match self {
            SymbolKind::Normal => "",
            SymbolKind::Typedef => "typedef",
            SymbolKind::Enum => "enum",
            SymbolKind::Struct => "struct",
            SymbolKind::Union => "union",
            SymbolKind::EnumConst => "enum constant",
        }
    }

    /// genksyms' `map_to_ns`: typedefs, enum constants and normal symbols
    /// share one name space, structs, unions and enums another.
    pub fn namespace(self) -> Namespace {
        match self {
            SymbolKind::Normal | SymbolKind::Typedef | SymbolKind::EnumConst => Namespace::Ordinary,
            SymbolKind::Enum | SymbolKind::Struct | SymbolKind::Union => Namespace::Tag,
        }
    }
}

/// The two name spaces genksyms looks symbols up in (`map_to_ns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// Ordinary identifiers: exports, typedefs, enum constants.
    Ordinary,
    /// Tags: struct, union and enum names.
    Tag,
}

/// One token of a definition: plain text, or a reference to a symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `Normal` for plain text, else the kind of symbol referred to.
    pub kind: SymbolKind,
    /// The text (for a reference: the name without prefix or quotes).
    pub text: String,
    /// 1-based byte column of the token in its line (for messages).
    pub column: usize,
}

/// One line of a symtypes file: a symbol and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymtypesEntry {
    /// What kind of symbol this line defines.
    pub kind: SymbolKind,
    /// Its name (without prefix or quotes).
    pub name: String,
    /// `override ` before the name: a reference-file entry that overrides
    /// the definition in the source (`genksyms -r ... -p`).
    pub is_override: bool,
    /// `extern ` after the name: genksyms keeps storage class out of the
    /// CRC and records it as a flag.
    pub is_extern: bool,
    /// The definition, in order.
    pub tokens: Vec<Token>,
    /// 1-based line number in the file.
    pub line: usize,
}

impl SymtypesEntry {
    /// The entry as genksyms writes it, without the newline.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if self.is_override {
            s.push_str("override ");
        }
        push_ref(&mut s, self.kind, &self.name);
        s.push(' ');
        if self.is_extern {
            s.push_str("extern ");
        }
        if self.tokens.is_empty() {
            s.push_str("(nil)");
        }
        for t in &self.tokens {
            push_ref(&mut s, t.kind, &t.text);
            s.push(' ');
        }
        s
    }
}

fn push_ref(s: &mut String, kind: SymbolKind, name: &str) {
    if let Some(p) = kind.prefix() {
        s.push(p);
        s.push('#');
        // Spaces or double quotes in a name come from gendwarfksyms' single
        // quotes (then the name holds no single quote: quote it again) or
        // from balanced double-quoted stretches (which re-read as written).
        if (name.contains(' ') || name.contains('"')) && !name.contains('\'') {
            s.push('\'');
            s.push_str(name);
            s.push('\'');
            return;
        }
    }
    s.push_str(name);
}

/// A parsed symtypes file (`foo.symtypes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymtypesFile {
    /// The file name, for messages.
    pub path: String,
    /// Its lines, in file order (empty lines skipped).
    pub entries: Vec<SymtypesEntry>,
}

impl SymtypesFile {
    /// The exports (entries without prefix), in file order.
    pub fn exports(&self) -> impl Iterator<Item = &SymtypesEntry> {
        self.entries.iter().filter(|e| e.kind == SymbolKind::Normal)
    }
}

/// A raw token as split from a line: its text and byte column.
struct RawToken<'a> {
    text: &'a str,
    column: usize,
}

/// `X#'quoted name'` as gendwarfksyms writes names containing spaces.
fn quoted_ref(i: &str) -> IResult<&str, &str> {
    recognize(terminated(
        one_of("tseuE"),
        nom::sequence::pair(tag("#"), delimited(tag("'"), take_until("'"), tag("'"))),
    ))(i)
}

/// A double-quoted stretch: spaces inside do not split (genksyms toggles
/// `in_string` on every `"`, without escapes).
fn dq_string(i: &str) -> IResult<&str, &str> {
    recognize(nom::sequence::tuple((
        tag("\""),
        opt(is_not("\"")),
        tag("\""),
    )))(i)
}

/// One token: a quoted reference, or a run of non-space characters and
/// double-quoted strings.
fn raw_token(i: &str) -> IResult<&str, &str> {
    alt((
        quoted_ref,
        recognize(many1_count(alt((
            dq_string,
            take_till1(|c| c == ' ' || c == '"'),
        )))),
    ))(i)
}

/// Splits one line (without newline) into tokens with their columns.
fn split_line<'a>(path: &str, line_no: usize, line: &'a str) -> Result<Vec<RawToken<'a>>> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        if trimmed.is_empty() {
            return Ok(out);
        }
        let column = line.len() - trimmed.len() + 1;
        // Fast path: most tokens hold no quotes and end at the next space.
        let end = trimmed.find(' ').unwrap_or(trimmed.len());
        let simple = &trimmed[..end];
        if !simple.contains('"') && !simple.as_bytes().get(2..3).is_some_and(|q| q == b"'") {
            out.push(RawToken {
                text: simple,
                column,
            });
            rest = &trimmed[end..];
            continue;
        }
        match raw_token(trimmed) {
            Ok((r, t)) if !t.is_empty() => {
                out.push(RawToken { text: t, column });
                rest = r;
            }
            _ => {
                let at = trimmed.find('"').map_or(column, |o| column + o);
                return Err(Error::malformed(
                    path,
                    Position::Line {
                        line: line_no,
                        column: at,
                    },
                    "unterminated string: expected a closing '\"' before the end of the line",
                ));
            }
        }
    }
}

/// Classifies a raw token as genksyms' `read_node` does: a second
/// character `#` makes it a reference, whose first character must be a
/// known prefix.
fn classify(path: &str, line_no: usize, t: &RawToken<'_>) -> Result<Token> {
    let mut chars = t.text.chars();
    let first = chars.next();
    if chars.next() == Some('#') {
        let pos = Position::Line {
            line: line_no,
            column: t.column,
        };
        let c = first.unwrap_or(' ');
        let kind = SymbolKind::from_prefix(c).ok_or_else(|| {
            Error::malformed(
                path,
                pos,
                format!("unknown symbol type '{c}#': expected one of t# s# u# e# E#"),
            )
        })?;
        let mut name = &t.text[c.len_utf8() + 1..];
        if let Some(q) = name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
            name = q;
        }
        if name.is_empty() {
            return Err(Error::malformed(
                path,
                pos,
                format!("expected a name after '{c}#'"),
            ));
        }
        return Ok(Token {
            kind,
            text: name.to_string(),
            column: t.column,
        });
    }
    Ok(Token {
        kind: SymbolKind::Normal,
        text: t.text.to_string(),
        column: t.column,
    })
}

/// Parses one non-empty line into an entry.
fn parse_line(path: &str, line_no: usize, line: &str) -> Result<Option<SymtypesEntry>> {
    let raw = split_line(path, line_no, line)?;
    let mut it = raw.iter().peekable();
    let mut is_override = false;
    if it.peek().map(|t| t.text) == Some("override") {
        is_override = true;
        it.next();
    }
    let Some(name_tok) = it.next() else {
        if is_override {
            return Err(Error::malformed(
                path,
                Position::Line {
                    line: line_no,
                    column: line.len() + 1,
                },
                "expected a symbol name after 'override'",
            ));
        }
        return Ok(None);
    };
    let head = classify(path, line_no, name_tok)?;
    let mut is_extern = false;
    if it.peek().map(|t| t.text) == Some("extern") {
        is_extern = true;
        it.next();
    }
    let mut tokens = Vec::with_capacity(raw.len());
    for t in it {
        tokens.push(classify(path, line_no, t)?);
    }
    if tokens.len() == 1 && tokens[0].kind == SymbolKind::Normal && tokens[0].text == "(nil)" {
        tokens.clear();
    }
    Ok(Some(SymtypesEntry {
        kind: head.kind,
        name: head.text,
        is_override,
        is_extern,
        tokens,
        line: line_no,
    }))
}

/// Parses the text of a symtypes file. `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<SymtypesFile> {
    let mut entries = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if let Some(e) = parse_line(path, i + 1, line)? {
            entries.push(e);
        }
    }
    Ok(SymtypesFile {
        path: path.to_string(),
        entries,
    })
}

/// Parses symtypes bytes; input that is not UTF-8 is an error at the
/// first bad byte.
pub fn parse_bytes(path: &str, data: &[u8]) -> Result<SymtypesFile> {
    let text = std::str::from_utf8(data).map_err(|e| {
        let good = data.get(..e.valid_up_to()).unwrap_or_default();
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        Error::malformed(
            path,
            Position::Line { line, column },
            "invalid UTF-8: expected text",
        )
    })?;
    parse(path, text)
}

/// Reads and parses a symtypes file.
pub fn read(path: &std::path::Path) -> Result<SymtypesFile> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_bytes(&path.display().to_string(), &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_genksyms_lines() {
        let f = parse(
            "x",
            "s#foo struct foo { int a ; t#bar b ; } \nbaz extern int baz ( s#foo * ) \n",
        )
        .unwrap();
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].kind, SymbolKind::Struct);
        assert_eq!(f.entries[0].tokens[6].kind, SymbolKind::Typedef);
        assert!(f.entries[1].is_extern);
        assert_eq!(f.entries[1].render(), "baz extern int baz ( s#foo * ) ");
    }

    #[test]
    fn quoted_names_and_strings() {
        let f = parse("x", "s#'a b' struct { int x \"y  z\" } \n").unwrap();
        assert_eq!(f.entries[0].name, "a b");
        assert_eq!(f.entries[0].tokens[4].text, "\"y  z\"");
    }

    #[test]
    fn names_with_spaces_and_quotes_round_trip() {
        // Found by the fuzz target: a quoted name holding a lone '"'.
        for text in [
            "t#'a \"b' x \n",
            "t#'u\"64' x \n",
            "s#\"a' b\" x \n",
            "s#'a b' \"c d\" \n",
        ] {
            let f = parse("x", text).unwrap();
            let again: String = f.entries.iter().map(|e| e.render() + "\n").collect();
            assert_eq!(parse("x", &again).unwrap().entries, f.entries, "{text}");
        }
    }

    #[test]
    fn positions_in_errors() {
        let e = parse("f.symtypes", "s#a x\nfoo int q#bar \n").unwrap_err();
        assert_eq!(e.to_string().split(": ").next(), Some("f.symtypes:2:9"));
        let e = parse("f", "s#a \"x\n").unwrap_err();
        assert!(e.to_string().starts_with("f:1:5: unterminated"), "{e}");
        assert!(parse("f", "override\n").is_err());
        assert!(parse("f", "s# x\n").is_err());
    }
}
