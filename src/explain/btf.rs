//! Why export CRCs differ, from the BTF of two kernels ([`crate::btf`])
//! instead of two `KBUILD_SYMTYPES=1` builds.
//!
//! The BTF types are seen as genksyms sees the C declarations: every named
//! struct, union, enum and typedef is one symbol (`s#`, `u#`, `e#`, `t#`,
//! as in symtypes files), whose definition is its members with their types,
//! named types referred to by name and anonymous ones expanded in place.
//! Offsets and sizes are not part of the definition (genksyms never sees
//! them: a member added to `struct a` changes `s#a`, not every struct that
//! embeds one) but are reported with each member change. A symbol whose
//! definitions differ between OLD and NEW is changed; for each export
//! (a `FUNC`, or a `VAR` — pahole ≤ 1.26 only encodes per-CPU variables),
//! the symbols reachable from its prototype are walked breadth-first over
//! both sides' references, and the shortest chain to every changed one is
//! reported, as [`super::explain`] does from symtypes.
//!
//! What BTF cannot show, and therefore cannot explain: macros and
//! attributes that change a CRC without changing the layout, exported
//! variables other than per-CPU ones, and declarations pahole does not
//! encode.

use super::{Explanation, ExportChange, MemberChange, TypeChange};
use crate::btf::{Btf, BtfKind, TypeId};
use crate::btf_encoder::Scopes;
use crate::crc::NameMap;
use crate::error::Result;
use std::collections::{BTreeMap, VecDeque};

/// The exports to explain and their CRCs on each side (from a vmlinux's
/// `__kcrctab`, or `Module.symvers`); `None` when a side has no CRCs.
#[derive(Debug, Default, Clone)]
pub struct ExportCrcs {
    /// CRCs by export name, OLD.
    pub old: Option<BTreeMap<String, u32>>,
    /// CRCs by export name, NEW.
    pub new: Option<BTreeMap<String, u32>>,
}

/// The symtypes-style name of a named BTF type, if it is one genksyms
/// would give a symbol.
fn key_of(kind: &BtfKind<'_>, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let prefix = match kind {
        BtfKind::Struct { .. } | BtfKind::Fwd { union: false } => "s",
        BtfKind::Union { .. } | BtfKind::Fwd { union: true } => "u",
        BtfKind::Enum { .. } => "e",
        BtfKind::Typedef(_) => "t",
        _ => return None,
    };
    Some(format!("{prefix}#{name}"))
}

/// One member as explain compares it: flattened through anonymous
/// struct/union members, as C code names them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    ty: String,
    bit_offset: u64,
    bitfield: u32,
    size: u64,
    /// An enumerator or a typedef's target: no offset to report.
    plain: bool,
}

/// The symbols of one BTF blob and its bases, in id order: what [`Side`]
/// looks names up in. A module's split BTF is one layer over its
/// vmlinux's, which all modules of a side share.
#[derive(Debug, Default)]
struct Layer<'a> {
    /// Ids of the full definitions of each symbol.
    defs: NameMap<String, Vec<TypeId>>,
    /// Ids of the forward declarations of each symbol.
    fwds: NameMap<String, Vec<TypeId>>,
    /// The function or variable each name stands for in this layer: the
    /// last global function of the name, else the first of the name; and
    /// whether it is a global function.
    objects: NameMap<&'a str, (TypeId, bool)>,
    /// Every `FUNC`/`VAR` of each name.
    all_objects: NameMap<&'a str, Vec<TypeId>>,
}

impl<'a> Layer<'a> {
    /// The symbols of `btf` and, unless `own_only`, of its bases.
    fn new(btf: &'a Btf<'a>, own_only: bool) -> Self {
        let mut l = Layer::default();
        let mut all: Vec<(TypeId, &crate::btf::BtfType<'a>)> = Vec::new();
        let mut b = Some(btf);
        while let Some(x) = b {
            all.extend(x.iter());
            b = if own_only { None } else { x.base };
        }
        all.sort_by_key(|(id, _)| *id);
        for (id, t) in all {
            match &t.kind {
                BtfKind::Func { linkage, .. } => {
                    l.all_objects.entry(t.name).or_default().push(id);
                    // A global function wins over static ones of the name.
                    let e = l.objects.entry(t.name).or_insert((id, *linkage == 1));
                    if *linkage == 1 {
                        *e = (id, true);
                    }
                }
                BtfKind::Var { .. } => {
                    l.all_objects.entry(t.name).or_default().push(id);
                    l.objects.entry(t.name).or_insert((id, false));
                }
                kind => {
                    if let Some(k) = key_of(kind, t.name) {
                        let map = if matches!(kind, BtfKind::Fwd { .. }) {
                            &mut l.fwds
                        } else {
                            &mut l.defs
                        };
                        map.entry(k).or_default().push(id);
                    }
                }
            }
        }
        l
    }
}

/// One side's BTF seen through symtypes-style symbols.
struct Side<'a> {
    btf: &'a Btf<'a>,
    /// The symbols of `btf`'s own types.
    own: Layer<'a>,
    /// Those of its base, when it is split BTF.
    base: Option<std::sync::Arc<Layer<'a>>>,
}

impl<'a> Side<'a> {
    fn new(btf: &'a Btf<'a>) -> Self {
        Side {
            btf,
            own: Layer::new(btf, false),
            base: None,
        }
    }

    /// Split BTF over a base whose symbols are already known (`base` is
    /// [`Layer`] of `btf.base`).
    fn split(btf: &'a Btf<'a>, base: std::sync::Arc<Layer<'a>>) -> Self {
        Side {
            btf,
            own: Layer::new(btf, true),
            base: Some(base),
        }
    }

