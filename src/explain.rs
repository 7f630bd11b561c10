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

use crate::crc::export_crcs;
use crate::error::{Error, Result};
use crate::symtypes::{SymbolKind, SymtypesEntry, SymtypesFile, Token};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
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
}

/// The symtypes files of OLD or NEW: the file itself, or every
/// `*.symtypes` under a directory, keyed by path relative to it.
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

/// Reads OLD or NEW completely (see [`list_tree`]).
pub fn read_tree(path: &Path) -> Result<BTreeMap<String, SymtypesFile>> {
    list_tree(path)?
        .into_iter()
        .map(|(k, p)| Ok((k, crate::symtypes::read(&p)?)))
        .collect()
}

/// Compares two symtypes files or trees on disk, one pair of files at a
/// time (a whole tree is never held in memory). Files present on one side
/// only are not compared; two single files are compared whatever their
/// names.
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
    let mut result = Explanation::default();
    for (file, a, b) in pairs {
        let (a, b) = (crate::symtypes::read(&a)?, crate::symtypes::read(&b)?);
        explain_file(&file, &a, &b, only, &mut result)?;
    }
    Ok(result)
}

fn walk(d: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(d)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Compares OLD and NEW (as read by [`read_tree`]). With a non-empty
/// `only`, just those exports are explained. When both sides are single
/// files they are compared whatever their names.
pub fn explain(
    old: &BTreeMap<String, SymtypesFile>,
    new: &BTreeMap<String, SymtypesFile>,
    only: &[String],
) -> Result<Explanation> {
    let pairs: Vec<(String, &SymtypesFile, &SymtypesFile)> = if old.len() == 1 && new.len() == 1 {
        old.iter()
            .zip(new.iter())
            .map(|((k, o), (_, n))| (k.clone(), o, n))
            .collect()
    } else {
        old.iter()
            .filter_map(|(k, o)| new.get(k).map(|n| (k.clone(), o, n)))
            .collect()
    };
    let mut result = Explanation::default();
    for (file, o, n) in pairs {
        explain_file(&file, o, n, only, &mut result)?;
    }
    Ok(result)
}

type Key = (SymbolKind, String);

fn index(f: &SymtypesFile) -> HashMap<Key, &SymtypesEntry> {
    f.entries
        .iter()
        .map(|e| ((e.kind, e.name.clone()), e))
        .collect()
}

fn explain_file(
    file: &str,
    old: &SymtypesFile,
    new: &SymtypesFile,
    only: &[String],
    out: &mut Explanation,
) -> Result<()> {
    let old_crcs: HashMap<String, u32> = export_crcs(old, false)?
        .into_iter()
        .map(|c| (c.name, c.crc))
        .collect();
    let new_crcs: HashMap<String, u32> = export_crcs(new, false)?
        .into_iter()
        .map(|c| (c.name, c.crc))
        .collect();
    let (oi, ni) = (index(old), index(new));

    // Types (non-exports) whose definitions differ, in NEW's order then
    // OLD-only ones.
    let mut changed: Vec<Key> = Vec::new();
    for e in new.entries.iter().chain(old.entries.iter()) {
        if e.kind == SymbolKind::Normal {
            continue;
        }
        let k = (e.kind, e.name.clone());
        if changed.contains(&k) {
            continue;
        }
        let differs = match (oi.get(&k), ni.get(&k)) {
            (Some(a), Some(b)) => a.tokens != b.tokens,
            _ => true,
        };
        if differs {
            changed.push(k);
        }
    }
    let changed_set: HashSet<&Key> = changed.iter().collect();

    let mut export_names: Vec<&String> = new
        .exports()
        .map(|e| &e.name)
        .chain(old.exports().map(|e| &e.name))
        .collect();
    let mut seen = HashSet::new();
    export_names.retain(|n| seen.insert(*n));
    let mut reached: HashSet<Key> = HashSet::new();
    for name in export_names {
        if !only.is_empty() && !only.iter().any(|s| s == name) {
            continue;
        }
        let (a, b) = (old_crcs.get(name).copied(), new_crcs.get(name).copied());
        if a == b {
            continue;
        }
        let start: Key = (SymbolKind::Normal, name.clone());
        // Breadth-first over references in both versions.
        let mut parent: HashMap<Key, Key> = HashMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        let mut visited: HashSet<Key> = HashSet::from([start.clone()]);
        let mut chains = Vec::new();
        while let Some(k) = queue.pop_front() {
            if changed_set.contains(&k) {
                let mut chain = vec![symbol_ref(k.0, &k.1)];
                let mut cur = &k;
                while let Some(p) = parent.get(cur) {
                    chain.push(symbol_ref(p.0, &p.1));
                    cur = p;
                }
                chain.reverse();
                chains.push(chain);
                reached.insert(k.clone());
            }
            for side in [&oi, &ni] {
                let Some(e) = side.get(&k) else { continue };
                for t in &e.tokens {
                    if t.kind == SymbolKind::Normal {
                        continue;
                    }
                    let r = (t.kind, t.text.clone());
                    if visited.insert(r.clone()) {
                        parent.insert(r.clone(), k.clone());
                        queue.push_back(r);
                    }
                }
            }
        }
        out.exports.push(ExportChange {
            file: file.to_string(),
            symbol: name.clone(),
            old_crc: a,
            new_crc: b,
            chains,
        });
    }
    for k in &changed {
        let tc = type_change(file, k, oi.get(k).copied(), ni.get(k).copied());
        if reached.contains(k) {
            out.types.push(tc);
        } else {
            out.unreferenced_types.push(tc);
        }
    }
    Ok(())
}

fn render_token(t: &Token) -> String {
    symbol_ref(t.kind, &t.text)
}

fn type_change(
    file: &str,
    k: &Key,
    old: Option<&SymtypesEntry>,
    new: Option<&SymtypesEntry>,
) -> TypeChange {
    let ot: Vec<String> = old
        .map(|e| e.tokens.iter().map(render_token).collect())
        .unwrap_or_default();
    let nt: Vec<String> = new
        .map(|e| e.tokens.iter().map(render_token).collect())
        .unwrap_or_default();
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
        symbol: symbol_ref(k.0, &k.1),
        status: match (old, new) {
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        },
        members: changes,
        tokens,
    }
}

