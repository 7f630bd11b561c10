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
//! in single quotes (`s#'foo bar'`); such a quoted name is one token and
//! must be closed (its `type_parse` rejects an incomplete reference).
//! Neither tool writes a quote inside a bare name (genksyms' names are C
//! identifiers), so that is an error here: everything that parses renders
//! back to text that parses to the same entries.
//! A definition genksyms had no list for is written `(nil)`.

use crate::error::{Error, Position, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
/// The text borrows from the file's bytes (no copy per token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// `Normal` for plain text, else the kind of symbol referred to.
    pub kind: SymbolKind,
    /// The text (for a reference: the name without prefix or quotes).
    pub text: &'a str,
    /// 1-based byte column of the token in its line (for messages).
    pub column: usize,
}

/// One line of a symtypes file: a symbol and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymtypesEntry<'a> {
    /// What kind of symbol this line defines.
    pub kind: SymbolKind,
    /// Its name (without prefix or quotes).
    pub name: &'a str,
    /// `override ` before the name: a reference-file entry that overrides
    /// the definition in the source (`genksyms -r ... -p`).
    pub is_override: bool,
    /// `extern ` after the name: genksyms keeps storage class out of the
    /// CRC and records it as a flag.
    pub is_extern: bool,
    /// The definition, in order.
    pub tokens: Vec<Token<'a>>,
    /// 1-based line number in the file.
    pub line: usize,
}

impl SymtypesEntry<'_> {
    /// Whether two entries say the same thing: equal but for line and
    /// column numbers (what rendering and re-parsing keeps).
    pub fn same_as(&self, other: &SymtypesEntry<'_>) -> bool {
        let same_tokens = self.tokens.len() == other.tokens.len()
            && self
                .tokens
                .iter()
                .zip(&other.tokens)
                .all(|(a, b)| a.kind == b.kind && a.text == b.text);
        self.kind == other.kind
            && self.name == other.name
            && self.is_override == other.is_override
            && self.is_extern == other.is_extern
            && same_tokens
    }

    /// The entry as genksyms writes it, without the newline.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if self.is_override {
            s.push_str("override ");
        }
        push_ref(&mut s, self.kind, self.name);
        s.push(' ');
        if self.is_extern {
            s.push_str("extern ");
        }
        if self.tokens.is_empty() {
            s.push_str("(nil)");
        }
        for t in &self.tokens {
            push_ref(&mut s, t.kind, t.text);
            s.push(' ');
        }
        s
    }
}

fn push_ref(s: &mut String, kind: SymbolKind, name: &str) {
    if let Some(p) = kind.prefix() {
        s.push(p);
        s.push('#');
        // A parsed name holding a space or a double quote came in
        // gendwarfksyms' single quotes (and holds no single quote): quote
        // it again. Other names are written bare, as genksyms does.
        if name.contains([' ', '"']) {
            s.push('\'');
            s.push_str(name);
            s.push('\'');
            return;
        }
    }
    s.push_str(name);
}

/// A parsed symtypes file (`foo.symtypes`), borrowing the text it was
/// parsed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymtypesFile<'a> {
    /// The file name, for messages.
    pub path: String,
    /// The whole text the entries borrow from.
    pub text: &'a str,
    /// Its lines, in file order (empty lines skipped).
    pub entries: Vec<SymtypesEntry<'a>>,
}

impl<'a> SymtypesFile<'a> {
    /// The exports (entries without prefix), in file order.
    pub fn exports(&self) -> impl Iterator<Item = &SymtypesEntry<'a>> {
        self.entries.iter().filter(|e| e.kind == SymbolKind::Normal)
    }
}