    /// The layers, base first (ids in order).
    fn layers(&self) -> impl Iterator<Item = &Layer<'a>> {
        self.base.as_deref().into_iter().chain(Some(&self.own))
    }

    /// Ids of a symbol's definitions: the full ones, or its forward
    /// declarations when there is nothing else.
    fn defs(&self, key: &str) -> Vec<TypeId> {
        let ids = |fwds: bool| -> Vec<TypeId> {
            self.layers()
                .filter_map(|l| if fwds { &l.fwds } else { &l.defs }.get(key))
                .flatten()
                .copied()
                .collect()
        };
        let full = ids(false);
        if full.is_empty() {
            ids(true)
        } else {
            full
        }
    }

    /// Every symbol with a definition or a declaration.
    fn def_keys(&self) -> impl Iterator<Item = &String> {
        self.layers()
            .flat_map(|l| l.defs.keys().chain(l.fwds.keys()))
    }

    /// The function or variable `name` stands for: the last global
    /// function of the name, else the first of the name.
    fn object(&self, name: &str) -> Option<TypeId> {
        let own = self.own.objects.get(name).copied();
        let base = self
            .base
            .as_ref()
            .and_then(|b| b.objects.get(name).copied());
        match (base, own) {
            (_, Some((id, true))) => Some(id),
            (Some((id, _)), _) => Some(id),
            (None, own) => own.map(|(id, _)| id),
        }
    }

    /// The names of every function and variable.
    fn object_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        let base = self.base.iter().flat_map(|b| b.objects.keys().copied());
        self.own
            .objects
            .keys()
            .copied()
            .chain(base.filter(|k| !self.own.objects.contains_key(k)))
    }

    /// Every `FUNC`/`VAR` of `name`, when there are several (static
    /// functions of one name in different files).
    fn overloads(&self, name: &str) -> Option<Vec<TypeId>> {
        let all: Vec<TypeId> = self
            .layers()
            .filter_map(|l| l.all_objects.get(name))
            .flatten()
            .copied()
            .collect();
        (all.len() > 1).then_some(all)
    }

    /// `id` as a type expression: named symbols by name (collected in
    /// `deps`), anonymous types expanded, qualifiers and declarators
    /// spelled out.
    fn expr(&self, id: TypeId, deps: &mut Vec<String>, depth: u32) -> String {
        let Some(t) = self.btf.get(id) else {
            return format!("<bad id {id}>");
        };
        if depth > 64 {
            return "<too deep>".into();
        }
        if let Some(k) = key_of(&t.kind, t.name) {
            deps.push(k.clone());
            return k;
        }
        let d = depth + 1;
        match &t.kind {
            BtfKind::Void => "void".into(),
            BtfKind::Int { .. } | BtfKind::Float { .. } => t.name.to_string(),
            BtfKind::Ptr(x) => format!("{} *", self.expr(*x, deps, d)),
            BtfKind::Const(x) => format!("const {}", self.expr(*x, deps, d)),
            BtfKind::Volatile(x) => format!("volatile {}", self.expr(*x, deps, d)),
            BtfKind::Restrict(x) => format!("{} restrict", self.expr(*x, deps, d)),
            BtfKind::TypeTag(x) => format!("{} __tag({})", self.expr(*x, deps, d), t.name),
            BtfKind::Array { elem, nelems, .. } => {
                format!("{} [{nelems}]", self.expr(*elem, deps, d))
            }
            BtfKind::FuncProto { ret, params } => {
                let ps: Vec<String> = params
                    .iter()
                    .map(|p| match p.type_id {
                        0 => "...".to_string(),
                        x => self.expr(x, deps, d),
                    })
                    .collect();
                format!("{} ({})", self.expr(*ret, deps, d), ps.join(", "))
            }
            BtfKind::Struct { .. } | BtfKind::Union { .. } | BtfKind::Enum { .. } => {
                let word = match t.kind {
                    BtfKind::Struct { .. } => "struct",
                    BtfKind::Union { .. } => "union",
                    _ => "enum",
                };
                format!("{word} {{ {} }}", self.body(id, deps, d).join("; "))
            }
            BtfKind::Func { proto, .. } => self.expr(*proto, deps, d),
            BtfKind::Var { type_id, .. } => self.expr(*type_id, deps, d),
            _ => format!("<{}>", t.name),
        }
    }

    /// The members of a definition as compared: `name: type` per struct
    /// member, `NAME = value` per enumerator, the target of a typedef.
    fn body(&self, id: TypeId, deps: &mut Vec<String>, depth: u32) -> Vec<String> {
        self.members(id, deps, depth)
            .into_iter()
            .map(|m| match m.bitfield {
                0 => format!("{}: {}", m.name, m.ty),
                b => format!("{}: {} : {b}", m.name, m.ty),
            })
            .collect()
    }

    fn members(&self, id: TypeId, deps: &mut Vec<String>, depth: u32) -> Vec<Member> {
        let mut out = Vec::new();
        self.collect_members(id, 0, deps, depth, &mut out);
        out
    }

    fn collect_members(
        &self,
        id: TypeId,
        base: u64,
        deps: &mut Vec<String>,
        depth: u32,
        out: &mut Vec<Member>,
    ) {
        let Some(t) = self.btf.get(id) else { return };
        if depth > 64 {
            return;
        }
        match &t.kind {
            BtfKind::Struct { members, .. } | BtfKind::Union { members, .. } => {
                for m in members {
                    let off = base + u64::from(m.bit_offset);
                    let anon_aggregate = m.name.is_empty()
                        && self.btf.get(m.type_id).is_some_and(|x| {
                            x.name.is_empty()
                                && matches!(x.kind, BtfKind::Struct { .. } | BtfKind::Union { .. })
                        });
                    if anon_aggregate {
                        self.collect_members(m.type_id, off, deps, depth + 1, out);
                        continue;
                    }
                    out.push(Member {
                        name: m.name.to_string(),
                        ty: self.expr(m.type_id, deps, depth + 1),
                        bit_offset: off,
                        bitfield: m.bitfield_size,
                        size: self.size_of(m.type_id, 0),
                        plain: false,
                    });
                }
            }
            BtfKind::Enum { values, size, .. } => {
                for (name, v) in values {
                    out.push(Member {
                        name: name.to_string(),
                        ty: format!("= {v}"),
                        bit_offset: 0,
                        bitfield: 0,
                        size: u64::from(*size),
                        plain: true,
                    });
                }
            }
            BtfKind::Typedef(x) => out.push(Member {
                name: t.name.to_string(),
                ty: self.expr(*x, deps, depth + 1),
                bit_offset: 0,
                bitfield: 0,
                size: self.size_of(*x, 0),
                plain: true,
            }),
            BtfKind::Fwd { .. } => {}
            _ => {}
        }
    }

    /// The size in bytes of a type (pointers are 8 bytes: BTF of 64-bit
    /// kernels).
    fn size_of(&self, id: TypeId, depth: u32) -> u64 {
        let Some(t) = self.btf.get(id) else { return 0 };
        if depth > 64 {
            return 0;
        }
        match &t.kind {
            BtfKind::Int { size, .. }
            | BtfKind::Float { size }
            | BtfKind::Struct { size, .. }
            | BtfKind::Union { size, .. }
            | BtfKind::Enum { size, .. } => u64::from(*size),
            BtfKind::Ptr(_) => 8,
            BtfKind::Array { elem, nelems, .. } => self
                .size_of(*elem, depth + 1)
                .saturating_mul(u64::from(*nelems)),
            BtfKind::Typedef(x)
            | BtfKind::Const(x)
            | BtfKind::Volatile(x)
            | BtfKind::Restrict(x)
            | BtfKind::TypeTag(x) => self.size_of(*x, depth + 1),
            _ => 0,
        }
    }

    /// A symbol's definitions (sorted, deduplicated) and the symbols they
    /// refer to.
    fn definition(&self, key: &str) -> (Vec<Vec<String>>, Vec<String>) {
        let mut deps = Vec::new();
        let mut defs: Vec<Vec<String>> = self
            .defs(key)
            .iter()
            .map(|&id| self.body(id, &mut deps, 0))
            .collect();
        defs.sort();
        defs.dedup();
        (defs, deps)
    }

    /// An export's prototype (or variable type) and the symbols it refers to.
    fn export(&self, name: &str) -> Option<(String, Vec<String>)> {
        self.export_id(self.object(name)?)
    }

    fn export_id(&self, id: TypeId) -> Option<(String, Vec<String>)> {
        let mut deps = Vec::new();
        let e = self.expr(id, &mut deps, 0);
        Some((e, deps))
    }

    /// The export's declaration on this side that equals `other`'s, when
    /// the name has several (a static function of the same name elsewhere
    /// is not the export).
    fn export_like(&self, name: &str, other: &str) -> Option<(String, Vec<String>)> {
        self.overloads(name)?
            .iter()
            .filter_map(|&id| self.export_id(id))
            .find(|(e, _)| e == other)
    }
}

