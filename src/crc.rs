//! Symbol version CRCs as genksyms computes them (`expand_and_crc_sym` and
//! `export_symbol` in `scripts/genksyms/genksyms.c`, identical in 6.1 and
//! 6.12), from the definitions in a symtypes file.
//!
//! For each export genksyms walks the definition and feeds a CRC-32:
//!
//! * a plain token: its text and one space;
//! * a typedef or enum constant (`t#`, `E#`): if not yet on this export's
//!   expansion trail, its definition, expanded recursively; else its name
//!   and a space;
//! * a struct, union or enum (`s#`, `u#`, `e#`): likewise, the short form
//!   being `struct|union|enum name ` (keyword of the reference); one that
//!   is not defined expands as `struct name { UNKNOWN }`, as genksyms adds
//!   it on demand.
//!
//! A symbol joins the trail before its definition is expanded, so a
//! recursive reference takes the short form; the export itself is on the
//! trail from the start. The trail is cleared after every export. Lookups
//! follow genksyms' `find_symbol`: the name space (ordinary or tag) of the
//! reference counts, not its exact kind. The CRC is zlib's CRC-32 (initial
//! `0xffffffff`, final xor), computed with `crc32fast` over the same bytes.

use crate::error::{Error, Position, Result};
use crate::symtypes::{Namespace, SymbolKind, SymtypesEntry, SymtypesFile};
use std::collections::HashMap;

/// The CRC of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolCrc {
    /// The exported symbol.
    pub name: String,
    /// Its CRC (`__crc_NAME`).
    pub crc: u32,
    /// The bytes fed to the CRC (what `genksyms -D` prints between
    /// `Export NAME == <` and `>`), when requested.
    pub expanded: Option<String>,
}

/// A symtypes file compiled for expansion: genksyms' symbol table, with
/// every reference resolved once and runs of plain tokens pre-joined.
pub struct SymbolTable<'a> {
    file: &'a SymtypesFile,
    /// Rendered bytes: plain-token runs, short forms, UNKNOWN bodies.
    arena: Vec<u8>,
    /// All pieces; entry `i` owns `pieces[spans[i].0..spans[i].1]`.
    pieces: Vec<Piece>,
    spans: Vec<(usize, usize)>,
}

/// A byte range in the arena.
#[derive(Clone, Copy)]
struct Text(u32, u32);

/// One step of a definition.
#[derive(Clone, Copy)]
enum Piece {
    /// Plain tokens, each followed by a space.
    Plain(Text),
    /// A reference: expand `target` the first time, else feed `short`.
    Ref {
        target: Target,
        short: Text,
        /// Which token of the entry (for error messages).
        token: u32,
    },
}

#[derive(Clone, Copy)]
enum Target {
    /// A line of the file.
    Entry(u32),
    /// An undefined struct/union/enum: expands as this text
    /// (`KIND name { UNKNOWN } `); `u32` numbers it for the trail.
    Unknown(Text, u32),
    /// An undefined typedef or enum constant: an error when reached.
    Undefined,
}

impl Text {
    fn get(self, arena: &[u8]) -> &[u8] {
        arena
            .get(self.0 as usize..self.1 as usize)
            .unwrap_or_default()
    }
}

fn push_text(arena: &mut Vec<u8>, parts: &[&str]) -> Text {
    let start = arena.len() as u32;
    for p in parts {
        arena.extend_from_slice(p.as_bytes());
        arena.push(b' ');
    }
    Text(start, arena.len() as u32)
}

