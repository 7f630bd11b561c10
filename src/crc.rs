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
use crate::symtypes::{
    body_segments, BodySegment, LazySymtypes, Namespace, SymbolKind, SymtypesFile, Token,
};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

/// A symtypes file compiled for expansion: genksyms' symbol table
/// (`symtab` and `expand_and_crc_sym`), with every reference resolved once
/// and runs of plain tokens kept as the slices of the file they are (a
/// genksyms-written line separates tokens by exactly the one space the
/// CRC is fed after each).
pub struct Expander<'a> {
    file: &'a SymtypesFile<'a>,
    /// All pieces; entry `i` owns `pieces[spans[i].0..spans[i].1]`.
    pieces: Vec<Piece<'a>>,
    spans: Vec<(u32, u32)>,
    /// Undefined structs/unions/enums: the kind of the first reference
    /// (whose keyword genksyms' on-demand definition takes) and the name.
    unknowns: Vec<(SymbolKind, &'a str)>,
}

/// One step of a definition.
#[derive(Clone, Copy)]
enum Piece<'a> {
    /// Plain text fed as is (tokens, each followed by its space).
    Plain(&'a [u8]),
    /// A reference: expand `target` the first time, else feed the short
    /// form (`KEYWORD name ` for tags, `name ` otherwise).
    Ref {
        target: Target,
        kind: SymbolKind,
        name: &'a [u8],
        /// Which token of the entry (for error messages).
        token: u32,
    },
}

#[derive(Clone, Copy)]
enum Target {
    /// A line of the file.
    Entry(u32),
    /// An undefined struct/union/enum (index into `unknowns`): expands as
    /// `KIND name { UNKNOWN } `.
    Unknown(u32),
    /// An undefined typedef or enum constant: an error when reached.
    Undefined,
}

/// FNV-1a over name bytes: symbol names are short, and the std SipHash
/// costs more than the rest of indexing a file.
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A `HashMap` keyed by symbol names, hashed with [`FnvHasher`].
pub(crate) type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<FnvHasher>>;

/// The keyword and space of a tag's short form (`struct `).
fn keyword_space(kind: SymbolKind) -> &'static [u8] {
    match kind {
        SymbolKind::Struct => b"struct ",
        SymbolKind::Union => b"union ",
        SymbolKind::Enum => b"enum ",
        _ => b"",
    }
}