/// Symbols numbered over both sides, with their references and whether
/// their definitions differ; filled lazily as walks reach them.
struct Graph<'s, 'a> {
    old: &'s Side<'a>,
    new: &'s Side<'a>,
    keys: Vec<String>,
    ids: NameMap<String, u32>,
    refs: Vec<Option<Vec<u32>>>,
    changed: Vec<Option<bool>>,
}

impl Graph<'_, '_> {
    fn id(&mut self, k: &str) -> u32 {
        if let Some(&i) = self.ids.get(k) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(k.to_string());
        self.ids.insert(k.to_string(), i);
        self.refs.push(None);
        self.changed.push(None);
        i
    }

    fn ids_of(&mut self, deps: Vec<String>) -> Vec<u32> {
        let mut v: Vec<u32> = Vec::with_capacity(deps.len());
        for d in deps {
            let i = self.id(&d);
            if !v.contains(&i) {
                v.push(i);
            }
        }
        v
    }

    /// Computes references and changed-ness of symbol `i` once.
    fn visit(&mut self, i: u32) -> (Vec<u32>, bool) {
        let ix = i as usize;
        if let (Some(r), Some(c)) = (&self.refs[ix], self.changed[ix]) {
            return (r.clone(), c);
        }
        let key = self.keys[ix].clone();
        let (a, mut da) = self.old.definition(&key);
        let (b, db) = self.new.definition(&key);
        da.extend(db);
        let refs = self.ids_of(da);
        let changed = a != b;
        self.refs[ix] = Some(refs.clone());
        self.changed[ix] = Some(changed);
        (refs, changed)
    }
}

/// Up to this many exports, explain walks from each without first
/// finding every symbol that leads to a changed one.
const FEW_EXPORTS: usize = 64;