impl<'a> SymbolTable<'a> {
    /// Indexes and compiles `file`. Two definitions of one name in one name
    /// space are an error (genksyms never writes them: it rejects
    /// redefinitions).
    pub fn new(file: &'a SymtypesFile) -> Result<Self> {
        let mut index: HashMap<(Namespace, &str), usize> =
            HashMap::with_capacity(file.entries.len());
        for (i, e) in file.entries.iter().enumerate() {
            if let Some(&prev) = index.get(&(e.kind.namespace(), e.name.as_str())) {
                let first: &SymtypesEntry = &file.entries[prev];
                return Err(Error::malformed(
                    &file.path,
                    Position::Line {
                        line: e.line,
                        column: 1,
                    },
                    format!(
                        "second definition of '{}' (first on line {}): expected each symbol once",
                        e.name, first.line
                    ),
                ));
            }
            index.insert((e.kind.namespace(), e.name.as_str()), i);
        }
        let mut arena = Vec::new();
        let mut pieces = Vec::new();
        let mut spans = Vec::with_capacity(file.entries.len());
        let mut unknowns: HashMap<&str, (Text, u32)> = HashMap::new();
        for e in &file.entries {
            let first = pieces.len();
            let mut run: Option<u32> = None;
            for (ti, t) in e.tokens.iter().enumerate() {
                if t.kind == SymbolKind::Normal {
                    if run.is_none() {
                        run = Some(arena.len() as u32);
                    }
                    arena.extend_from_slice(t.text.as_bytes());
                    arena.push(b' ');
                    continue;
                }
                if let Some(start) = run.take() {
                    pieces.push(Piece::Plain(Text(start, arena.len() as u32)));
                }
                let target = match index.get(&(t.kind.namespace(), t.text.as_str())) {
                    Some(&i) => Target::Entry(i as u32),
                    None if t.kind.namespace() == Namespace::Tag => {
                        // genksyms adds the first undefined reference as
                        // `KIND name { UNKNOWN }`; later references (of any
                        // tag kind) find that one.
                        let n = unknowns.len() as u32;
                        let (text, id) = *unknowns.entry(t.text.as_str()).or_insert_with(|| {
                            (
                                push_text(
                                    &mut arena,
                                    &[t.kind.keyword(), &t.text, "{", "UNKNOWN", "}"],
                                ),
                                n,
                            )
                        });
                        Target::Unknown(text, id)
                    }
                    None => Target::Undefined,
                };
                let short = match t.kind.namespace() {
                    Namespace::Tag => push_text(&mut arena, &[t.kind.keyword(), &t.text]),
                    Namespace::Ordinary => push_text(&mut arena, &[&t.text]),
                };
                pieces.push(Piece::Ref {
                    target,
                    short,
                    token: ti as u32,
                });
            }
            if let Some(start) = run.take() {
                pieces.push(Piece::Plain(Text(start, arena.len() as u32)));
            }
            spans.push((first, pieces.len()));
        }
        Ok(SymbolTable {
            file,
            arena,
            pieces,
            spans,
        })
    }

    /// The CRC of the export defined by entry `idx`; with `expand`, also
    /// the expanded string.
    pub fn crc_of_entry(&self, idx: usize, expand: bool) -> Result<SymbolCrc> {
        let mut trail = Trail::new(self.file.entries.len());
        self.crc_with(idx, expand, &mut trail, &mut Vec::new())
    }

    fn crc_with(
        &self,
        idx: usize,
        expand: bool,
        trail: &mut Trail,
        buf: &mut Vec<u8>,
    ) -> Result<SymbolCrc> {
        let export = self.file.entries.get(idx).ok_or_else(|| {
            Error::malformed(&self.file.path, Position::File, format!("no entry {idx}"))
        })?;
        buf.clear();
        // Collecting the bytes and hashing once is faster than feeding
        // crc32fast many short slices (measured with scripts/bench-crc.sh).
        let feed = |bytes: &[u8], buf: &mut Vec<u8>| buf.extend_from_slice(bytes);
        trail.reset();
        trail.mark_entry(idx);
        // (entry, next piece): an explicit stack instead of recursion, so
        // deep type chains in hostile input cannot overflow the stack.
        let mut stack: Vec<(usize, usize)> = vec![(idx, self.spans.get(idx).map_or(0, |s| s.0))];
        while let Some(top) = stack.last_mut() {
            let (entry, pos) = *top;
            let end = self.spans.get(entry).map_or(0, |s| s.1);
            let Some(piece) = self.pieces.get(pos).filter(|_| pos < end) else {
                stack.pop();
                continue;
            };
            top.1 += 1;
            match *piece {
                Piece::Plain(t) => feed(t.get(&self.arena), buf),
                Piece::Ref {
                    target,
                    short,
                    token,
                } => match target {
                    Target::Entry(i) => {
                        let i = i as usize;
                        if trail.has_entry(i) {
                            feed(short.get(&self.arena), buf);
                        } else {
                            trail.mark_entry(i);
                            stack.push((i, self.spans.get(i).map_or(0, |s| s.0)));
                        }
                    }
                    Target::Unknown(text, id) => {
                        if trail.mark_unknown(id) {
                            feed(text.get(&self.arena), buf);
                        } else {
                            feed(short.get(&self.arena), buf);
                        }
                    }
                    Target::Undefined => return Err(self.undefined(entry, token, &export.name)),
                },
            }
        }
        let crc = crc32fast::hash(buf);
        let expanded = expand.then(|| String::from_utf8_lossy(buf).into_owned());
        Ok(SymbolCrc {
            name: export.name.clone(),
            crc,
            expanded,
        })
    }