/// Why a raw token could not be split: the byte offset in the token and
/// what was expected there.
type SplitError = (usize, &'static str);

/// The length of the token at the start of `s` (not a space) when the
/// fast path does not apply, as genksyms' `read_node` splits: a run of
/// non-space characters and double-quoted stretches (a `"` toggles a
/// string, without escapes). A reference `X#'...'` is gendwarfksyms'
/// quoting of a name with spaces (its `get_type_name`): it ends at the next
/// single quote, which must close the token (`type_parse` calls a missing
/// one an incomplete type reference).
fn raw_token_len(s: &[u8]) -> std::result::Result<usize, SplitError> {
    if let [p, b'#', b'\'', rest @ ..] = s {
        if b"tseuE".contains(p) {
            let Some(k) = memchr::memchr(b'\'', rest) else {
                return Err((
                    2,
                    "unterminated quoted name: expected a closing \"'\" before the end of the line",
                ));
            };
            let len = 3 + k + 1;
            if s.get(len).is_some_and(|&c| c != b' ') {
                return Err((len, "expected a space after the quoted name"));
            }
            return Ok(len);
        }
    }
    let mut pos = 0;
    while let Some(&c) = s.get(pos) {
        match c {
            b' ' => break,
            b'"' => {
                match memchr::memchr(b'"', s.get(pos + 1..).unwrap_or_default()) {
                    Some(k) => pos += k + 2,
                    None => return Err((
                        pos,
                        "unterminated string: expected a closing '\"' before the end of the line",
                    )),
                }
            }
            _ => pos += 1,
        }
    }
    Ok(pos)
}

/// Splits one line (without newline) into raw tokens, calling `f` with
/// each token's text and 1-based column.
fn split_line<'a>(
    path: &str,
    line_no: usize,
    line: &'a str,
    mut f: impl FnMut(&'a str, usize) -> Result<()>,
) -> Result<()> {
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= b.len() {
            return Ok(());
        }
        // Fast path: most tokens hold no quotes and end at the next space.
        let rest = &b[i..];
        let mut end = 0;
        let mut quoted = false;
        while let Some(&c) = rest.get(end) {
            if c == b' ' {
                break;
            }
            quoted |= c == b'"';
            end += 1;
        }
        if quoted || rest.get(2) == Some(&b'\'') {
            end = raw_token_len(rest).map_err(|(at, expected)| {
                Error::malformed(
                    path,
                    Position::Line {
                        line: line_no,
                        column: i + 1 + at,
                    },
                    expected,
                )
            })?;
        }
        // Token boundaries are ASCII bytes, so `i` and `i + end` are char
        // boundaries of `line`.
        f(line.get(i..i + end).unwrap_or_default(), i + 1)?;
        i += end;
    }
}

/// Classifies a raw token as genksyms' `read_node` does: a second
/// character `#` makes it a reference, whose first character must be a
/// known prefix.
#[inline]
fn classify<'a>(path: &str, line_no: usize, text: &'a str, column: usize) -> Result<Token<'a>> {
    let b = text.as_bytes();
    // Fast path: an ASCII first byte and no '#' second byte is plain text.
    if b.first().is_some_and(|c| c.is_ascii()) && b.get(1) != Some(&b'#') {
        return Ok(Token {
            kind: SymbolKind::Normal,
            text,
            column,
        });
    }
    let mut chars = text.chars();
    let first = chars.next();
    if chars.next() == Some('#') {
        let pos = Position::Line {
            line: line_no,
            column,
        };
        let c = first.unwrap_or(' ');
        let kind = SymbolKind::from_prefix(c).ok_or_else(|| {
            Error::malformed(
                path,
                pos,
                format!("unknown symbol type '{c}#': expected one of t# s# u# e# E#"),
            )
        })?;
        let mut name = &text[c.len_utf8() + 1..];
        if let Some(q) = name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
            // Split checked the quotes: `X#'...'` holds no other '\''.
            name = q;
        } else if let Some(at) = name.find(['\'', '"']) {
            // genksyms names are C identifiers and gendwarfksyms quotes
            // only whole names: a quote inside an unquoted name is neither.
            return Err(Error::malformed(
                path,
                Position::Line {
                    line: line_no,
                    column: column + c.len_utf8() + 1 + at,
                },
                format!(
                    "unexpected quote in a '{c}#' name: expected a name, or one in single quotes"
                ),
            ));
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
            text: name,
            column,
        });
    }
    Ok(Token {
        kind: SymbolKind::Normal,
        text,
        column,
    })
}

/// Where a line is in the split: before the name, after it, in the body.
#[derive(PartialEq)]
enum LineState {
    Start,
    Override,
    Named,
    Body,
}