/// Every symbol's references and changed-ness, and per symbol whether a
/// changed one can be reached from it.
fn useful_symbols(g: &mut Graph<'_, '_>) -> Vec<bool> {
    let mut all: Vec<&String> = g.old.def_keys().chain(g.new.def_keys()).collect();
    all.sort();
    for k in all {
        g.id(k);
    }
    let mut i = 0;
    while i < g.keys.len() {
        g.visit(i as u32);
        i += 1;
    }
    let n = g.keys.len();
    let mut users: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (from, refs) in g.refs.iter().enumerate() {
        for &r in refs.iter().flatten() {
            users[r as usize].push(from as u32);
        }
    }
    let mut useful = vec![false; n];
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&k| g.changed[k as usize] == Some(true))
        .collect();
    while let Some(k) = stack.pop() {
        if std::mem::replace(&mut useful[k as usize], true) {
            continue;
        }
        stack.extend(users[k as usize].iter().copied());
    }
    useful
}

/// Compares the BTF of two kernels. The exports explained are those
/// present in both CRC maps whose CRC differs (when both sides have
/// CRCs), else every function or variable both BTFs have that reaches a
/// changed type or whose prototype changed; `only` narrows them to names.
pub fn explain_btf(
    old: &Btf<'_>,
    new: &Btf<'_>,
    crcs: &ExportCrcs,
    only: &[String],
) -> Result<Explanation> {
    explain_btf_scoped(old, new, (None, None), crcs, only)
}