    fn undefined(&self, entry: usize, token: u32, export: &str) -> Error {
        let e = self.file.entries.get(entry);
        let t = e.and_then(|e| e.tokens.get(token as usize));
        let (line, what) = e.map_or((0, ""), |e| (e.line, e.name.as_str()));
        let column = t.map_or(1, |t| t.column);
        let (reference, keyword, name) = t.map_or((String::new(), "", ""), |t| {
            (
                t.kind
                    .prefix()
                    .map(|p| format!("{p}#{}", t.text))
                    .unwrap_or_default(),
                t.kind.keyword(),
                t.text.as_str(),
            )
        });
        Error::malformed(
            &self.file.path,
            Position::Line { line, column },
            format!(
                "'{reference}' (in the definition of '{what}', needed by export '{export}') refers to undefined {keyword} '{name}': expected a line defining it"
            ),
        )
    }
}

/// genksyms' expansion trail, reset per export in O(1) by generation.
struct Trail {
    generation: u32,
    entries: Vec<u32>,
    unknowns: Vec<u32>,
}

impl Trail {
    fn new(n: usize) -> Self {
        Trail {
            generation: 0,
            entries: vec![0; n],
            unknowns: Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.entries.iter_mut().for_each(|g| *g = 0);
            self.unknowns.iter_mut().for_each(|g| *g = 0);
            self.generation = 1;
        }
    }
    fn has_entry(&self, i: usize) -> bool {
        self.entries.get(i) == Some(&self.generation)
    }
    fn mark_entry(&mut self, i: usize) {
        if let Some(g) = self.entries.get_mut(i) {
            *g = self.generation;
        }
    }
    /// Marks an undefined tag; false if it was already on the trail.
    fn mark_unknown(&mut self, id: u32) -> bool {
        let id = id as usize;
        if self.unknowns.len() <= id {
            self.unknowns.resize(id + 1, 0);
        }
        let g = &mut self.unknowns[id];
        let fresh = *g != self.generation;
        *g = self.generation;
        fresh
    }
}

/// The CRCs of every export in `file`, in file order (the order genksyms
/// printed them), optionally with the expanded strings.
pub fn export_crcs(file: &SymtypesFile, expand: bool) -> Result<Vec<SymbolCrc>> {
    let table = SymbolTable::new(file)?;
    let mut trail = Trail::new(file.entries.len());
    let mut buf = Vec::with_capacity(4096);
    file.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == SymbolKind::Normal)
        .map(|(i, _)| table.crc_with(i, expand, &mut trail, &mut buf))
        .collect()
}

/// How genksyms prints a CRC for a kernel: `#SYMVER name 0x%08lx` from
/// 5.19 (appended to `.foo.o.cmd`), `__crc_name = 0x%08lx;` before (the
/// `foo.o.symversions` linker script of the LTO build).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcFormat {
    /// `#SYMVER name 0x%08lx` (5.19+).
    Symver,
    /// `__crc_name = 0x%08lx;` (up to 5.18).
    Lds,
}

impl CrcFormat {
    /// The format genksyms of kernel `k` uses.
    pub fn for_kernel(k: crate::kver::KernelVersion) -> Self {
        if k.at_least(5, 19) {
            CrcFormat::Symver
        } else {
            CrcFormat::Lds
        }
    }

    /// One output line, with its newline.
    pub fn line(self, name: &str, crc: u32) -> String {
        match self {
            CrcFormat::Symver => format!("#SYMVER {name} 0x{crc:08x}\n"),
            CrcFormat::Lds => format!("__crc_{name} = 0x{crc:08x};\n"),
        }
    }
}

/// The debug dump of `genksyms -D` for one export:
/// `Export NAME == <EXPANDED>` and a newline.
pub fn dump_line(c: &SymbolCrc) -> String {
    format!(
        "Export {} == <{}>\n",
        c.name,
        c.expanded.as_deref().unwrap_or_default()
    )
}

