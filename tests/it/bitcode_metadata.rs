//! The native debug-info metadata reader against each LLVM version's own
//! `llvm-dis`: every field of every DI node reachable from a function's or
//! global's `!dbg` attachment (and from the named metadata) must be what
//! `llvm-dis` prints for the same bitcode, node for node.
//!
//! Fixtures: testdata/bitcode-metadata/*.c (and kernel_rust.rs with the
//! rustc on PATH), built by its build.sh with clang 15, 16, 19 and 22 as
//! ThinLTO, full-LTO, arm64 and wrapped (Darwin) bitcode.
//! Needs `scripts/setup.sh llvm-all`.

use crate::util::require;
use modver::bitcode::metadata::{self, Field, MdId, MdRef, Metadata, ModuleMetadata, ValueRef};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const VERSIONS: [u32; 4] = [15, 16, 19, 22];

/// The corpus of LLVM `v`, built once per test process: several tests read
/// the same version's objects, and rebuilding it per test raced (one test
/// deleted the directory another was building).
fn corpus(v: u32) -> PathBuf {
    require(&format!("clang-{v}"), "llvm-all");
    require(&format!("llvm-dis-{v}"), "llvm-all");
    crate::fixture::once_dir(&format!("bitcode-metadata-{v}"), || {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bitcode-metadata-{v}"));
        let _ = std::fs::remove_dir_all(&out);
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bitcode-metadata/build.sh");
        let st = crate::util::tool("bash")
            .arg(&script)
            .arg(v.to_string())
            .arg(&out)
            .run();
        assert!(st.success(), "build.sh {v} failed");
        out
    })
    .to_path_buf()
}