/// One export's units on each side (from [`Scopes::unit_of`]), looked up
/// once per export rather than on every edge of its walk.
struct ExportScope<'s> {
    sides: [Option<(&'s Scopes, u32)>; 2],
}

impl<'s> ExportScope<'s> {
    fn new(scopes: (Option<&'s Scopes>, Option<&'s Scopes>), export: &str) -> Self {
        let side = |s: Option<&'s Scopes>| s.and_then(|s| Some((s, s.unit_of(export)?)));
        ExportScope {
            sides: [side(scopes.0), side(scopes.1)],
        }
    }

    /// Whether the export's walk may enter the type named `key`: its unit
    /// on either side defines it, or neither side knows its unit.
    fn allows(&self, key: &str) -> bool {
        let known: Vec<_> = self.sides.iter().flatten().collect();
        known.is_empty() || known.iter().any(|(s, u)| s.unit_defines(*u, key))
    }
}

/// [`explain_btf`] with each side's [`Scopes`] when its types come from
/// DWARF: an export's chains then pass only through types its own unit
/// defines, as genksyms sees them.
pub fn explain_btf_scoped(
    old: &Btf<'_>,
    new: &Btf<'_>,
    scopes: (Option<&Scopes>, Option<&Scopes>),
    crcs: &ExportCrcs,
    only: &[String],
) -> Result<Explanation> {
    explain_sides(&Side::new(old), &Side::new(new), scopes, crcs, only)
}

/// [`explain_btf_scoped`] on sides already built.
fn explain_sides(
    so: &Side<'_>,
    sn: &Side<'_>,
    scopes: (Option<&Scopes>, Option<&Scopes>),
    crcs: &ExportCrcs,
    only: &[String],
) -> Result<Explanation> {
    // A set: the caller may name every vmlinux export.
    let only: std::collections::HashSet<&str> = only.iter().map(String::as_str).collect();
    let names: Vec<String> = match (&crcs.old, &crcs.new) {
        (Some(a), Some(b)) => a
            .iter()
            .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => {
            let new_names: std::collections::HashSet<&str> = sn.object_names().collect();
            let mut v: Vec<String> = so
                .object_names()
                .filter(|k| new_names.contains(k))
                .map(|k| k.to_string())
                .collect();
            v.sort();
            v
        }
    };
    let have_crcs = crcs.old.is_some() && crcs.new.is_some();
    let mut g = Graph {
        old: so,
        new: sn,
        keys: Vec::new(),
        ids: NameMap::default(),
        refs: Vec::new(),
        changed: Vec::new(),
    };
    // With many exports to explain (a vmlinux): every symbol's references
    // and changed-ness, then the symbols from which a changed one can be
    // reached, so that the walks below enter no other. With a few (a
    // module's), the walks visit only what they reach. The chains are the
    // same either way: every symbol on a path to a changed one is such a
    // symbol, and the others never lead to one.
    let wanted = match only.is_empty() {
        true => names.len(),
        false => names.iter().filter(|n| only.contains(n.as_str())).count(),
    };
    let useful = match wanted > FEW_EXPORTS {
        true => Some(useful_symbols(&mut g)),
        false => None,
    };
    let mut out = Explanation::default();
    let mut reached: Vec<u32> = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let mut generation = 0u32;
    let mut in_neither: Vec<String> = Vec::new();
    for name in names {
        if !only.is_empty() && !only.contains(name.as_str()) {
            continue;
        }
        let (mut eo, mut en) = (so.export(&name), sn.export(&name));
        if let (Some((a, _)), Some((b, _))) = (&eo, &en) {
            if a != b {
                if let Some(m) = sn.export_like(&name, a) {
                    en = Some(m);
                } else if let Some(m) = so.export_like(&name, b) {
                    eo = Some(m);
                }
            }
        }
        let mut note = None;
        let mut start = Vec::new();
        let mut proto_changed = false;
        match (&eo, &en) {
            (Some((a, da)), Some((b, db))) => {
                proto_changed = a != b;
                if proto_changed {
                    note = Some(format!("declaration changed: {a} -> {b}"));
                }
                start.extend(da.iter().cloned());
                start.extend(db.iter().cloned());
            }
            (None, None) => {
                in_neither.push(name);
                continue;
            }
            _ => {
                let side = if eo.is_none() { "OLD" } else { "NEW" };
                note = Some(format!("not in {side}'s BTF"));
                for (_, d) in eo.iter().chain(en.iter()) {
                    start.extend(d.iter().cloned());
                }
            }
        }
        let start = g.ids_of(start);
        // Breadth-first over symbols, shortest chain to each changed one.
        generation += 1;
        let mut chains = Vec::new();
        let mut queue: VecDeque<u32> = VecDeque::new();
        let mark = |i: u32, p: u32, seen: &mut Vec<u32>, parent: &mut Vec<u32>| -> bool {
            let ix = i as usize;
            if seen.len() <= ix {
                seen.resize(ix + 1, 0);
                parent.resize(ix + 1, u32::MAX);
            }
            if seen[ix] == generation {
                return false;
            }
            seen[ix] = generation;
            parent[ix] = p;
            true
        };
        let useful = |i: u32| match &useful {
            Some(u) => u.get(i as usize).copied().unwrap_or(false),
            None => true,
        };
        let scope = ExportScope::new(scopes, &name);
        let scoped = |i: u32, g: &Graph<'_, '_>| scope.allows(&g.keys[i as usize]);
        for &s in start.iter().filter(|&&s| useful(s) && scoped(s, &g)) {
            if mark(s, u32::MAX, &mut seen, &mut parent) {
                queue.push_back(s);
            }
        }
        while let Some(k) = queue.pop_front() {
            let (refs, changed) = g.visit(k);
            if changed {
                let mut chain = vec![g.keys[k as usize].clone()];
                let mut cur = k;
                while let Some(&p) = parent.get(cur as usize).filter(|&&p| p != u32::MAX) {
                    chain.push(g.keys[p as usize].clone());
                    cur = p;
                }
                chain.push(name.clone());
                chain.reverse();
                chains.push(chain);
                reached.push(k);
            }
            for r in refs.into_iter().filter(|&r| useful(r) && scoped(r, &g)) {
                if mark(r, k, &mut seen, &mut parent) {
                    queue.push_back(r);
                }
            }
        }
        if !have_crcs && chains.is_empty() && !proto_changed {
            continue;
        }
        let crc =
            |m: &Option<BTreeMap<String, u32>>| m.as_ref().and_then(|m| m.get(&name).copied());
        out.exports.push(ExportChange {
            file: String::new(),
            symbol: name.clone(),
            old_crc: crc(&crcs.old),
            new_crc: crc(&crcs.new),
            chains,
            note,
        });
    }
    if !in_neither.is_empty() {
        let shown: Vec<&str> = in_neither.iter().take(5).map(String::as_str).collect();
        out.notes.push(format!(
            "{} exports are in neither BTF, so not explained (module exports, whose BTF is in the modules' split BTF; variables, which pahole <= 1.26 encodes only when per-CPU): {}{}",
            in_neither.len(),
            shown.join(", "),
            if in_neither.len() > shown.len() { ", ..." } else { "" }
        ));
    }
    // By name (ids are in the order the walks met the symbols).
    reached.sort_unstable();
    reached.dedup();
    reached.sort_unstable_by(|&a, &b| g.keys[a as usize].cmp(&g.keys[b as usize]));
    for i in reached {
        let key = g.keys[i as usize].clone();
        out.types.push(type_change(so, sn, &key));
    }
    out.root_causes = super::root_causes(&out);
    Ok(out)
}

fn render_member(m: &Member) -> String {
    let at = if m.bit_offset % 8 == 0 && m.bitfield == 0 {
        format!("offset {}", m.bit_offset / 8)
    } else {
        format!("bit offset {}", m.bit_offset)
    };
    let size = match m.bitfield {
        0 => format!("size {}", m.size),
        b => format!("{b} bits"),
    };
    if m.ty.starts_with("= ") {
        format!("{} {}", m.name, m.ty)
    } else if m.plain {
        format!("typedef {} {} (size {})", m.ty, m.name, m.size)
    } else {
        format!("{} {} ({at}, {size})", m.ty, m.name)
    }
}

/// The member-level changes of one symbol: by member name, added,
/// removed, changed (type or bit-field width) and moved (same type, new
/// offset).
fn type_change(old: &Side<'_>, new: &Side<'_>, key: &str) -> TypeChange {
    let members = |s: &Side<'_>| -> Option<Vec<Member>> {
        let id = *s.defs(key).first()?;
        Some(s.members(id, &mut Vec::new(), 0))
    };
    let (a, b) = (members(old), members(new));
    let (ma, mb) = (a.clone().unwrap_or_default(), b.clone().unwrap_or_default());
    let mut changes = Vec::new();
    for m in &ma {
        match mb.iter().find(|n| n.name == m.name) {
            None => changes.push(MemberChange {
                change: "removed",
                member: Some(m.name.clone()),
                old: Some(render_member(m)),
                new: None,
            }),
            Some(n) if n.ty != m.ty || n.bitfield != m.bitfield => changes.push(MemberChange {
                change: "changed",
                member: Some(m.name.clone()),
                old: Some(render_member(m)),
                new: Some(render_member(n)),
            }),
            Some(n) if n.bit_offset != m.bit_offset => changes.push(MemberChange {
                change: "moved",
                member: Some(m.name.clone()),
                old: Some(render_member(m)),
                new: Some(render_member(n)),
            }),
            Some(_) => {}
        }
    }
    for n in mb.iter().filter(|n| !ma.iter().any(|m| m.name == n.name)) {
        changes.push(MemberChange {
            change: "added",
            member: Some(n.name.clone()),
            old: None,
            new: Some(render_member(n)),
        });
    }
    TypeChange {
        file: String::new(),
        symbol: key.to_string(),
        status: match (&a, &b) {
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        },
        members: changes,
        tokens: Vec::new(),
    }
}