/// Parses one line into an entry (`None` for a blank line).
fn parse_line<'a>(path: &str, line_no: usize, line: &'a str) -> Result<Option<SymtypesEntry<'a>>> {
    let mut state = LineState::Start;
    let mut head: Option<Token<'a>> = None;
    let (mut is_override, mut is_extern) = (false, false);
    // About one token per six bytes in kernel symtypes.
    let mut tokens = Vec::with_capacity(line.len() / 6);
    split_line(path, line_no, line, |text, column| {
        match state {
            LineState::Start if text == "override" => {
                is_override = true;
                state = LineState::Override;
            }
            LineState::Start | LineState::Override => {
                head = Some(classify(path, line_no, text, column)?);
                state = LineState::Named;
            }
            LineState::Named if text == "extern" => {
                is_extern = true;
                state = LineState::Body;
            }
            LineState::Named | LineState::Body => {
                tokens.push(classify(path, line_no, text, column)?);
                state = LineState::Body;
            }
        }
        Ok(())
    })?;
    let Some(head) = head else {
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

/// Parses the text of a symtypes file. `path` names it in errors. Lines
/// are found with `memchr`; tokens borrow from `text`.
pub fn parse<'a>(path: &str, text: &'a str) -> Result<SymtypesFile<'a>> {
    let mut entries = Vec::with_capacity(text.len() / 128);
    let mut start = 0;
    let mut line_no = 1;
    loop {
        let rest = text.get(start..).unwrap_or_default();
        let end = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
        if let Some(e) = parse_line(path, line_no, rest.get(..end).unwrap_or_default())? {
            entries.push(e);
        }
        if end == rest.len() {
            break;
        }
        start += end + 1;
        line_no += 1;
    }
    Ok(SymtypesFile {
        path: path.to_string(),
        text,
        entries,
    })
}

/// Parses symtypes bytes; input that is not UTF-8 is an error at the
/// first bad byte.
pub fn parse_bytes<'a>(path: &str, data: &'a [u8]) -> Result<SymtypesFile<'a>> {
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

/// A symtypes file split into entries without tokenizing the definitions
/// of the lines in genksyms' exact layout (ASCII, no quotes, one space
/// after every token including the last, none before the first, no
/// `override`): such an entry has no [`SymtypesEntry::tokens`], and its
/// definition (after the name and `extern `) is `bodies[i]`. Other lines
/// are parsed in full (their body is `None`). [`LazySymtypes::tokens`]
/// yields entry `i`'s tokens
/// either way; for readers that walk every token once (the CRC), this
/// skips building a token vector per line.
pub struct LazySymtypes<'a> {
    /// The entries, tokens left out where the body has them.
    pub file: SymtypesFile<'a>,
    /// Each entry's definition text (empty for `(nil)`), `None` for a line
    /// parsed in full.
    pub bodies: Vec<Option<&'a str>>,
}

impl<'a> LazySymtypes<'a> {
    /// Entry `i`'s definition text, `None` if the line was parsed in full
    /// (its tokens are in the entry).
    pub fn body(&self, i: usize) -> Option<&'a str> {
        self.bodies.get(i).copied().flatten()
    }

    /// Entry `i`'s tokens as [`parse`] gives them (columns 0 where they
    /// come from a body).
    pub fn tokens(&self, i: usize) -> Vec<Token<'a>> {
        let Some(body) = self.body(i) else {
            return self
                .file
                .entries
                .get(i)
                .map_or_else(Vec::new, |e| e.tokens.clone());
        };
        let mut out = Vec::new();
        for seg in body_segments(body) {
            match seg {
                BodySegment::Plain(p) => out.extend(p.split_terminator(' ').map(|text| Token {
                    kind: SymbolKind::Normal,
                    text,
                    column: 0,
                })),
                BodySegment::Ref(t) => out.push(t),
            }
        }
        out
    }

    /// Whether this is what [`parse`] gives for the same text: the same
    /// entries (line numbers included) with the same tokens (columns
    /// aside). The property the fuzz target and the tests check.
    pub fn agrees_with(&self, parsed: &SymtypesFile<'_>) -> bool {
        self.file.entries.len() == parsed.entries.len()
            && self
                .file
                .entries
                .iter()
                .zip(&parsed.entries)
                .enumerate()
                .all(|(i, (a, b))| {
                    let same_tokens = {
                        let t = self.tokens(i);
                        t.len() == b.tokens.len()
                            && t.iter()
                                .zip(&b.tokens)
                                .all(|(x, y)| x.kind == y.kind && x.text == y.text)
                    };
                    a.kind == b.kind
                        && a.name == b.name
                        && a.is_override == b.is_override
                        && a.is_extern == b.is_extern
                        && a.line == b.line
                        && same_tokens
                })
    }
}