fn objects(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------
// llvm-dis text

/// A value as llvm-dis prints it.
#[derive(Debug, Clone, PartialEq)]
enum TVal {
    Null,
    Ref(u64),
    Str(Vec<u8>),
    Int(i128),
    /// `DW_TAG_member`, `DIFlagA | DIFlagB`, `true`, ...: already numeric.
    Global(String),
    /// `i64 0`, `ptr @g`.
    Typed(Box<TVal>),
    Tuple(Vec<TVal>),
    /// `!DIExpression(...)` and other inline nodes.
    Inline(String, Vec<(Option<String>, TVal)>),
}

#[derive(Debug, Clone)]
struct TNode {
    distinct: bool,
    /// `DICompositeType`, or "" for a tuple.
    kind: String,
    fields: Vec<(Option<String>, TVal)>,
}

#[derive(Debug, Default)]
struct Text {
    nodes: HashMap<u64, TNode>,
    named: HashMap<String, Vec<TVal>>,
    /// Global name -> its `!dbg` node numbers.
    dbg: BTreeMap<String, Vec<u64>>,
}

fn constant(name: &str) -> Option<i128> {
    const TABLE: &[(&str, i128)] = &[
        ("DW_TAG_array_type", 0x01),
        ("DW_TAG_class_type", 0x02),
        ("DW_TAG_enumeration_type", 0x04),
        ("DW_TAG_formal_parameter", 0x05),
        ("DW_TAG_imported_declaration", 0x08),
        ("DW_TAG_label", 0x0a),
        ("DW_TAG_lexical_block", 0x0b),
        ("DW_TAG_member", 0x0d),
        ("DW_TAG_pointer_type", 0x0f),
        ("DW_TAG_reference_type", 0x10),
        ("DW_TAG_compile_unit", 0x11),
        ("DW_TAG_string_type", 0x12),
        ("DW_TAG_structure_type", 0x13),
        ("DW_TAG_subroutine_type", 0x15),
        ("DW_TAG_typedef", 0x16),
        ("DW_TAG_union_type", 0x17),
        ("DW_TAG_unspecified_parameters", 0x18),
        ("DW_TAG_variant", 0x19),
        ("DW_TAG_inheritance", 0x1c),
        ("DW_TAG_ptr_to_member_type", 0x1f),
        ("DW_TAG_subrange_type", 0x21),
        ("DW_TAG_base_type", 0x24),
        ("DW_TAG_const_type", 0x26),
        ("DW_TAG_enumerator", 0x28),
        ("DW_TAG_subprogram", 0x2e),
        ("DW_TAG_template_type_parameter", 0x2f),
        ("DW_TAG_template_value_parameter", 0x30),
        ("DW_TAG_variant_part", 0x33),
        ("DW_TAG_variable", 0x34),
        ("DW_TAG_volatile_type", 0x35),
        ("DW_TAG_restrict_type", 0x37),
        ("DW_TAG_namespace", 0x39),
        ("DW_TAG_imported_module", 0x3a),
        ("DW_TAG_unspecified_type", 0x3b),
        ("DW_TAG_rvalue_reference_type", 0x42),
        ("DW_TAG_generic_subrange", 0x45),
        ("DW_TAG_atomic_type", 0x47),
        ("DW_TAG_immutable_type", 0x4b),
        ("DW_TAG_GNU_template_parameter_pack", 0x4107),
        ("DW_TAG_LLVM_annotation", 0x6000),
        ("DW_ATE_address", 1),
        ("DW_ATE_boolean", 2),
        ("DW_ATE_complex_float", 3),
        ("DW_ATE_float", 4),
        ("DW_ATE_signed", 5),
        ("DW_ATE_signed_char", 6),
        ("DW_ATE_unsigned", 7),
        ("DW_ATE_unsigned_char", 8),
        ("DW_ATE_UTF", 0x10),
        ("DW_LANG_C89", 0x1),
        ("DW_LANG_C", 0x2),
        ("DW_LANG_C99", 0xc),
        ("DW_LANG_Rust", 0x1c),
        ("DW_LANG_C11", 0x1d),
        ("DW_LANG_C17", 0x2c),
        ("DW_CC_normal", 1),
        ("DW_CC_nocall", 3),
        ("DW_OP_deref", 0x06),
        ("DW_OP_constu", 0x10),
        ("DW_OP_consts", 0x11),
        ("DW_OP_minus", 0x1c),
        ("DW_OP_plus", 0x22),
        ("DW_OP_plus_uconst", 0x23),
        ("DW_OP_stack_value", 0x9f),
        ("DW_OP_LLVM_fragment", 0x1000),
        ("DW_OP_LLVM_convert", 0x1001),
        ("DW_OP_LLVM_arg", 0x1005),
        ("CSK_MD5", 1),
        ("CSK_SHA1", 2),
        ("CSK_SHA256", 3),
        ("NoDebug", 0),
        ("FullDebug", 1),
        ("LineTablesOnly", 2),
        ("DebugDirectivesOnly", 3),
        ("Default", 0),
        ("GNU", 1),
        ("None", 2),
        ("Apple", 3),
        ("true", 1),
        ("false", 0),
        ("DIFlagZero", 0),
        ("DIFlagPrivate", 1),
        ("DIFlagProtected", 2),
        ("DIFlagPublic", 3),
        ("DIFlagFwdDecl", 1 << 2),
        ("DIFlagAppleBlock", 1 << 3),
        ("DIFlagVirtual", 1 << 5),
        ("DIFlagArtificial", 1 << 6),
        ("DIFlagExplicit", 1 << 7),
        ("DIFlagPrototyped", 1 << 8),
        ("DIFlagObjcClassComplete", 1 << 9),
        ("DIFlagObjectPointer", 1 << 10),
        ("DIFlagVector", 1 << 11),
        ("DIFlagStaticMember", 1 << 12),
        ("DIFlagLValueReference", 1 << 13),
        ("DIFlagRValueReference", 1 << 14),
        ("DIFlagExportSymbols", 1 << 15),
        ("DIFlagSingleInheritance", 1 << 16),
        ("DIFlagMultipleInheritance", 2 << 16),
        ("DIFlagVirtualInheritance", 3 << 16),
        ("DIFlagIntroducedVirtual", 1 << 18),
        ("DIFlagBitField", 1 << 19),
        ("DIFlagNoReturn", 1 << 20),
        ("DIFlagTypePassByValue", 1 << 22),
        ("DIFlagTypePassByReference", 1 << 23),
        ("DIFlagEnumClass", 1 << 24),
        ("DIFlagThunk", 1 << 25),
        ("DIFlagNonTrivial", 1 << 26),
        ("DIFlagBigEndian", 1 << 27),
        ("DIFlagLittleEndian", 1 << 28),
        ("DIFlagAllCallsDescribed", 1 << 29),
        ("DISPFlagZero", 0),
        ("DISPFlagVirtual", 1),
        ("DISPFlagPureVirtual", 2),
        ("DISPFlagLocalToUnit", 1 << 2),
        ("DISPFlagDefinition", 1 << 3),
        ("DISPFlagOptimized", 1 << 4),
        ("DISPFlagPure", 1 << 5),
        ("DISPFlagElemental", 1 << 6),
        ("DISPFlagRecursive", 1 << 7),
        ("DISPFlagMainSubprogram", 1 << 8),
        ("DISPFlagDeleted", 1 << 9),
        ("DISPFlagObjCDirect", 1 << 11),
    ];
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

struct P<'s> {
    s: &'s [u8],
    i: usize,
    line: &'s str,
}

impl P<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }
    fn ws(&mut self) {
        while self.peek() == b' ' {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn word(&mut self) -> String {
        self.ws();
        let st = self.i;
        while matches!(self.peek(), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'$')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[st..self.i]).into_owned()
    }
    fn string(&mut self) -> Vec<u8> {
        assert_eq!(self.peek(), b'"', "string expected in {}", self.line);
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                b'"' => {
                    self.i += 1;
                    return out;
                }
                b'\\' => {
                    let h = std::str::from_utf8(&self.s[self.i + 1..self.i + 3]).unwrap();
                    if h.starts_with('\\') {
                        out.push(b'\\');
                        self.i += 2;
                    } else {
                        out.push(u8::from_str_radix(h, 16).unwrap());
                        self.i += 3;
                    }
                }
                0 => panic!("unterminated string in {}", self.line),
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }
    fn global_name(&mut self) -> String {
        assert!(self.eat("@"), "@ expected in {}", self.line);
        if self.peek() == b'"' {
            String::from_utf8(self.string()).unwrap()
        } else {
            self.word()
        }
    }
    fn number_or_ident(&mut self) -> TVal {
        let w = self.word();
        if let Ok(v) = w.parse::<i128>() {
            return TVal::Int(v);
        }
        if w.starts_with('i') && w[1..].chars().all(|c| c.is_ascii_digit()) || w == "ptr" {
            // A typed constant.
            self.ws();
            let inner = if self.peek() == b'@' {
                TVal::Global(self.global_name())
            } else {
                match self.word().as_str() {
                    "null" | "zeroinitializer" => TVal::Int(0),
                    x => TVal::Int(
                        x.parse()
                            .ok()
                            .or_else(|| constant(x))
                            .unwrap_or_else(|| panic!("constant {x} in {}", self.line)),
                    ),
                }
            };
            return TVal::Typed(Box::new(inner));
        }
        if w == "null" {
            return TVal::Null;
        }
        let mut v = constant(&w)
            .unwrap_or_else(|| panic!("name {w:?} unknown to the test in {}", self.line));
        while self.eat("|") {
            let w = self.word();
            v |= w
                .parse::<i128>()
                .ok()
                .or_else(|| constant(&w))
                .unwrap_or_else(|| panic!("flag {w} in {}", self.line));
        }
        TVal::Int(v)
    }
    fn value(&mut self) -> TVal {
        self.ws();
        match self.peek() {
            b'!' => {
                self.i += 1;
                match self.peek() {
                    b'"' => TVal::Str(self.string()),
                    b'{' => {
                        self.i += 1;
                        let mut v = Vec::new();
                        if !self.eat("}") {
                            loop {
                                v.push(self.value());
                                if self.eat("}") {
                                    break;
                                }
                                assert!(self.eat(","), "comma expected in {}", self.line);
                            }
                        }
                        TVal::Tuple(v)
                    }
                    b'0'..=b'9' => TVal::Ref(self.word().parse().unwrap()),
                    _ => {
                        let kind = self.word();
                        TVal::Inline(kind, self.args())
                    }
                }
            }
            b'"' => TVal::Str(self.string()),
            b'@' => TVal::Global(self.global_name()),
            _ => self.number_or_ident(),
        }
    }
    /// `(name: value, value, ...)`.
    fn args(&mut self) -> Vec<(Option<String>, TVal)> {
        assert!(self.eat("("), "( expected in {}", self.line);
        let mut out = Vec::new();
        if self.eat(")") {
            return out;
        }
        loop {
            self.ws();
            let save = self.i;
            let w = self.word();
            let name = if !w.is_empty() && self.eat(":") {
                Some(w)
            } else {
                self.i = save;
                None
            };
            out.push((name, self.value()));
            if self.eat(")") {
                return out;
            }
            assert!(self.eat(","), "comma expected in {}", self.line);
        }
    }
}