/// One side of `explain --btf`, read from disk: the file holding the BTF
/// and the exports' CRCs when the input has them.
#[derive(Debug)]
pub struct KernelInput {
    /// The image (vmlinux out of a bzImage, or a raw BTF file).
    pub image: crate::kmodule::ModuleFile,
    /// CRCs: `Module.symvers` in a directory input, else the image's own
    /// `__kcrctab` when it has exports.
    pub crcs: Option<BTreeMap<String, u32>>,
    /// The modules of a directory input that has them.
    pub modules: Option<ModuleTree>,
    /// A debug package's files in a directory input (`usr/lib/debug`, as
    /// Debian's `linux-image-*-dbg` installs them, directly or under
    /// `dbg/`): its `lib/modules/R`, holding `vmlinux` and `kernel/` with
    /// DWARF that the image and the installed modules lack.
    pub debug: Option<std::path::PathBuf>,
}

/// A kernel's installed modules (`lib/modules/R`, whose `kernel/` holds
/// the `.ko` files) and, from its `Module.symvers`, which module exports
/// each symbol: where the split BTF of a module export is.
#[derive(Debug)]
pub struct ModuleTree {
    /// The directory holding `kernel/`.
    pub root: std::path::PathBuf,
    /// Module path (`drivers/net/tun`, as Module.symvers names it) of each
    /// export that a module, not vmlinux, provides.
    pub exporter: BTreeMap<String, String>,
}

impl ModuleTree {
    /// The module file of a Module.symvers module path: `.ko`, or
    /// compressed as distributions install them, under `kernel/`
    /// (lib/modules/R), or next to its objects (a build tree).
    fn file(&self, module: &str) -> Option<std::path::PathBuf> {
        module_file(&self.root.join("kernel"), module)
            .or_else(|| Some(self.root.join(format!("{module}.ko"))).filter(|p| p.is_file()))
    }
}

impl KernelInput {
    /// Reads `path`: a vmlinux, a bzImage, a raw BTF file
    /// (`/sys/kernel/btf/vmlinux`), or a directory holding one of those
    /// (`vmlinux`, `vmlinux.btf`, `vmlinuz*`, `boot/vmlinuz-*`) and
    /// optionally a `Module.symvers`.
    pub fn open(path: &std::path::Path) -> Result<KernelInput> {
        if path.is_dir() {
            let image = image_in(path)?;
            let symvers = path.join("Module.symvers");
            let mut input = KernelInput::open(&image)?;
            if symvers.is_file() {
                let entries = crate::symvers::read(&symvers)?;
                // lib/modules/R (kernel/), or a build tree (modules.order).
                let root = ["modules", "."]
                    .iter()
                    .map(|d| path.join(d))
                    .find(|d| d.join("kernel").is_dir() || d.join("modules.order").is_file());
                input.modules = root.map(|root| ModuleTree {
                    root,
                    exporter: entries
                        .iter()
                        .filter(|e| e.module != "vmlinux")
                        .map(|e| (e.symbol.clone(), e.module.clone()))
                        .collect(),
                });
                input.crcs = Some(entries.into_iter().map(|e| (e.symbol, e.crc)).collect());
            }
            input.debug = debug_tree_in(path);
            return Ok(input);
        }
        let image = crate::bzimage::open_image(path)?;
        let crcs = if crate::btf::is_btf(&image.data) {
            None
        } else {
            let exports = crate::ksymtab::read_ksymtab(&image.elf()?)?;
            let crcs: BTreeMap<String, u32> = exports
                .into_iter()
                .filter_map(|e| Some((e.name, e.crc?)))
                .collect();
            (!crcs.is_empty()).then_some(crcs)
        };
        Ok(KernelInput {
            image,
            crcs,
            modules: None,
            debug: None,
        })
    }

    /// The image's BTF (base BTF).
    pub fn btf(&self) -> Result<Btf<'_>> {
        let (blob, origin) = crate::btf::btf_blob(&self.image.data, &self.image.display)?;
        crate::btf::parse(blob, &self.image.display, origin, None)
    }

    /// Whether explain should read the image's DWARF: always with
    /// `prefer_dwarf` (`--dwarf`), otherwise only when the image has no
    /// BTF (a debug package's vmlinux, a kernel without
    /// CONFIG_DEBUG_INFO_BTF). False: read [`Self::btf`].
    pub fn wants_dwarf(&self, prefer_dwarf: bool) -> Result<bool> {
        let has_btf = crate::btf::is_btf(&self.image.data)
            || crate::btf::btf_blob(&self.image.data, &self.image.display).is_ok();
        if has_btf && !prefer_dwarf {
            return Ok(false);
        }
        if crate::btf::is_btf(&self.image.data) && self.debug_vmlinux().is_none() {
            return Err(crate::Error::Unsupported(format!(
                "{}: a raw BTF file has no DWARF",
                self.image.display
            )));
        }
        Ok(true)
    }

    /// The debug package's vmlinux, when the input has one.
    fn debug_vmlinux(&self) -> Option<std::path::PathBuf> {
        Some(self.debug.as_ref()?.join("vmlinux")).filter(|p| p.is_file())
    }

    /// The file with DWARF of module `module`: the debug package's copy,
    /// else the installed module if it has DWARF itself.
    fn module_dwarf(&self, module: &str) -> Result<Option<crate::kmodule::ModuleFile>> {
        let debug = self
            .debug
            .as_ref()
            .and_then(|d| module_file(&d.join("kernel"), module));
        let installed = self.modules.as_ref().and_then(|m| m.file(module));
        for p in debug.into_iter().chain(installed) {
            let f = crate::kmodule::ModuleFile::open(&p)?;
            if has_dwarf(&f.data, &f.display) {
                return Ok(Some(f));
            }
        }
        Ok(None)
    }

    /// The types explain compares: with `dwarf` (from
    /// [`Self::wants_dwarf`]) the image's DWARF encoded as BTF, one unit
    /// at a time, with what each unit defines, its names in `arena`;
    /// else the image's own BTF. The image's pages read for the DWARF are
    /// released after: the other side is read next.
    pub fn types<'s>(
        &'s self,
        dwarf: bool,
        arena: &'s bumpalo::Bump,
    ) -> Result<(Btf<'s>, Option<Scopes>)> {
        if !dwarf {
            return Ok((self.btf()?, None));
        }
        let (btf, scopes) = match self.debug_vmlinux() {
            Some(p) if !has_dwarf(&self.image.data, &self.image.display) => {
                dwarf_types(&crate::kmodule::ModuleFile::open(&p)?, arena)?
            }
            _ => dwarf_types(&self.image, arena)?,
        };
        Ok((btf, Some(scopes)))
    }
}

