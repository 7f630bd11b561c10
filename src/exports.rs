//! The symbols an object exports (`EXPORT_SYMBOL*`), read from its symbol
//! table as kbuild decides whether to run genksyms on it
//! (`$(NM) $@ | grep -q __ksymtab`, from 6.5 `grep -q ' __export_symbol_'`).
//!
//! What `<linux/export.h>` leaves in an object:
//!
//! * up to 6.4: a label `__ksymtab_NAME` in section `___ksymtab+NAME`
//!   (`___ksymtab_gpl+NAME` for `EXPORT_SYMBOL_GPL`), and the strings
//!   `__kstrtab_NAME` (the name) and `__kstrtabns_NAME` (the namespace,
//!   empty without one) in `__ksymtab_strings`;
//! * from 6.5: a label `__export_symbol_NAME` in `.export_symbol`, at which
//!   the license (`"GPL"` or `""`) and the namespace follow as two
//!   NUL-terminated strings.
//!
//! For an ELF object (also an ELF archive member) modver reads those
//! sections and reports license and namespace. For LLVM bitcode only the
//! symbol names are visible: llvm-nm lists the labels of top-level asm but
//! not their sections or contents, so license and namespace stay unknown
//! (they live in the module's inline asm text).

use crate::error::{Error, Position, Result};
use crate::kver::KernelVersion;
use crate::symbols::{self, ReadOptions};
use object::{Object, ObjectSection, ObjectSymbol};
use std::path::Path;

/// One exported symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The exported symbol.
    pub name: String,
    /// `EXPORT_SYMBOL_GPL`/`_NS_GPL`; `None` when the object does not say
    /// (bitcode).
    pub gpl: Option<bool>,
    /// The namespace (empty without one); `None` when unknown (bitcode).
    pub namespace: Option<String>,
}

impl Export {
    /// One output line: the name, then, where known, the export type
    /// (`EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL`, as in Module.symvers) and
    /// the namespace, tab-separated.
    pub fn render(&self) -> String {
        match (self.gpl, &self.namespace) {
            (Some(gpl), Some(ns)) => format!(
                "{}\t{}\t{}\n",
                self.name,
                if gpl {
                    "EXPORT_SYMBOL_GPL"
                } else {
                    "EXPORT_SYMBOL"
                },
                ns
            ),
            _ => format!("{}\n", self.name),
        }
    }
}

/// The symbol-name prefix that marks an export in kernel `k`:
/// `__ksymtab_` up to 6.4, `__export_symbol_` from 6.5.
pub fn marker_prefix(k: KernelVersion) -> &'static str {
    if k.at_least(6, 5) {
        "__export_symbol_"
    } else {
        "__ksymtab_"
    }
}