fn dbg_refs(line: &str) -> Vec<u64> {
    line.match_indices("!dbg !")
        .map(|(i, _)| {
            line[i + 6..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

fn parse_text(text: &str) -> Text {
    let mut t = Text::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('!') {
            let (lhs, rhs) = rest.split_once(" = ").unwrap_or_else(|| panic!("{line}"));
            let mut p = P {
                s: rhs.as_bytes(),
                i: 0,
                line,
            };
            if let Ok(n) = lhs.parse::<u64>() {
                let distinct = p.eat("distinct ");
                match p.value() {
                    TVal::Tuple(v) => {
                        t.nodes.insert(
                            n,
                            TNode {
                                distinct,
                                kind: String::new(),
                                fields: v.into_iter().map(|x| (None, x)).collect(),
                            },
                        );
                    }
                    TVal::Inline(kind, fields) => {
                        t.nodes.insert(
                            n,
                            TNode {
                                distinct,
                                kind,
                                fields,
                            },
                        );
                    }
                    other => panic!("node {n}: {other:?}"),
                }
            } else if let TVal::Tuple(v) = p.value() {
                t.named.insert(lhs.to_string(), v);
            }
        } else if line.starts_with("define ")
            || line.starts_with("declare ")
            || line.starts_with('@')
        {
            let refs = dbg_refs(line);
            if refs.is_empty() {
                continue;
            }
            let at = line.find('@').unwrap();
            let mut p = P {
                s: &line.as_bytes()[at..],
                i: 0,
                line,
            };
            let name = p.global_name();
            // Only the attachments of the global itself, not of an
            // instruction on the same line (there is none at this level).
            t.dbg.insert(name, refs);
        }
    }
    t
}

// ---------------------------------------------------------------------
// Comparison

/// llvm-dis leaves out fields that have their default value.
fn default_of(kind: &str, field: &str) -> i128 {
    match (kind, field) {
        ("DIBasicType", "tag") => 0x24,
        ("DITemplateValueParameter", "tag") => 0x30,
        ("DICompileUnit", "splitDebugInlining") => 1,
        _ => 0,
    }
}

struct Cmp<'m, 'a> {
    m: &'m ModuleMetadata<'a>,
    t: &'m Text,
    what: String,
    map: HashMap<MdId, u64>,
    rev: HashMap<u64, MdId>,
    work: Vec<(MdId, u64)>,
    kinds: BTreeMap<String, usize>,
}

impl<'a> Cmp<'_, 'a> {
    fn pair(&mut self, id: MdId, n: u64) {
        match (self.map.get(&id), self.rev.get(&n)) {
            (Some(&m), _) => {
                assert_eq!(m, n, "{}: my node {id:?} is both !{m} and !{n}", self.what)
            }
            (None, Some(&other)) => panic!("{}: !{n} is both my {other:?} and {id:?}", self.what),
            (None, None) => {
                self.map.insert(id, n);
                self.rev.insert(n, id);
                self.work.push((id, n));
            }
        }
    }

    fn int_of(&self, v: &TVal, ctx: &str) -> i128 {
        match v {
            TVal::Int(i) => *i,
            TVal::Typed(b) => self.int_of(b, ctx),
            other => panic!(
                "{}: {ctx}: integer expected, llvm-dis has {other:?}",
                self.what
            ),
        }
    }

    fn expression(&self, elements: &[u64], args: &[(Option<String>, TVal)], ctx: &str) {
        let theirs: Vec<i128> = args.iter().map(|(_, v)| self.int_of(v, ctx)).collect();
        let mine: Vec<i128> = elements.iter().map(|&e| i128::from(e)).collect();
        assert_eq!(mine, theirs, "{}: {ctx}: DIExpression", self.what);
    }

    fn reference(&mut self, mine: MdRef, theirs: Option<&TVal>, ctx: &str) {
        // LLVM 21+ may keep sizes and offsets as constants as metadata;
        // llvm-dis prints them as integers and leaves out zeros.
        if theirs.is_none() && mine.is_some_and(|id| self.m.constant_int(id) == Some(0)) {
            return;
        }
        let theirs = theirs.unwrap_or(&TVal::Null);
        let Some(id) = mine else {
            assert_eq!(theirs, &TVal::Null, "{}: {ctx}: mine is null", self.what);
            return;
        };
        let md = self.m.md(id).expect("reference in range");
        match (md, theirs) {
            (Metadata::String(s), TVal::Str(t)) => {
                assert_eq!(s, &t.as_slice(), "{}: {ctx}", self.what)
            }
            (Metadata::Value { value, .. }, tv) => {
                let tv = match tv {
                    TVal::Typed(b) => b.as_ref(),
                    x => x,
                };
                match (value, tv) {
                    (ValueRef::Int(v), TVal::Int(t)) => assert_eq!(v, t, "{}: {ctx}", self.what),
                    (ValueRef::Null, TVal::Int(0)) => {}
                    (ValueRef::Global(g), TVal::Global(name)) => assert_eq!(
                        self.m.globals[*g].name,
                        name.as_bytes(),
                        "{}: {ctx}",
                        self.what
                    ),
                    (v, t) => panic!("{}: {ctx}: my value {v:?}, llvm-dis {t:?}", self.what),
                }
            }
            (Metadata::Expression(e), TVal::Inline(k, args)) if k == "DIExpression" => {
                self.expression(&e.elements, args, ctx)
            }
            (_, TVal::Ref(n)) => self.pair(id, *n),
            (md, t) => panic!("{}: {ctx}: my {md:?}, llvm-dis {t:?}", self.what),
        }
    }

    fn node(&mut self, id: MdId, n: u64) {
        let node = self.m.node(id).unwrap();
        let tn = self
            .t
            .nodes
            .get(&n)
            .unwrap_or_else(|| panic!("{}: llvm-dis has no !{n}", self.what))
            .clone();
        let ctx = format!(
            "!{n} ({})",
            if tn.kind.is_empty() {
                "tuple"
            } else {
                &tn.kind
            }
        );
        match &node.md {
            Metadata::Tuple(ops) => {
                assert!(tn.kind.is_empty(), "{}: {ctx}: mine is a tuple", self.what);
                assert_eq!(
                    ops.len(),
                    tn.fields.len(),
                    "{}: {ctx}: tuple length",
                    self.what
                );
                for (i, (op, (_, tv))) in ops.iter().zip(&tn.fields).enumerate() {
                    self.reference(*op, Some(tv), &format!("{ctx} operand {i}"));
                }
                *self.kinds.entry("tuple".into()).or_default() += 1;
            }
            Metadata::Expression(e) => {
                assert_eq!(tn.kind, "DIExpression", "{}: {ctx}", self.what);
                self.expression(&e.elements, &tn.fields, &ctx);
            }
            md => {
                let (kind, fields) = md
                    .fields()
                    .unwrap_or_else(|| panic!("{}: {ctx}: my node is {md:?}", self.what));
                assert_eq!(kind, tn.kind, "{}: {ctx}: node kind", self.what);
                let theirs: HashMap<&str, &TVal> = tn
                    .fields
                    .iter()
                    .map(|(k, v)| (k.as_deref().unwrap_or(""), v))
                    .collect();
                for name in theirs.keys() {
                    assert!(
                        fields.iter().any(|(f, _)| f == name),
                        "{}: {ctx}: llvm-dis prints field {name:?} that the reader does not have",
                        self.what
                    );
                }
                for (name, field) in fields {
                    let fctx = format!("{ctx} {name}");
                    let tv = theirs.get(name).copied();
                    match field {
                        Field::Int(v) => {
                            let t = tv.map_or(default_of(kind, name), |x| self.int_of(x, &fctx));
                            assert_eq!(v, t, "{}: {fctx}", self.what);
                        }
                        Field::Str(s) => {
                            let t: &[u8] = match tv {
                                Some(TVal::Str(t)) => t,
                                None => b"",
                                Some(x) => {
                                    panic!("{}: {fctx}: string expected, got {x:?}", self.what)
                                }
                            };
                            assert_eq!(
                                String::from_utf8_lossy(s.unwrap_or(b"")),
                                String::from_utf8_lossy(t),
                                "{}: {fctx}",
                                self.what
                            );
                        }
                        Field::Ref(r) => {
                            // A plain integer in llvm-dis (DISubrange count)
                            // is a constant as metadata in the bitcode.
                            self.reference(r, tv, &fctx)
                        }
                    }
                }
                *self.kinds.entry(kind.to_string()).or_default() += 1;
            }
        }
        assert_eq!(node.distinct, tn.distinct, "{}: {ctx}: distinct", self.what);
    }

    fn run(&mut self) {
        while let Some((id, n)) = self.work.pop() {
            self.node(id, n);
        }
    }
}

/// Compares one object with llvm-dis-`v`; returns the node kinds compared.
fn compare(v: u32, path: &Path) -> BTreeMap<String, usize> {
    let data = std::fs::read(path).unwrap();
    let modules = metadata::read(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(modules.len(), 1, "{}: one module", path.display());
    let m = &modules[0];
    let out = crate::util::tool(format!("llvm-dis-{v}"))
        .arg(path)
        .arg("-o")
        .arg("-")
        .run();
    assert!(out.status.success(), "llvm-dis-{v} {}", path.display());
    let t = parse_text(&String::from_utf8(out.stdout).unwrap());
    let mut c = Cmp {
        m,
        t: &t,
        what: format!("llvm-dis-{v} {}", path.display()),
        map: HashMap::new(),
        rev: HashMap::new(),
        work: Vec::new(),
        kinds: BTreeMap::new(),
    };
    // Every global's !dbg, both ways.
    let mut mine: BTreeMap<String, Vec<MdId>> = BTreeMap::new();
    for g in &m.globals {
        let d = m.dbg(g);
        if !d.is_empty() {
            mine.insert(String::from_utf8(g.name.to_vec()).unwrap(), d);
        }
    }
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        t.dbg.keys().collect::<Vec<_>>(),
        "{}: globals with !dbg",
        c.what
    );
    assert!(!mine.is_empty(), "{}: no !dbg attachments at all", c.what);
    for (name, ids) in &mine {
        let theirs = &t.dbg[name];
        assert_eq!(ids.len(), theirs.len(), "{}: @{name} !dbg count", c.what);
        for (&id, &n) in ids.iter().zip(theirs) {
            c.pair(id, n);
        }
    }
    // Named metadata.
    for nm in &m.named {
        let name = String::from_utf8(nm.name.clone()).unwrap();
        let theirs = t
            .named
            .get(&name)
            .unwrap_or_else(|| panic!("{}: !{name} missing in llvm-dis", c.what));
        assert_eq!(nm.operands.len(), theirs.len(), "{}: !{name}", c.what);
        for (&id, tv) in nm.operands.iter().zip(theirs) {
            c.reference(Some(id), Some(tv), &format!("!{name}"));
        }
    }
    assert_eq!(
        m.named.len(),
        t.named.len(),
        "{}: named metadata count",
        c.what
    );
    c.run();
    c.kinds
}

#[test]
fn metadata_matches_llvm_dis_for_every_version() {
    let mut total: BTreeMap<String, usize> = BTreeMap::new();
    let mut files = 0;
    for v in VERSIONS {
        let dir = corpus(v);
        for obj in objects(&dir) {
            for (k, n) in compare(v, &obj) {
                *total.entry(k).or_default() += n;
            }
            files += 1;
        }
    }
    eprintln!("{files} objects, nodes compared per kind: {total:?}");
    for kind in [
        "DICompileUnit",
        "DIFile",
        "DIBasicType",
        "DIDerivedType",
        "DICompositeType",
        "DISubroutineType",
        "DISubprogram",
        "DIGlobalVariable",
        "DIGlobalVariableExpression",
        "DIEnumerator",
        "DISubrange",
        "DILocalVariable",
        "DILexicalBlock",
        "DILabel",
        "tuple",
    ] {
        assert!(
            total.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} compared"
        );
    }
}

#[test]
fn rust_bitcode_matches_llvm_dis() {
    let dir = corpus(22);
    let rust = dir.join("kernel_rust.o");
    if !rust.exists() {
        eprintln!("rustc on PATH is not LLVM 22: Rust fixture skipped");
        return;
    }
    let kinds = compare(22, &rust);
    for kind in ["DINamespace", "DITemplateTypeParameter", "DICompositeType"] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} in the Rust fixture: {kinds:?}"
        );
    }
}

