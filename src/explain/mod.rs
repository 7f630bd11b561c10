//! Why an export's CRC changed: comparing two symtypes files (or two
//! `KBUILD_SYMTYPES=1` trees) as genksyms' CRCs see them.
//!
//! For each symtypes file present in both OLD and NEW (matched by path
//! relative to the tree), the CRCs of its exports are computed with
//! [`crate::crc`] from the parsed [`crate::symtypes`] definitions. For every
//! export whose CRC differs, modver walks the references of its definition
//! (`s#`, `u#`, `e#`, `t#`, `E#` tokens, in OLD and NEW) breadth-first and
//! reports the shortest chain to every type whose definition changed
//! (`foo -> s#bar -> t#baz`). Each changed type gets a token-level diff,
//! summarised per struct/union/enum member (the tokens between `;`/`,` at
//! the outermost brace level): member added, removed or changed. Changed
//! types that no CRC-changed export reaches are listed separately.
//!
//! File pairs are independent: they are compared in parallel
//! ([`crate::parallel`]), and a pair whose files are byte-equal is skipped
//! without parsing (nothing in it can differ). Within a pair, symbols are
//! numbered once and every walk runs over those numbers.
//!
//! The parts: [`members`] (the C-member view of a definition), [`diff`]
//! (the sequence diff) and [`render`] (the text report).

pub mod btf;
pub mod diff;
pub mod members;
pub mod render;

use crate::crc::{export_crcs, NameMap};
use crate::error::Result;
use crate::symtypes::{list_tree, SymbolKind, SymtypesEntry, SymtypesFile};
use diff::diff;
use members::{member_name, members};
pub use render::render_text;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

/// A symtypes reference as genksyms writes it (`s#foo`, or a bare export).
pub fn symbol_ref(kind: SymbolKind, name: &str) -> String {
    match kind.prefix() {
        Some(p) => format!("{p}#{name}"),
        None => name.to_string(),
    }
}

/// One member-level change of a type definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberChange {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// The member's name (the declarator), if one could be found.
    pub member: Option<String>,
    /// The member's tokens in OLD.
    pub old: Option<String>,
    /// The member's tokens in NEW.
    pub new: Option<String>,
}

/// One token-level edit of a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenEdit {
    /// `-` (only in OLD) or `+` (only in NEW).
    pub op: char,
    /// The token, rendered as in the symtypes file.
    pub token: String,
}

/// A type (or export) whose definition differs between OLD and NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeChange {
    /// The symtypes file (relative path in a tree).
    pub file: String,
    /// The type, as a symtypes reference (`s#widget`).
    pub symbol: String,
    /// `changed`, `added` (only in NEW) or `removed` (only in OLD).
    pub status: &'static str,
    /// Member-level summary.
    pub members: Vec<MemberChange>,
    /// The token-level edit script (only differing tokens).
    pub tokens: Vec<TokenEdit>,
}

/// An export whose CRC changed and the chains to the changed types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportChange {
    /// The symtypes file (relative path in a tree).
    pub file: String,
    /// The export.
    pub symbol: String,
    /// CRC in OLD (`None`: export added).
    pub old_crc: Option<u32>,
    /// CRC in NEW (`None`: export removed).
    pub new_crc: Option<u32>,
    /// One chain per changed type reached, export first.
    pub chains: Vec<Vec<String>>,
    /// What else is known: the export's own declaration changed, or it is
    /// missing from one side's debug information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One root cause: a member change (or a type added/removed) and the
/// exports whose CRC it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCause {
    /// The changed type (`s#mm_struct`).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The member, when the change is one member's.
    pub member: Option<String>,
    /// `added`, `removed`, `changed`, or the type's own status.
    pub change: String,
    /// How many exports reach it.
    pub count: usize,
    /// Those exports, sorted.
    pub exports: Vec<String>,
}

/// The full comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Exports whose CRC differs (or that exist on one side only).
    pub exports: Vec<ExportChange>,
    /// Changed types reached from those exports.
    pub types: Vec<TypeChange>,
    /// Changed types that affect no listed export.
    pub unreferenced_types: Vec<TypeChange>,
    /// The changes grouped by root cause, most exports first.
    pub root_causes: Vec<RootCause>,
    /// What could not be explained, as a whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Groups an explanation's changes by root cause: every member change