/// Where the bytes of `t` sit in `text`, if they are a slice of it.
fn offset_in(text: &str, t: &str) -> Option<usize> {
    let off = (t.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (off.checked_add(t.len())? <= text.len()).then_some(off)
}

impl<'a> Expander<'a> {
    /// Indexes and compiles `file`. Two definitions of one name in one name
    /// space are an error (genksyms never writes them: it rejects
    /// redefinitions).
    pub fn new(file: &'a SymtypesFile<'a>) -> Result<Self> {
        Self::build(file, |i, c| {
            c.tokens(file.text, file.entries[i].tokens.iter())
        })
    }

    /// [`Expander::new`] for a file read with [`crate::symtypes::parse_lazy`]:
    /// an entry with a body is compiled from it, its plain runs as they are.
    pub fn new_lazy(lazy: &'a LazySymtypes<'a>) -> Result<Self> {
        let file = &lazy.file;
        Self::build(file, |i, c| match lazy.body(i) {
            Some(body) => c.segments(body_segments(body)),
            None => c.tokens(file.text, file.entries[i].tokens.iter()),
        })
    }

    /// The index and the compiled pieces, entry `i`'s by `compile(i, ..)`.
    fn build(
        file: &'a SymtypesFile<'a>,
        mut compile: impl FnMut(usize, &mut Compiler<'a, '_>),
    ) -> Result<Self> {
        let mut index: NameMap<(Namespace, &str), u32> =
            NameMap::with_capacity_and_hasher(file.entries.len(), Default::default());
        for (i, e) in file.entries.iter().enumerate() {
            if let Some(&prev) = index.get(&(e.kind.namespace(), e.name)) {
                let first = &file.entries[prev as usize];
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
            index.insert((e.kind.namespace(), e.name), i as u32);
        }
        let mut c = Compiler {
            index: &index,
            pieces: Vec::with_capacity(file.entries.len() * 4),
            unknowns: Vec::new(),
            unknown_ids: NameMap::default(),
        };
        let mut spans = Vec::with_capacity(file.entries.len());
        for ei in 0..file.entries.len() {
            let first = c.pieces.len() as u32;
            compile(ei, &mut c);
            spans.push((first, c.pieces.len() as u32));
        }
        Ok(Expander {
            file,
            pieces: c.pieces,
            spans,
            unknowns: c.unknowns,
        })
    }

    /// The CRC of the export defined by entry `idx`; with `expand`, also
    /// the expanded string.
    pub fn crc_of_entry(&self, idx: usize, expand: bool) -> Result<SymbolCrc> {
        let mut state = ExpandState::new(self.file.entries.len(), self.unknowns.len());
        self.crc_with(idx, expand, &mut state)
    }

    fn span(&self, i: usize) -> (usize, usize) {
        self.spans
            .get(i)
            .map_or((0, 0), |&(s, e)| (s as usize, e as usize))
    }

    fn crc_with(&self, idx: usize, expand: bool, st: &mut ExpandState) -> Result<SymbolCrc> {
        let export = self.file.entries.get(idx).ok_or_else(|| {
            Error::malformed(&self.file.path, Position::File, format!("no entry {idx}"))
        })?;
        let ExpandState { trail, stack, sink } = st;
        sink.reset(expand);
        trail.reset();
        trail.mark_entry(idx);
        // (entry, next piece, end): an explicit stack instead of recursion,
        // so deep type chains in hostile input cannot overflow the stack.
        stack.clear();
        let (s, e) = self.span(idx);
        stack.push((idx, s, e));
        while let Some(top) = stack.last_mut() {
            let (entry, pos, end) = *top;
            let Some(piece) = self.pieces.get(pos).filter(|_| pos < end) else {
                stack.pop();
                continue;
            };
            top.1 += 1;
            match *piece {
                Piece::Plain(t) => sink.feed(t),
                Piece::Ref {
                    target,
                    kind,
                    name,
                    token,
                } => match target {
                    Target::Entry(i) => {
                        let i = i as usize;
                        if trail.has_entry(i) {
                            sink.feed_short(kind, name);
                        } else {
                            trail.mark_entry(i);
                            let (s, e) = self.span(i);
                            stack.push((i, s, e));
                        }
                    }
                    Target::Unknown(id) => {
                        if trail.mark_unknown(id) {
                            let (k, n) = self
                                .unknowns
                                .get(id as usize)
                                .copied()
                                .unwrap_or((kind, ""));
                            sink.feed_short(k, n.as_bytes());
                            sink.feed(b"{ UNKNOWN } ");
                        } else {
                            sink.feed_short(kind, name);
                        }
                    }
                    Target::Undefined => return Err(self.undefined(entry, token, export.name)),
                },
            }
        }
        let (crc, expanded) = sink.finish();
        Ok(SymbolCrc {
            name: export.name.to_string(),
            crc,
            expanded,
        })
    }

    fn undefined(&self, entry: usize, token: u32, export: &str) -> Error {
        let e = self.file.entries.get(entry);
        let t = e.and_then(|e| e.tokens.get(token as usize));
        let (line, what) = e.map_or((0, ""), |e| (e.line, e.name));
        let column = t.map_or(1, |t| t.column);
        let (reference, keyword, name) = t.map_or((String::new(), "", ""), |t| {
            (
                t.kind
                    .prefix()
                    .map(|p| format!("{p}#{}", t.text))
                    .unwrap_or_default(),
                t.kind.keyword(),
                t.text,
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

/// Turns definitions into pieces, resolving references against `index`.
struct Compiler<'a, 'i> {
    index: &'i NameMap<(Namespace, &'a str), u32>,
    pieces: Vec<Piece<'a>>,
    unknowns: Vec<(SymbolKind, &'a str)>,
    unknown_ids: NameMap<&'a str, u32>,
}

impl<'a> Compiler<'a, '_> {
    fn reference(&mut self, t: &Token<'a>, token: usize) {
        self.pieces.push(Piece::Ref {
            target: resolve(self.index, &mut self.unknown_ids, &mut self.unknowns, t),
            kind: t.kind,
            name: t.text.as_bytes(),
            token: token as u32,
        });
    }

    /// One entry's tokens (slices of `text`): plain tokens that follow
    /// each other in the text, one space apart, become one piece.
    fn tokens<'t>(&mut self, text: &'a str, tokens: impl Iterator<Item = &'t Token<'a>>)
    where
        'a: 't,
    {
        // The open run of plain tokens, as a range of `text`.
        let mut run: Option<(usize, usize)> = None;
        let close = |run: &mut Option<(usize, usize)>, pieces: &mut Vec<Piece<'a>>| {
            if let Some((s, e)) = run.take() {
                pieces.push(Piece::Plain(text.as_bytes().get(s..e).unwrap_or_default()));
            }
        };
        for (ti, t) in tokens.enumerate() {
            if t.kind == SymbolKind::Normal {
                push_plain(text, t, &mut run, &mut self.pieces);
                continue;
            }
            close(&mut run, &mut self.pieces);
            self.reference(t, ti);
        }
        close(&mut run, &mut self.pieces);
    }

    /// One entry's lazy body segments. Errors are reported from a full
    /// parse (token numbers here are 0).
    fn segments(&mut self, segments: impl Iterator<Item = BodySegment<'a>>) {
        for s in segments {
            match s {
                BodySegment::Plain(p) => self.pieces.push(Piece::Plain(p.as_bytes())),
                BodySegment::Ref(t) => self.reference(&t, 0),
            }
        }
    }
}

/// Adds plain token `t` to the open run if it continues it in the file,
/// else starts a new run (or, for a token not followed by a space in the
/// file, feeds it and a space as pieces of their own).
fn push_plain<'a>(
    text: &'a str,
    t: &Token<'a>,
    run: &mut Option<(usize, usize)>,
    pieces: &mut Vec<Piece<'a>>,
) {
    let at = offset_in(text, t.text);
    let spaced = at.filter(|&o| text.as_bytes().get(o + t.text.len()) == Some(&b' '));
    match (spaced, *run) {
        (Some(o), Some((s, e))) if o == e => *run = Some((s, o + t.text.len() + 1)),
        (Some(o), _) => {
            if let Some((s, e)) = run.take() {
                pieces.push(Piece::Plain(text.as_bytes().get(s..e).unwrap_or_default()));
            }
            *run = Some((o, o + t.text.len() + 1));
        }
        (None, _) => {
            if let Some((s, e)) = run.take() {
                pieces.push(Piece::Plain(text.as_bytes().get(s..e).unwrap_or_default()));
            }
            pieces.push(Piece::Plain(t.text.as_bytes()));
            pieces.push(Piece::Plain(b" "));
        }
    }
}

/// What reference `t` points at, following genksyms' `find_symbol` (by
/// name space); the first undefined tag is added as genksyms adds it on
/// demand, and later references of any tag kind find that one.
fn resolve<'a>(
    index: &NameMap<(Namespace, &'a str), u32>,
    unknown_ids: &mut NameMap<&'a str, u32>,
    unknowns: &mut Vec<(SymbolKind, &'a str)>,
    t: &Token<'a>,
) -> Target {
    match index.get(&(t.kind.namespace(), t.text)) {
        Some(&i) => Target::Entry(i),
        None if t.kind.namespace() == Namespace::Tag => {
            let id = *unknown_ids.entry(t.text).or_insert_with(|| {
                unknowns.push((t.kind, t.text));
                (unknowns.len() - 1) as u32
            });
            Target::Unknown(id)
        }
        None => Target::Undefined,
    }
}

/// Where the expanded bytes go: a bounded buffer hashed as it fills (the
/// expansion is never held whole unless it is asked for). Feeding
/// crc32fast many short slices is slower than copying them into a buffer
/// and hashing it in large blocks.
struct CrcSink {
    hasher: crc32fast::Hasher,
    buf: Vec<u8>,
    keep: bool,
}

/// Flush threshold of [`CrcSink`]: large enough for the SIMD CRC, small
/// enough to stay in L1/L2.
const SINK_BLOCK: usize = 16 * 1024;

/// Plain runs at least this long skip the buffer.
const SINK_DIRECT: usize = 100000000;

impl CrcSink {
    fn reset(&mut self, keep: bool) {
        self.hasher = crc32fast::Hasher::new();
        self.buf.clear();
        self.keep = keep;
    }
    #[inline]
    fn feed(&mut self, bytes: &[u8]) {
        if !self.keep && bytes.len() >= SINK_DIRECT {
            // Long runs are hashed where they lie in the file.
            self.hasher.update(&self.buf);
            self.buf.clear();
            self.hasher.update(bytes);
            return;
        }
        self.buf.extend_from_slice(bytes);
        if !self.keep && self.buf.len() >= SINK_BLOCK {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }
    #[inline]
    fn feed_short(&mut self, kind: SymbolKind, name: &[u8]) {
        self.buf.extend_from_slice(keyword_space(kind));
        self.buf.extend_from_slice(name);
        self.feed(b" ");
    }
    fn finish(&mut self) -> (u32, Option<String>) {
        let mut h = std::mem::replace(&mut self.hasher, crc32fast::Hasher::new());
        h.update(&self.buf);
        let expanded = self
            .keep
            .then(|| String::from_utf8_lossy(&self.buf).into_owned());
        (h.finalize(), expanded)
    }
}

/// Scratch state reused across the exports of a file.
struct ExpandState {
    trail: Trail,
    stack: Vec<(usize, usize, usize)>,
    sink: CrcSink,
}

impl ExpandState {
    fn new(entries: usize, unknowns: usize) -> Self {
        ExpandState {
            trail: Trail::new(entries, unknowns),
            stack: Vec::new(),
            sink: CrcSink {
                hasher: crc32fast::Hasher::new(),
                buf: Vec::with_capacity(SINK_BLOCK * 2),
                keep: false,
            },
        }
    }
}

/// genksyms' expansion trail, reset per export in O(1) by generation.
struct Trail {
    generation: u32,
    entries: Vec<u32>,
    unknowns: Vec<u32>,
}

impl Trail {
    fn new(n: usize, unknowns: usize) -> Self {
        Trail {
            generation: 0,
            entries: vec![0; n],
            unknowns: vec![0; unknowns],
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
        let Some(g) = self.unknowns.get_mut(id as usize) else {
            return false;
        };
        let fresh = *g != self.generation;
        *g = self.generation;
        fresh
    }
}

/// The CRCs of every export in `file`, in file order (the order genksyms
/// printed them), optionally with the expanded strings.
pub fn export_crcs(file: &SymtypesFile<'_>, expand: bool) -> Result<Vec<SymbolCrc>> {
    crcs_of(file, &Expander::new(file)?, expand)
}

/// [`export_crcs`] of the symtypes bytes `data` (`path` names them in
/// messages): read with [`crate::symtypes::parse_lazy`] where the file has
/// genksyms' exact layout, else (or on any error, to report it where
/// [`crate::symtypes::parse`] finds it) parsed in full.
pub fn export_crcs_of_bytes(path: &str, data: &[u8], expand: bool) -> Result<Vec<SymbolCrc>> {
    let lazy = std::str::from_utf8(data)
        .ok()
        .and_then(|t| crate::symtypes::parse_lazy(path, t));
    if let Some(lazy) = &lazy {
        if let Ok(crcs) = Expander::new_lazy(lazy).and_then(|x| crcs_of(&lazy.file, &x, expand)) {
            return Ok(crcs);
        }
    }
    export_crcs(&crate::symtypes::parse_bytes(path, data)?, expand)
}

fn crcs_of(file: &SymtypesFile<'_>, table: &Expander<'_>, expand: bool) -> Result<Vec<SymbolCrc>> {
    let mut state = ExpandState::new(file.entries.len(), table.unknowns.len());
    file.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == SymbolKind::Normal)
        .map(|(i, _)| table.crc_with(i, expand, &mut state))
        .collect()
}

/// Which tool wrote a symtypes file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SymtypesDialect {
    /// gendwarfksyms if the type strings use DWARF words, else genksyms
    Auto,
    /// genksyms -T output
    Genksyms,
    /// gendwarfksyms --symtypes output
    Dwarf,
}

/// The export CRCs of each symtypes file in `paths` (read, parsed and
/// expanded in parallel, one file per task: files are independent), in
/// the order given, with each file's name as it appears in messages. A
/// gendwarfksyms file (by `dialect`, or detected with
/// [`crate::dwarfksyms::symtypes::is_dwarf_symtypes`]) gets its CRCs as
/// gendwarfksyms' `calculate_version` computes them. The first file that
/// fails (in that order) is the error.
pub fn files_export_crcs(
    paths: &[std::path::PathBuf],
    expand: bool,
    dialect: SymtypesDialect,
) -> Result<Vec<FileCrcs>> {
    let weight = |i: usize| crate::parallel::file_weight(&paths[i]);
    crate::parallel::map_heaviest_first(paths.len(), weight, |i| {
        let text = crate::symtypes::read(&paths[i])?;
        let dwarf = match dialect {
            SymtypesDialect::Dwarf => true,
            SymtypesDialect::Genksyms => false,
            SymtypesDialect::Auto => {
                // The detection reads at most 64 lines: convert only those.
                let head = memchr::memchr_iter(b'\n', &text.data)
                    .nth(63)
                    .map_or(&text.data[..], |nl| &text.data[..nl]);
                crate::dwarfksyms::symtypes::is_dwarf_symtypes(&String::from_utf8_lossy(head))
            }
        };
        let crcs = if dwarf {
            let s = String::from_utf8_lossy(&text.data);
            crate::dwarfksyms::symtypes::export_crcs(&text.path, &s, expand)?
        } else {
            export_crcs_of_bytes(&text.path, &text.data, expand)?
        };
        Ok(FileCrcs {
            path: text.path,
            crcs,
            dwarf,
        })
    })
    .into_iter()
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
    /// Written by gendwarfksyms (`--expand` then prints its
    /// `--dump-versions` lines instead of `genksyms -D`'s).
    pub dwarf: bool,
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
        .flat_map(|f| f.crcs.iter().map(move |c| (f, c)))
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
                    file: &file.path,
                    symbol: &c.name,
                    crc: format!("0x{:08x}", c.crc),
                    expanded: c.expanded.as_deref(),
                })
                .collect();
            return crate::output::to_json(&items);
        }
    };
    let mut out = String::new();
    for (file, c) in selected {
        if expand && file.dwarf {
            // As gendwarfksyms --dump-versions prints it.
            let e = c.expanded.as_deref().unwrap_or_default();
            out.push_str(&format!("{} {e}\n", c.name));
        } else if expand {
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