/// The DWARF of `file` encoded as BTF with what each unit defines, its
/// names in `arena`; the pages read are released after.
fn dwarf_types<'a>(
    file: &crate::kmodule::ModuleFile,
    arena: &'a bumpalo::Bump,
) -> Result<(Btf<'a>, Scopes)> {
    let r = crate::btf_encoder::encode_object(&file.data, &file.display, arena);
    file.data.release_pages();
    r
}

/// `DIR/MODULE.ko`, or compressed.
fn module_file(dir: &std::path::Path, module: &str) -> Option<std::path::PathBuf> {
    ["ko", "ko.xz", "ko.zst", "ko.gz"]
        .iter()
        .map(|ext| dir.join(format!("{module}.{ext}")))
        .find(|p| p.is_file())
}

/// The `lib/modules/R` of a debug package's files in a directory input:
/// `usr/lib/debug/lib/modules/R` directly in it or under `dbg/`.
fn debug_tree_in(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    ["dbg/usr/lib/debug/lib/modules", "usr/lib/debug/lib/modules"]
        .iter()
        .filter_map(|d| std::fs::read_dir(dir.join(d)).ok())
        .flat_map(|entries| {
            let mut v: Vec<std::path::PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            v.sort();
            v
        })
        .find(|p| p.join("vmlinux").is_file() || p.join("kernel").is_dir())
}

/// Whether an ELF image has DWARF (a `.debug_info` section).
fn has_dwarf(data: &[u8], display: &str) -> bool {
    crate::elf::ElfImage::parse(data, display)
        .is_ok_and(|i| i.section_index(".debug_info").is_some())
}

/// The kernel image in a directory input.
fn image_in(dir: &std::path::Path) -> Result<std::path::PathBuf> {
    for name in ["vmlinux", "vmlinux.btf"] {
        if dir.join(name).is_file() {
            return Ok(dir.join(name));
        }
    }
    for d in [dir.to_path_buf(), dir.join("boot")] {
        let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz"))
            })
            .collect();
        found.sort();
        if let Some(p) = found.pop() {
            return Ok(p);
        }
    }
    Err(crate::Error::Unsupported(format!(
        "{}: no vmlinux, vmlinux.btf, vmlinuz* or boot/vmlinuz-* in this directory",
        dir.display()
    )))
}

/// The CRCs of a `Module.symvers`, by export.
pub fn read_symvers_crcs(path: &std::path::Path) -> Result<BTreeMap<String, u32>> {
    Ok(crate::symvers::read(path)?
        .into_iter()
        .map(|e| (e.symbol, e.crc))
        .collect())
}

/// The exports of modules (per `Module.symvers`, those a module provides
/// on both sides with a changed CRC) explained from their modules: each
/// module's split BTF over its side's vmlinux BTF (`old_base`,
/// `new_base`), or with `dwarf` each module's own DWARF (the debug
/// package's copy, else the installed file) with what each of its units
/// defines. Modules are read in parallel.
pub fn explain_module_exports(
    old: &KernelInput,
    new: &KernelInput,
    bases: (&Btf<'_>, &Btf<'_>),
    dwarf: bool,
    crcs: &ExportCrcs,
    only: &[String],
) -> Result<Explanation> {
    let mut out = Explanation::default();
    let (Some(om), Some(nm)) = (&old.modules, &new.modules) else {
        return Ok(out);
    };
    let (Some(oc), Some(nc)) = (&crcs.old, &crcs.new) else {
        return Ok(out);
    };
    let mut by_module: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, module) in &om.exporter {
        let changed = matches!((oc.get(name), nc.get(name)), (Some(a), Some(b)) if a != b);
        let wanted = only.is_empty() || only.contains(name);
        if changed && wanted && nm.exporter.get(name) == Some(module) {
            by_module
                .entry(module.as_str())
                .or_default()
                .push(name.clone());
        }
    }
    let by_module: Vec<(&str, Vec<String>)> = by_module.into_iter().collect();
    if by_module.is_empty() {
        return Ok(out);
    }
    // Each side's vmlinux symbols, looked up by every module's split BTF
    // (none with DWARF: each module's DWARF stands alone).
    let base_layers = (!dwarf).then(|| {
        (
            std::sync::Arc::new(Layer::new(bases.0, false)),
            std::sync::Arc::new(Layer::new(bases.1, false)),
        )
    });
    let parts = crate::parallel::map(by_module.len(), |i| {
        let (module, names) = &by_module[i];
        let e = match &base_layers {
            None => module_from_dwarf(old, new, module, crcs, names),
            Some(layers) => module_from_split_btf((om, nm), bases, layers, module, crcs, names),
        };
        e.map(|e| {
            e.map(|mut e| {
                for x in &mut e.exports {
                    x.file = module.to_string();
                }
                e
            })
        })
    });
    let mut missing: Vec<&str> = Vec::new();
    for ((module, _), part) in by_module.iter().zip(parts) {
        match part? {
            Some(e) => absorb(&mut out, e.exports, e.types),
            None => missing.push(module),
        }
    }
    if !missing.is_empty() {
        out.notes.push(format!(
            "{} modules with changed exports have no file or no {} on one side, so their exports are not explained: {}{}",
            missing.len(),
            if dwarf { "DWARF" } else { "split BTF" },
            missing.iter().take(5).copied().collect::<Vec<_>>().join(", "),
            if missing.len() > 5 { ", ..." } else { "" }
        ));
    }
    out.root_causes = super::root_causes(&out);
    Ok(out)
}