/// (moves aside: they follow from another change) of a changed type at
/// the end of an export's chain, with the exports that reach it; a type
/// whose change has no member detail counts as one cause.
pub fn root_causes(e: &Explanation) -> Vec<RootCause> {
    let mut by_type: BTreeMap<&str, Vec<(Option<&str>, &str)>> = BTreeMap::new();
    for t in &e.types {
        let causes = by_type.entry(&t.symbol).or_default();
        for m in t.members.iter().filter(|m| m.change != "moved") {
            causes.push((Some(m.member.as_deref().unwrap_or("(anonymous)")), m.change));
        }
        if causes.is_empty() {
            causes.push((None, t.status));
        }
    }
    let mut groups: BTreeMap<(&str, Option<&str>, &str), Vec<String>> = BTreeMap::new();
    for x in &e.exports {
        for c in &x.chains {
            let Some(last) = c.last() else { continue };
            for &(member, change) in by_type.get(last.as_str()).into_iter().flatten() {
                groups
                    .entry((last, member, change))
                    .or_default()
                    .push(x.symbol.clone());
            }
        }
    }
    let mut out: Vec<RootCause> = groups
        .into_iter()
        .map(|((t, member, change), mut exports)| {
            exports.sort();
            exports.dedup();
            RootCause {
                type_name: t.to_string(),
                member: member.map(str::to_string),
                change: change.to_string(),
                count: exports.len(),
                exports,
            }
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.count));
    out
}

/// Compares two symtypes files or trees on disk (see
/// [`crate::symtypes::list_tree`]), one pair of files per task (a whole
/// tree is never held in memory). Files present on one side only are not
/// compared; two single files are compared whatever their names.
pub fn explain_paths(old: &Path, new: &Path, only: &[String]) -> Result<Explanation> {
    let (o, n) = (list_tree(old)?, list_tree(new)?);
    let pairs: Vec<(String, PathBuf, PathBuf)> = if !old.is_dir() && !new.is_dir() {
        o.into_iter()
            .zip(n)
            .map(|((k, a), (_, b))| (k, a, b))
            .collect()
    } else {
        o.into_iter()
            .filter_map(|(k, a)| n.get(&k).map(|b| (k, a, b.clone())))
            .collect()
    };
    let weight = |i: usize| crate::parallel::file_weight(&pairs[i].2);
    let parts = crate::parallel::map_heaviest_first(pairs.len(), weight, |i| {
        let (file, a, b) = &pairs[i];
        let (a, b) = (crate::symtypes::read(a)?, crate::symtypes::read(b)?);
        let mut part = Explanation::default();
        if a.data != b.data {
            explain_file(file, &a.parse()?, &b.parse()?, only, &mut part)?;
        }
        Ok(part)
    });
    merge(parts)
}

/// Joins per-pair results in pair order; the first failing pair is the
/// error.
fn merge(parts: Vec<Result<Explanation>>) -> Result<Explanation> {
    let mut result = Explanation::default();
    for p in parts {
        let p = p?;
        result.exports.extend(p.exports);
        result.types.extend(p.types);
        result.unreferenced_types.extend(p.unreferenced_types);
    }
    result.root_causes = root_causes(&result);
    Ok(result)
}

/// Compares OLD and NEW, parsed, keyed by path in their trees. With a
/// non-empty `only`, just those exports are explained. When both sides
/// are single files they are compared whatever their names.
pub fn explain(
    old: &BTreeMap<String, SymtypesFile<'_>>,
    new: &BTreeMap<String, SymtypesFile<'_>>,
    only: &[String],
) -> Result<Explanation> {
    let pairs: Vec<(&String, &SymtypesFile<'_>, &SymtypesFile<'_>)> =
        if old.len() == 1 && new.len() == 1 {
            old.iter()
                .zip(new.iter())
                .map(|((k, o), (_, n))| (k, o, n))
                .collect()
        } else {
            old.iter()
                .filter_map(|(k, o)| new.get(k).map(|n| (k, o, n)))
                .collect()
        };
    let parts = crate::parallel::map(pairs.len(), |i| {
        let (file, o, n) = pairs[i];
        let mut part = Explanation::default();
        explain_file(file, o, n, only, &mut part)?;
        Ok(part)
    });
    merge(parts)
}

/// A symbol as explain tells them apart: its exact kind and name.
type Key<'a> = (SymbolKind, &'a str);

/// The symbols of one file pair, numbered: every defined or referenced
/// `(kind, name)` of OLD and NEW gets one id, with its entry on each side
/// and its references (OLD's then NEW's, in token order).
struct PairIndex<'a> {
    keys: Vec<Key<'a>>,
    old: Vec<Option<&'a SymtypesEntry<'a>>>,
    new: Vec<Option<&'a SymtypesEntry<'a>>>,
    ids: NameMap<Key<'a>, u32>,
    /// `refs[ref_spans[id]..]`: the ids a symbol's definitions refer to.
    refs: Vec<u32>,
    ref_spans: Vec<(u32, u32)>,
}