/// A stretch of a lazy body: plain tokens with their spaces, or one
/// reference (its space not included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySegment<'a> {
    /// One or more plain tokens, each followed by its space.
    Plain(&'a str),
    /// A reference (`kind` is not `Normal`; column 0).
    Ref(Token<'a>),
}

/// The segments of a body of [`LazySymtypes`] (ASCII, single-spaced), in
/// order: what [`parse`]'s tokens of that line are, with runs of plain
/// tokens kept as the text they are.
pub fn body_segments(body: &str) -> impl Iterator<Item = BodySegment<'_>> {
    let b = body.as_bytes();
    let mut refs =
        memchr::memchr_iter(b'#', b).filter(move |&at| at == 1 || (at > 1 && b[at - 2] == b' '));
    let mut from = 0;
    let mut pending: Option<BodySegment<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(p) = pending.take() {
            return Some(p);
        }
        // The next '#' that starts a reference (lazy_line checked them all).
        let (start, end, tok) = loop {
            let Some(at) = refs.next() else {
                let rest = body.get(from..).filter(|r| !r.is_empty())?;
                from = body.len();
                return Some(BodySegment::Plain(rest));
            };
            let end = b[at + 1..]
                .iter()
                .position(|&c| c == b' ')
                .map_or(b.len(), |k| at + 1 + k);
            match body.get(at - 1..end).and_then(lazy_token) {
                Some(t) if t.kind != SymbolKind::Normal => break (at - 1, end, t),
                _ => continue,
            }
        };
        let plain = body.get(from..start).unwrap_or_default();
        from = (end + 1).min(body.len());
        let r = BodySegment::Ref(tok);
        if plain.is_empty() {
            Some(r)
        } else {
            pending = Some(r);
            Some(BodySegment::Plain(plain))
        }
    })
}

/// [`parse`], lazily (see [`LazySymtypes`]). `None` where [`parse`] would
/// fail: it then reads the file again and says what is wrong, where.
pub fn parse_lazy<'a>(path: &str, text: &'a str) -> Option<LazySymtypes<'a>> {
    let b = text.as_bytes();
    // Offsets of what takes a line off the lazy path, in order: quotes,
    // two spaces, a line starting with a space, non-ASCII bytes.
    let mut odd: Vec<usize> = memchr::memchr2_iter(b'"', b'\'', b)
        .chain(memchr::memmem::find_iter(b, b"  "))
        .chain(memchr::memmem::find_iter(b, b"\n ").map(|at| at + 1))
        .collect();
    if b.first() == Some(&b' ') {
        odd.push(0);
    }
    if !b.is_ascii() {
        odd.extend(
            b.iter()
                .enumerate()
                .filter(|(_, &c)| c >= 0x80)
                .map(|(at, _)| at),
        );
    }
    odd.sort_unstable();
    let mut odd = odd.into_iter().peekable();
    let mut entries = Vec::with_capacity(b.len() / 128);
    let mut bodies = Vec::with_capacity(b.len() / 128);
    let mut start = 0;
    for (i, line) in text.split('\n').enumerate() {
        let end = start + line.len();
        let mut full = false;
        while let Some(&at) = odd.peek() {
            if at > end {
                break;
            }
            full |= at >= start;
            odd.next();
        }
        start = end + 1;
        if line.is_empty() {
            continue;
        }
        let lazy = if full { None } else { lazy_line(line, i + 1) };
        match lazy {
            Some((e, body)) => {
                entries.push(e);
                bodies.push(Some(body));
            }
            None => {
                if let Some(e) = parse_line(path, i + 1, line).ok()? {
                    entries.push(e);
                    bodies.push(None);
                }
            }
        }
    }
    Some(LazySymtypes {
        file: SymtypesFile {
            path: path.to_string(),
            text,
            entries,
        },
        bodies,
    })
}