/// The exports of the object, archive or bitcode file at `path`, in symbol
/// table order (archives: member by member), each once. ELF objects, also
/// inside archives, carry license and namespace; bitcode only names.
pub fn read_exports(path: &Path, kernel: KernelVersion, opts: &ReadOptions) -> Result<Vec<Export>> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let display = path.display().to_string();
    let magic = symbols::identify(&data);
    if magic == Some(symbols::Magic::Elf) {
        return elf_exports(&data, &display, kernel);
    }
    // ELF archive members: read with their sections, keyed by member index.
    let mut elf_members: Vec<Option<Vec<Export>>> = Vec::new();
    if matches!(
        magic,
        Some(symbols::Magic::Archive | symbols::Magic::ThinArchive)
    ) {
        elf_members = archive_elf_exports(path, &data, &display, kernel)?;
    }
    let fs = symbols::read_file(path, opts)?;
    let prefix = marker_prefix(kernel);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, t) in fs.tables.iter().enumerate() {
        if let Some(Some(list)) = elf_members.get(i) {
            for e in list {
                if seen.insert(e.name.clone()) {
                    out.push(e.clone());
                }
            }
            continue;
        }
        for s in &t.symbols {
            if s.is_undefined() {
                continue;
            }
            if let Some(name) = s.name.strip_prefix(prefix) {
                if !name.is_empty() && seen.insert(name.to_string()) {
                    out.push(Export {
                        name: name.to_string(),
                        gpl: None,
                        namespace: None,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// For each object member of an archive (in the order `symbols` lists
/// them: ELF and bitcode members only), the exports of ELF members.
fn archive_elf_exports(
    path: &Path,
    data: &[u8],
    display: &str,
    kernel: KernelVersion,
) -> Result<Vec<Option<Vec<Export>>>> {
    let archive = object::read::archive::ArchiveFile::parse(data)
        .map_err(|e| Error::malformed(display, Position::Offset(0), e.to_string()))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for member in archive.members() {
        let member =
            member.map_err(|e| Error::malformed(display, Position::File, e.to_string()))?;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let member_display = format!("{display}({name})");
        let bytes = if member.is_thin() {
            let p = dir.join(&name);
            std::fs::read(&p).map_err(|e| Error::io(&p, e))?
        } else {
            member
                .data(data)
                .map_err(|e| Error::malformed(&member_display, Position::File, e.to_string()))?
                .to_vec()
        };
        match symbols::identify(&bytes) {
            Some(symbols::Magic::Elf) => {
                out.push(Some(elf_exports(&bytes, &member_display, kernel)?))
            }
            Some(symbols::Magic::Bitcode) => out.push(None),
            _ => {}
        }
    }
    Ok(out)
}

/// A NUL-terminated string at `off` in `data`.
fn c_string(data: &[u8], off: usize) -> Option<(&[u8], usize)> {
    let rest = data.get(off..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    Some((rest.get(..end)?, off + end + 1))
}

/// Exports of an ELF object, with license and namespace from its sections.
pub fn elf_exports(data: &[u8], display: &str, kernel: KernelVersion) -> Result<Vec<Export>> {
    let bad = |m: String| Error::malformed(display, Position::File, m);
    let file = object::File::parse(data).map_err(|e| bad(format!("invalid ELF: {e}")))?;
    let prefix = marker_prefix(kernel);
    let section_of = |s: &object::Symbol<'_, '_>| {
        s.section_index()
            .and_then(|i| file.section_by_index(i).ok())
    };
    // __kstrtabns_NAME -> namespace (up to 6.4).
    let mut namespaces = std::collections::HashMap::new();
    if !kernel.at_least(6, 5) {
        for s in file.symbols() {
            let Ok(n) = s.name() else { continue };
            let Some(name) = n.strip_prefix("__kstrtabns_") else {
                continue;
            };
            let Some(sec) = section_of(&s) else { continue };
            let Ok(bytes) = sec.data() else { continue };
            let off = s.address().wrapping_sub(sec.address()) as usize;
            let (ns, _) = c_string(bytes, off).ok_or_else(|| {
                bad(format!(
                    "__kstrtabns_{name}: expected a NUL-terminated namespace string"
                ))
            })?;
            namespaces.insert(name.to_string(), String::from_utf8_lossy(ns).into_owned());
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in file.symbols() {
        if s.is_undefined() {
            continue;
        }
        let Ok(n) = s.name() else { continue };
        let Some(name) = n.strip_prefix(prefix) else {
            continue;
        };
        if name.is_empty() || !seen.insert(name.to_string()) {
            continue;
        }
        let sec = section_of(&s);
        let (gpl, namespace) = if kernel.at_least(6, 5) {
            // .export_symbol: license string, then namespace string.
            let parsed = sec.as_ref().and_then(|sec| {
                let bytes = sec.data().ok()?;
                let off = s.address().wrapping_sub(sec.address()) as usize;
                let (lic, next) = c_string(bytes, off)?;
                let (ns, _) = c_string(bytes, next)?;
                Some((lic == b"GPL", String::from_utf8_lossy(ns).into_owned()))
            });
            match parsed {
                Some((g, ns)) => (Some(g), Some(ns)),
                None => {
                    return Err(bad(format!(
                        "{n}: expected license and namespace strings in .export_symbol"
                    )))
                }
            }
        } else {
            let secname = sec.as_ref().and_then(|s| s.name().ok()).unwrap_or("");
            let gpl = secname.starts_with("___ksymtab_gpl+") || secname == "__ksymtab_gpl";
            (
                Some(gpl),
                Some(namespaces.get(name).cloned().unwrap_or_default()),
            )
        };
        out.push(Export {
            name: name.to_string(),
            gpl,
            namespace,
        });
    }
    Ok(out)
}