/// What `modver crc` prints: the lines genksyms of one kernel layout
/// writes, or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CrcOutput {
    /// `#SYMVER name 0x%08x` (genksyms 5.19+)
    Symver,
    /// `__crc_name = 0x%08x;` (genksyms up to 5.18)
    Lds,
    /// JSON array of {file, symbol, crc[, expanded]}
    Json,
}

impl CrcOutput {
    /// What genksyms of kernel `k` prints ([`CrcFormat::for_kernel`]).
    pub fn for_kernel(k: crate::kver::KernelVersion) -> Self {
        match CrcFormat::for_kernel(k) {
            CrcFormat::Symver => CrcOutput::Symver,
            CrcFormat::Lds => CrcOutput::Lds,
        }
    }
}

/// The export CRCs of one symtypes file ([`export_crcs`]), with its path.
#[derive(Debug, Clone)]
pub struct FileCrcs {
    /// The symtypes file, as given.
    pub path: String,
    /// Its exports' CRCs, in file order.
    pub crcs: Vec<SymbolCrc>,
}

/// The names in `only` that no file in `files` exports.
pub fn exports_not_found<'a>(files: &[FileCrcs], only: &'a [String]) -> Vec<&'a str> {
    only.iter()
        .filter(|s| !files.iter().any(|f| f.crcs.iter().any(|c| &c.name == *s)))
        .map(String::as_str)
        .collect()
}

/// The CRCs of `files` as `format` prints them, in file order; only the
/// exports named in `only` (every export when it is empty). With
/// `expand`, each genksyms line follows its `genksyms -D` dump line
/// ([`dump_line`]).
pub fn render(
    files: &[FileCrcs],
    format: CrcOutput,
    only: &[String],
    expand: bool,
) -> Result<String> {
    let wanted = |n: &str| only.is_empty() || only.iter().any(|s| s == n);
    let selected = files
        .iter()
        .flat_map(|f| f.crcs.iter().map(move |c| (f.path.as_str(), c)))
        .filter(|(_, c)| wanted(&c.name));
    let line_format = match format {
        CrcOutput::Symver => CrcFormat::Symver,
        CrcOutput::Lds => CrcFormat::Lds,
        CrcOutput::Json => {
            #[derive(serde::Serialize)]
            struct JsonCrc<'a> {
                file: &'a str,
                symbol: &'a str,
                crc: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                expanded: Option<&'a str>,
            }
            let items: Vec<JsonCrc<'_>> = selected
                .map(|(file, c)| JsonCrc {
                    file,
                    symbol: &c.name,
                    crc: format!("0x{:08x}", c.crc),
                    expanded: c.expanded.as_deref(),
                })
                .collect();
            return crate::output::to_json(&items);
        }
    };
    let mut out = String::new();
    for (_, c) in selected {
        if expand {
            out.push_str(&dump_line(c));
        }
        out.push_str(&line_format.line(&c.name, c.crc));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symtypes::parse;

    fn crcs(text: &str) -> Vec<(String, String)> {
        let f = parse("t", text).unwrap();
        export_crcs(&f, true)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.expanded.unwrap()))
            .collect()
    }

    #[test]
    fn trail_rules() {
        let got = crcs(
            "s#list struct list { s#list * next ; t#u8 v ; t#u8 w ; } \n\
             t#u8 typedef unsigned char u8 \n\
             f int f ( s#list * , s#list * , s#other ) \n",
        );
        assert_eq!(
            got[0].1,
            "int f ( struct list { struct list * next ; typedef unsigned char u8 v ; u8 w ; } * , \
             struct list * , struct other { UNKNOWN } ) "
        );
    }

    #[test]
    fn recursion_terminates() {
        let got = crcs("t#a typedef t#b a \nt#b typedef t#a b \nx t#a x \n");
        assert_eq!(got[0].1, "typedef typedef a b a x ");
    }

    #[test]
    fn undefined_typedef_is_an_error() {
        let f = parse("t", "x\nf int f ( t#nope ) \n").unwrap();
        let e = export_crcs(&f, false).unwrap_err().to_string();
        assert!(
            e.starts_with("t:2:11: ") && e.contains("undefined typedef 'nope'"),
            "{e}"
        );
    }
}