impl<'a> PairIndex<'a> {
    fn new(old: &'a SymtypesFile<'a>, new: &'a SymtypesFile<'a>) -> Self {
        let n = old.entries.len().max(new.entries.len());
        let mut ix = PairIndex {
            keys: Vec::with_capacity(n),
            old: Vec::with_capacity(n),
            new: Vec::with_capacity(n),
            ids: NameMap::with_capacity_and_hasher(n * 2, Default::default()),
            refs: Vec::new(),
            ref_spans: Vec::new(),
        };
        for e in &old.entries {
            let id = ix.id((e.kind, e.name));
            ix.old[id as usize] = Some(e);
        }
        for e in &new.entries {
            let id = ix.id((e.kind, e.name));
            ix.new[id as usize] = Some(e);
        }
        let defined = ix.keys.len();
        let mut spans = Vec::with_capacity(defined);
        for id in 0..defined {
            let start = ix.refs.len() as u32;
            for side in [ix.old[id], ix.new[id]].into_iter().flatten() {
                for t in side.tokens.iter().filter(|t| t.kind != SymbolKind::Normal) {
                    let r = ix.id((t.kind, t.text));
                    ix.refs.push(r);
                }
            }
            spans.push((start, ix.refs.len() as u32));
        }
        ix.ref_spans = spans;
        ix
    }

    fn id(&mut self, k: Key<'a>) -> u32 {
        let next = self.keys.len() as u32;
        let id = *self.ids.entry(k).or_insert(next);
        if id == next {
            self.keys.push(k);
            self.old.push(None);
            self.new.push(None);
        }
        id
    }

    fn refs(&self, id: u32) -> &[u32] {
        self.ref_spans
            .get(id as usize)
            .and_then(|&(s, e)| self.refs.get(s as usize..e as usize))
            .unwrap_or_default()
    }

    fn symbol(&self, id: u32) -> String {
        let (kind, name) = self.keys[id as usize];
        symbol_ref(kind, name)
    }
}

/// Breadth-first scratch state over a pair's ids, reset per export in
/// O(1) by generation.
struct Bfs {
    generation: u32,
    seen: Vec<u32>,
    parent: Vec<u32>,
    queue: VecDeque<u32>,
}

impl Bfs {
    fn new(n: usize) -> Self {
        Bfs {
            generation: 0,
            seen: vec![0; n],
            parent: vec![u32::MAX; n],
            queue: VecDeque::new(),
        }
    }

    /// Starts a walk at `id`.
    fn start(&mut self, id: u32) {
        self.generation += 1;
        self.queue.clear();
        self.visit(id, u32::MAX);
    }

    fn visit(&mut self, id: u32, parent: u32) -> bool {
        let i = id as usize;
        if self.seen[i] == self.generation {
            return false;
        }
        self.seen[i] = self.generation;
        self.parent[i] = parent;
        self.queue.push_back(id);
        true
    }
}

fn explain_file(
    file: &str,
    old: &SymtypesFile<'_>,
    new: &SymtypesFile<'_>,
    only: &[String],
    out: &mut Explanation,
) -> Result<()> {
    let crcs = |f: &SymtypesFile<'_>| -> Result<NameMap<String, u32>> {
        Ok(export_crcs(f, false)?
            .into_iter()
            .map(|c| (c.name, c.crc))
            .collect())
    };
    let (old_crcs, new_crcs) = (crcs(old)?, crcs(new)?);
    let ix = PairIndex::new(old, new);
    let n = ix.keys.len();

    // Types (non-exports) whose definitions differ, in NEW's order then
    // OLD-only ones.
    let mut is_changed = vec![false; n];
    let mut changed: Vec<u32> = Vec::new();
    for e in new.entries.iter().chain(old.entries.iter()) {
        if e.kind == SymbolKind::Normal {
            continue;
        }
        let id = ix.ids[&(e.kind, e.name)];
        let i = id as usize;
        if is_changed[i] {
            continue;
        }
        let differs = match (ix.old[i], ix.new[i]) {
            (Some(a), Some(b)) => a.tokens != b.tokens,
            _ => true,
        };
        if differs {
            is_changed[i] = true;
            changed.push(id);
        }
    }

    let mut listed = vec![false; n];
    let mut reached = vec![false; n];
    let mut bfs = Bfs::new(n);
    for e in new.exports().chain(old.exports()) {
        let start = ix.ids[&(e.kind, e.name)];
        if std::mem::replace(&mut listed[start as usize], true) {
            continue;
        }
        if !only.is_empty() && !only.iter().any(|s| s == e.name) {
            continue;
        }
        let (a, b) = (old_crcs.get(e.name).copied(), new_crcs.get(e.name).copied());
        if a == b {
            continue;
        }
        // Breadth-first over references in both versions.
        let mut chains = Vec::new();
        bfs.start(start);
        while let Some(k) = bfs.queue.pop_front() {
            if is_changed[k as usize] {
                let mut chain = vec![ix.symbol(k)];
                let mut cur = k;
                while let Some(&p) = bfs.parent.get(cur as usize).filter(|&&p| p != u32::MAX) {
                    chain.push(ix.symbol(p));
                    cur = p;
                }
                chain.reverse();
                chains.push(chain);
                reached[k as usize] = true;
            }
            for &r in ix.refs(k) {
                bfs.visit(r, k);
            }
        }
        out.exports.push(ExportChange {
            file: file.to_string(),
            symbol: e.name.to_string(),
            old_crc: a,
            new_crc: b,
            chains,
            note: None,
        });
    }
    for &id in &changed {
        let i = id as usize;
        let tc = type_change(file, ix.keys[i], ix.old[i], ix.new[i]);
        if reached[i] {
            out.types.push(tc);
        } else {
            out.unreferenced_types.push(tc);
        }
    }
    Ok(())
}