/// One line of [`parse_lazy`] without quotes, non-ASCII bytes, double or
/// leading spaces: its entry and body, or `None` if it is not in
/// genksyms' layout or needs [`parse_line`] to judge it.
fn lazy_line(line: &str, line_no: usize) -> Option<(SymtypesEntry<'_>, &str)> {
    let (head, rest) = line.split_once(' ')?;
    let head = lazy_token(head)?;
    if head.text == "override" && head.kind == SymbolKind::Normal {
        return None;
    }
    let (is_extern, body) = match rest.strip_prefix("extern ") {
        Some(body) => (true, body),
        None => (false, rest),
    };
    if !(body.is_empty() || body.ends_with(' ')) {
        return None;
    }
    // Every reference in the body must classify as parse_line would.
    let bb = body.as_bytes();
    for at in memchr::memchr_iter(b'#', bb) {
        if at == 1 || (at > 1 && bb[at - 2] == b' ') {
            let len = bb.get(at + 1..)?.iter().position(|&c| c == b' ')?;
            lazy_token(body.get(at - 1..at + 1 + len)?)?;
        }
    }
    let entry = SymtypesEntry {
        kind: head.kind,
        name: head.text,
        is_override: false,
        is_extern,
        tokens: Vec::new(),
        line: line_no,
    };
    Some((entry, if body == "(nil) " { "" } else { body }))
}

/// One token of a lazy line, classified as [`classify`] does; `None` for
/// what only [`classify`] should judge (an unknown prefix, an empty name).
fn lazy_token(t: &str) -> Option<Token<'_>> {
    let b = t.as_bytes();
    if b.get(1) != Some(&b'#') {
        return (!t.is_empty()).then_some(Token {
            kind: SymbolKind::Normal,
            text: t,
            column: 0,
        });
    }
    let kind = SymbolKind::from_prefix(char::from(b[0]))?;
    let name = t.get(2..).filter(|n| !n.is_empty())?;
    Some(Token {
        kind,
        text: name,
        column: 0,
    })
}

/// The bytes of a symtypes file, read whole; [`SymtypesText::parse`]
/// borrows from them.
#[derive(Debug, Clone)]
pub struct SymtypesText {
    /// The file name, for messages.
    pub path: String,
    /// The contents.
    pub data: Vec<u8>,
}

impl SymtypesText {
    /// Parses the contents (see [`parse_bytes`]).
    pub fn parse(&self) -> Result<SymtypesFile<'_>> {
        parse_bytes(&self.path, &self.data)
    }
}

/// Reads a symtypes file (parse it with [`SymtypesText::parse`]).
pub fn read(path: &Path) -> Result<SymtypesText> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(SymtypesText {
        path: path.display().to_string(),
        data,
    })
}

/// The symtypes files of a `KBUILD_SYMTYPES=1` tree: the file itself, or
/// every `*.symtypes` under a directory (in path order), keyed by path
/// relative to it.
pub fn list_tree(path: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files).map_err(|e| Error::io(path, e))?;
        for f in files {
            if f.extension().and_then(|e| e.to_str()) == Some("symtypes") {
                let rel = f.strip_prefix(path).unwrap_or(&f).display().to_string();
                out.insert(rel, f);
            }
        }
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.insert(name, path.to_path_buf());
    }
    Ok(out)
}