#[test]
fn functions_and_globals_tie_to_their_debug_info() {
    let dir = corpus(19);
    let data = std::fs::read(dir.join("kernel_types-thin.o")).unwrap();
    let modules = metadata::read(&data).unwrap();
    let m = &modules[0];
    let name_of = |id: MdId| -> Vec<u8> {
        match m.md(id).unwrap() {
            Metadata::Subprogram(s) => s.name.unwrap().to_vec(),
            Metadata::GlobalVariableExpression(g) => match m.md(g.variable.unwrap()).unwrap() {
                Metadata::GlobalVariable(v) => v.name.unwrap().to_vec(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    for sym in [
        "buffer_init",
        "dispatch",
        "list_add",
        "external_decl",
        "exported_ops",
        "exported_le32",
    ] {
        let g = m.global(sym.as_bytes()).unwrap_or_else(|| panic!("{sym}"));
        let d = m.dbg(g);
        assert_eq!(d.len(), 1, "{sym}");
        assert_eq!(name_of(d[0]), sym.as_bytes());
    }
    assert!(m.dbg(m.global(b"extern_only_var").unwrap()).is_empty());
}

#[test]
fn damaged_bitcode_is_an_error_never_a_panic() {
    let dir = corpus(16);
    let data = std::fs::read(dir.join("bitfields_bigint-thin.o")).unwrap();
    assert!(metadata::read(&data).is_ok());
    let mut errors = 0;
    for cut in (0..data.len()).step_by(97) {
        if metadata::read(&data[..cut]).is_err() {
            errors += 1;
        }
    }
    assert!(
        errors > data.len() / 97 / 2,
        "most truncations must be errors"
    );
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..400 {
        let mut d = data.clone();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x as usize) % d.len();
            d[i] ^= (x >> 32) as u8 | 1;
        }
        let _ = metadata::read(&d);
    }
}