fn type_change(
    file: &str,
    k: Key<'_>,
    old: Option<&SymtypesEntry<'_>>,
    new: Option<&SymtypesEntry<'_>>,
) -> TypeChange {
    let render = |e: Option<&SymtypesEntry<'_>>| -> Vec<String> {
        e.map(|e| {
            e.tokens
                .iter()
                .map(|t| symbol_ref(t.kind, t.text))
                .collect()
        })
        .unwrap_or_default()
    };
    let (ot, nt) = (render(old), render(new));
    let tokens = diff(&ot, &nt)
        .into_iter()
        .filter(|(op, _)| *op != ' ')
        .map(|(op, t)| TokenEdit {
            op,
            token: t.clone(),
        })
        .collect();
    let (om, nm) = (members(&ot), members(&nt));
    let mut changes = Vec::new();
    let (mut removed, mut added): (Vec<&Vec<String>>, Vec<&Vec<String>>) = (Vec::new(), Vec::new());
    for (op, m) in diff(&om, &nm) {
        match op {
            '-' => removed.push(m),
            '+' => added.push(m),
            _ => {}
        }
    }
    // A member removed and one added with the same name is a change.
    for r in &removed {
        let name = member_name(r);
        let pair = added
            .iter()
            .position(|a| name.is_some() && member_name(a) == name);
        match pair {
            Some(i) => {
                let a = added.remove(i);
                changes.push(MemberChange {
                    change: "changed",
                    member: name,
                    old: Some(r.join(" ")),
                    new: Some(a.join(" ")),
                });
            }
            None => changes.push(MemberChange {
                change: "removed",
                member: name,
                old: Some(r.join(" ")),
                new: None,
            }),
        }
    }
    for a in added {
        changes.push(MemberChange {
            change: "added",
            member: member_name(a),
            old: None,
            new: Some(a.join(" ")),
        });
    }
    TypeChange {
        file: file.to_string(),
        symbol: symbol_ref(k.0, k.1),
        status: match (old, new) {
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        },
        members: changes,
        tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symtypes::parse;

    fn tree(text: &str) -> BTreeMap<String, SymtypesFile<'_>> {
        BTreeMap::from([("a.symtypes".to_string(), parse("a.symtypes", text).unwrap())])
    }

    #[test]
    fn chain_and_member() {
        let old = tree("s#w struct w { int id ; } \nt#w_t typedef s#w w_t \ns#h struct h { t#w_t * p ; } \nf int f ( s#h * ) \ng int g ( int ) \n");
        let new = tree("s#w struct w { int id ; unsigned int color ; } \nt#w_t typedef s#w w_t \ns#h struct h { t#w_t * p ; } \nf int f ( s#h * ) \ng int g ( int ) \n");
        let e = explain(&old, &new, &[]).unwrap();
        assert_eq!(e.exports.len(), 1);
        assert_eq!(e.exports[0].chains, vec![vec!["f", "s#h", "t#w_t", "s#w"]]);
        assert_eq!(e.types[0].members[0].change, "added");
        assert_eq!(e.types[0].members[0].member.as_deref(), Some("color"));
        assert!(e.unreferenced_types.is_empty());
    }

    #[test]
    fn changed_type_no_export_reaches() {
        let old = tree("s#lonely struct lonely { int a ; } \ng int g ( int ) \n");
        let new = tree("s#lonely struct lonely { long a ; } \ng int g ( int ) \n");
        let e = explain(&old, &new, &[]).unwrap();
        assert!(e.exports.is_empty() && e.types.is_empty());
        let m = &e.unreferenced_types[0].members[0];
        assert_eq!((m.change, m.member.as_deref()), ("changed", Some("a")));
        assert!(render_text(&e).contains("Changed types affecting no export:\na.symtypes: s#lonely changed\n  member changed: a: int a -> long a\n"));
    }
}