fn walk(d: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(d)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        // The entry's type needs no stat; a symlink is followed as before.
        let is_dir = match e.file_type() {
            Ok(t) if t.is_symlink() => p.is_dir(),
            Ok(t) => t.is_dir(),
            Err(_) => p.is_dir(),
        };
        if is_dir {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lazy reader gives what the full parser gives, on lines of
    /// genksyms' layout and on the lines it leaves to the full parser.
    #[test]
    fn lazy_parse_agrees_with_parse() {
        let texts = [
            "t#u8 typedef unsigned char u8 \ns#a struct a { t#u8 x ; s#a * next ; } \nf extern int f ( s#a * ) \n",
            "E#X 3 \ne#e enum e { X = E#X , Y } \nv (nil) \nw extern (nil) \nu#u union u { UNKNOWN } \n",
            // Lines for the full parser: quotes, two spaces, a leading
            // space, no trailing space, override, non-ASCII, no body.
            "s#q struct q { char a [ \"x y\" ] ; } \nf  int f ( ) \n g int \nh int\noverride t#t int \nn é \nlone\n",
            "s#'a b' struct 'a b' { } \nx s#'a b' \n\n\ny int ",
            "a##b int \nc int a#b \n",
        ];
        for text in texts {
            let full = parse("t", text);
            match (parse_lazy("t", text), full) {
                (Some(l), Ok(f)) => assert!(l.agrees_with(&f), "{text:?}"),
                (None, Err(_)) => {}
                (l, f) => panic!("{text:?}: lazy {} / parse {f:?}", l.is_some()),
            }
        }
        // What only the full parser judges: unknown prefixes, empty names.
        assert!(parse_lazy("t", "x int q#y \n").is_none());
        assert!(parse_lazy("t", "x int s# \n").is_none());
        assert!(parse_lazy("t", "q#x int \n").is_none());
    }

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

    fn assert_round_trip(f: &SymtypesFile<'_>) {
        let again: String = f.entries.iter().map(|e| e.render() + "\n").collect();
        let g = parse("x", &again).unwrap_or_else(|e| panic!("{e}: {again:?}"));
        assert_eq!(g.entries.len(), f.entries.len(), "{again:?}");
        for (a, b) in g.entries.iter().zip(&f.entries) {
            assert!(a.same_as(b), "{a:?} from {b:?}");
        }
    }

    #[test]
    fn names_with_spaces_and_quotes_round_trip() {
        // Found by the fuzz target: a quoted name holding a lone '"'.
        for text in ["t#'a \"b' x \n", "t#'u\"64' x \n", "s#'a b' \"c d\" \n"] {
            assert_round_trip(&parse("x", text).unwrap());
        }
    }

    #[test]
    fn quotes_genksyms_never_writes_are_errors() {
        for (text, at) in [
            // A double-quoted stretch in a bare name (was accepted).
            ("s#\"a' b\" x \n", "x:1:3: unexpected quote"),
            // A single quote left open: gendwarfksyms' "incomplete" reference.
            ("t#'a x \n", "x:1:3: unterminated quoted name"),
            // Text glued to a closing quote.
            ("s#'a b'c x \n", "x:1:8: expected a space"),
            ("foo t#a'b \n", "x:1:8: unexpected quote"),
        ] {
            let e = parse("x", text).unwrap_err().to_string();
            assert!(e.starts_with(at), "{text:?}: {e}");
        }
        // Quotes in plain tokens are C text (character constants) and stay.
        let f = parse("x", "foo int x [ 'a' ] \n").unwrap();
        assert_eq!(f.entries[0].tokens[3].text, "'a'");
    }

    /// Fuzz crashes (fuzz/fuzz_targets/symtypes.rs): a bare name starting
    /// with a single quote was accepted, then a later rendered quote closed
    /// it, swallowing the tokens between into one name. Both are now
    /// positioned errors; what still parses round-trips.
    #[test]
    fn fuzz_crashes_are_errors_or_round_trip() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz/symtypes");
        for name in [
            "crash-79ae90f8ded7822bd7cf6671f815af5268f844ee",
            "crash-eee4e2b5bd8ddcd05cede0e1c1a06bd5a9973e2f",
        ] {
            let data = std::fs::read(dir.join(name)).unwrap();
            let e = parse_bytes("c", &data).unwrap_err().to_string();
            assert!(e.contains("quote"), "{name}: {e}");
            // Each line alone: errors are positioned, the rest round-trips.
            for line in data.split(|&b| b == b'\n') {
                match parse_bytes("c", line) {
                    Ok(f) => assert_round_trip(&f),
                    Err(e) => assert!(e.to_string().starts_with("c:1:"), "{e}"),
                }
            }
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