/// The members of a struct/union/enum body: token groups between `;` (or
/// `,` for enums) at brace depth 1. A definition without a body is one
/// member (a typedef's whole definition).
fn members(tokens: &[String]) -> Vec<Vec<String>> {
    let Some(open) = tokens.iter().position(|t| t == "{") else {
        return if tokens.is_empty() {
            Vec::new()
        } else {
            vec![tokens.to_vec()]
        };
    };
    let is_enum = tokens.first().is_some_and(|t| t == "enum");
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut depth = 0usize;
    for t in tokens.get(open + 1..).unwrap_or_default() {
        match t.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" if depth == 0 => break,
            "}" | ")" | "]" => depth -= 1,
            _ => {}
        }
        if depth == 0 && (t == ";" || (is_enum && t == ",")) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        cur.push(t.clone());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The declarator name of a member: the identifier in `( * name )` for
/// function pointers, else the last identifier outside brackets and
/// before a bit-field `:`; for enum constants the first token.
fn member_name(m: &[String]) -> Option<String> {
    let ident = |t: &str| {
        !t.is_empty()
            && !t.contains('#')
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !t.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(e) = m.first().filter(|t| t.starts_with("E#")) {
        return Some(e.trim_start_matches("E#").to_string());
    }
    for w in m.windows(3) {
        if let [a, b, c] = w {
            if a == "(" && b == "*" && ident(c) {
                return Some(c.clone());
            }
        }
    }
    let mut depth = 0usize;
    let mut last = None;
    for t in m {
        match t.as_str() {
            "[" | "(" | "{" => depth += 1,
            "]" | ")" | "}" => depth = depth.saturating_sub(1),
            ":" if depth == 0 => break,
            s if depth == 0 && ident(s) && !is_keyword(s) => last = Some(s.to_string()),
            _ => {}
        }
    }
    last
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "int"
            | "long"
            | "short"
            | "char"
            | "unsigned"
            | "signed"
            | "const"
            | "volatile"
            | "struct"
            | "union"
            | "enum"
            | "void"
            | "float"
            | "double"
            | "_Bool"
            | "bool"
    )
}

/// Longest-common-subsequence diff: `' '` kept, `'-'` only in `a`, `'+'`
/// only in `b`, in order.
fn diff<'a, T: PartialEq>(a: &'a [T], b: &'a [T]) -> Vec<(char, &'a T)> {
    let (n, m) = (a.len(), b.len());
    // Definitions are short; a quadratic table is fine, but bound it so a
    // hostile input cannot exhaust memory.
    if n.saturating_mul(m) > 4_000_000 {
        let mut v: Vec<(char, &T)> = a.iter().map(|t| ('-', t)).collect();
        v.extend(b.iter().map(|t| ('+', t)));
        return v;
    }
    let mut l = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((' ', &a[i]));
            i += 1;
            j += 1;
        } else if l[i + 1][j] >= l[i][j + 1] {
            out.push(('-', &a[i]));
            i += 1;
        } else {
            out.push(('+', &b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| ('-', t)));
    out.extend(b[j..].iter().map(|t| ('+', t)));
    out
}

