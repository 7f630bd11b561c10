//! The text report of `modver explain`.

use super::{Explanation, TypeChange};

/// The text report: per export its CRCs and chains, per changed type its
/// member changes, then the types that affect no export.
pub fn render_text(e: &Explanation) -> String {
    let mut s = String::new();
    let crc = |c: Option<u32>| c.map_or("(none)".to_string(), |c| format!("0x{c:08x}"));
    for x in &e.exports {
        let file = if x.file.is_empty() {
            String::new()
        } else {
            format!("{}: ", x.file)
        };
        s.push_str(&format!(
            "{file}{}: CRC {} -> {}\n",
            x.symbol,
            crc(x.old_crc),
            crc(x.new_crc)
        ));
        for c in &x.chains {
            s.push_str(&format!("  {}\n", c.join(" -> ")));
        }
        if let Some(n) = &x.note {
            s.push_str(&format!("  {n}\n"));
        }
        if x.chains.is_empty() && x.note.is_none() {
            s.push_str("  (no changed type reached: the export's own declaration changed, or it was added/removed)\n");
        }
    }
    let types = |s: &mut String, list: &[TypeChange]| {
        for t in list {
            if !t.file.is_empty() {
                s.push_str(&format!("{}: ", t.file));
            }
            s.push_str(&format!("{} {}\n", t.symbol, t.status));
            for m in &t.members {
                let what = m.member.as_deref().unwrap_or("?");
                match m.change {
                    "changed" | "moved" => s.push_str(&format!(
                        "  member {}: {what}: {} -> {}\n",
                        m.change,
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
    for n in &e.notes {
        s.push_str(&format!("Note: {n}\n"));
    }
    if !e.root_causes.is_empty() {
        s.push_str("Root causes:\n");
        for r in &e.root_causes {
            let what = match &r.member {
                Some(m) => format!("member {m} {}", r.change),
                None => r.change.clone(),
            };
            let n = if r.count == 1 { "export" } else { "exports" };
            // The JSON report lists them all; a person needs a few.
            let shown = r.exports.len().min(8);
            let more = match r.exports.len() - shown {
                0 => String::new(),
                m => format!(", {m} more"),
            };
            s.push_str(&format!(
                "  {}: {what}: {} {n} ({}{more})\n",
                r.type_name,
                r.count,
                r.exports[..shown].join(", ")
            ));
        }
    }
    s
}