/// One module's exports `names` from its split BTF on both sides; `None`
/// when a side has no such module or no split BTF in it.
fn module_from_split_btf<'b>(
    (om, nm): (&ModuleTree, &ModuleTree),
    (old_base, new_base): (&'b Btf<'b>, &'b Btf<'b>),
    (old_layer, new_layer): &(std::sync::Arc<Layer<'b>>, std::sync::Arc<Layer<'b>>),
    module: &str,
    crcs: &ExportCrcs,
    names: &[String],
) -> Result<Option<Explanation>> {
    let (Some(of), Some(nf)) = (om.file(module), nm.file(module)) else {
        return Ok(None);
    };
    let (of, nf) = (
        crate::kmodule::ModuleFile::open(&of)?,
        crate::kmodule::ModuleFile::open(&nf)?,
    );
    let (Ok((ob, oo)), Ok((nb, no))) = (
        crate::btf::btf_blob(&of.data, &of.display),
        crate::btf::btf_blob(&nf.data, &nf.display),
    ) else {
        return Ok(None);
    };
    let os = crate::btf::parse(ob, &of.display, oo, Some(old_base))?;
    let ns = crate::btf::parse(nb, &nf.display, no, Some(new_base))?;
    let (so, sn) = (
        Side::split(&os, old_layer.clone()),
        Side::split(&ns, new_layer.clone()),
    );
    explain_sides(&so, &sn, (None, None), crcs, names).map(Some)
}

/// One module's exports `names` from its DWARF on both sides, each unit's
/// view as genksyms has it; `None` when a side has no DWARF of it.
fn module_from_dwarf(
    old: &KernelInput,
    new: &KernelInput,
    module: &str,
    crcs: &ExportCrcs,
    names: &[String],
) -> Result<Option<Explanation>> {
    let (Some(of), Some(nf)) = (old.module_dwarf(module)?, new.module_dwarf(module)?) else {
        return Ok(None);
    };
    let arenas = [bumpalo::Bump::new(), bumpalo::Bump::new()];
    let (ob, os) = dwarf_types(&of, &arenas[0])?;
    let (nb, ns) = dwarf_types(&nf, &arenas[1])?;
    explain_btf_scoped(&ob, &nb, (Some(&os), Some(&ns)), crcs, names).map(Some)
}

/// Adds exports, and the types `into` does not have yet, to `into`.
fn absorb(into: &mut Explanation, exports: Vec<ExportChange>, types: Vec<TypeChange>) {
    into.exports.extend(exports);
    let mut have: std::collections::HashSet<String> =
        into.types.iter().map(|t| t.symbol.clone()).collect();
    for t in types {
        if have.insert(t.symbol.clone()) {
            into.types.push(t);
        }
    }
}

/// `explain --btf` of two kernel inputs (and `why`'s explanation): each
/// side's BTF, or its DWARF (with `prefer_dwarf`, or where it has no BTF)
/// with what each of its units defines (a directory input's debug
/// package where the image has none); with both sides' modules, module
/// exports from their modules (split BTF, or DWARF when both sides are
/// read from DWARF) and the rest from vmlinux's. `only` narrows the
/// exports to names. Also says which sides were read from DWARF.
pub fn explain_kernels(
    old: &KernelInput,
    new: &KernelInput,
    crcs: &ExportCrcs,
    only: &[String],
    prefer_dwarf: bool,
) -> Result<(Explanation, [bool; 2])> {
    let dwarf = [
        old.wants_dwarf(prefer_dwarf)?,
        new.wants_dwarf(prefer_dwarf)?,
    ];
    // One side's DWARF is read, encoded and dropped before the other's.
    let arenas = [bumpalo::Bump::new(), bumpalo::Bump::new()];
    let (old_types, old_scopes) = old.types(dwarf[0], &arenas[0])?;
    let (new_types, new_scopes) = new.types(dwarf[1], &arenas[1])?;
    let modules = match (&old.modules, &new.modules, &crcs.old, &crcs.new) {
        (Some(m), Some(_), Some(c), Some(_)) if dwarf[0] == dwarf[1] => Some((m, c)),
        _ => None,
    };
    // With modules, vmlinux's BTF explains only what vmlinux exports.
    let vmlinux_only: Vec<String> = match modules {
        Some((m, c)) if only.is_empty() => c
            .keys()
            .filter(|k| !m.exporter.contains_key(*k))
            .cloned()
            .collect(),
        _ => only.to_vec(),
    };
    let mut e = explain_btf_scoped(
        &old_types,
        &new_types,
        (old_scopes.as_ref(), new_scopes.as_ref()),
        crcs,
        &vmlinux_only,
    )?;
    if modules.is_some() {
        let bases = (&old_types, &new_types);
        let m = explain_module_exports(old, new, bases, dwarf[0], crcs, only)?;
        absorb(&mut e, m.exports, m.types);
        e.notes.extend(m.notes);
        e.root_causes = super::root_causes(&e);
    }
    Ok((e, dwarf))
}