/// The text report: per export its CRCs and chains, per changed type its
/// member changes, then the types that affect no export.
pub fn render_text(e: &Explanation) -> String {
    let mut s = String::new();
    let crc = |c: Option<u32>| c.map_or("(none)".to_string(), |c| format!("0x{c:08x}"));
    for x in &e.exports {
        s.push_str(&format!(
            "{}: {}: CRC {} -> {}\n",
            x.file,
            x.symbol,
            crc(x.old_crc),
            crc(x.new_crc)
        ));
        for c in &x.chains {
            s.push_str(&format!("  {}\n", c.join(" -> ")));
        }
        if x.chains.is_empty() {
            s.push_str("  (no changed type reached: the export's own declaration changed, or it was added/removed)\n");
        }
    }
    let types = |s: &mut String, list: &[TypeChange]| {
        for t in list {
            s.push_str(&format!("{}: {} {}\n", t.file, t.symbol, t.status));
            for m in &t.members {
                let what = m.member.as_deref().unwrap_or("?");
                match m.change {
                    "changed" => s.push_str(&format!(
                        "  member changed: {what}: {} -> {}\n",
                        m.old.as_deref().unwrap_or(""),
                        m.new.as_deref().unwrap_or("")
                    )),
                    c => s.push_str(&format!(
                        "  member {c}: {what}: {}\n",
                        m.old.as_deref().or(m.new.as_deref()).unwrap_or("")
                    )),
                }
            }
            let edits: Vec<String> = t
                .tokens
                .iter()
                .map(|e| format!("{}{}", e.op, e.token))
                .collect();
            if !edits.is_empty() {
                s.push_str(&format!("  tokens: {}\n", edits.join(" ")));
            }
        }
    };
    if !e.types.is_empty() {
        s.push_str("Changed types:\n");
        types(&mut s, &e.types);
    }
    if !e.unreferenced_types.is_empty() {
        s.push_str("Changed types affecting no export:\n");
        types(&mut s, &e.unreferenced_types);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symtypes::parse;

    fn tree(text: &str) -> BTreeMap<String, SymtypesFile> {
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

    #[test]
    fn member_names() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            member_name(&v("int ( * cb ) ( int )")).as_deref(),
            Some("cb")
        );
        assert_eq!(member_name(&v("char name [ 8 ]")).as_deref(), Some("name"));
        assert_eq!(member_name(&v("unsigned int x : 3")).as_deref(), Some("x"));
    }
}
