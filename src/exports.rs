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

use crate::archive::Archive;
use crate::elf::{c_string, ElfImage, ElfSymbol};
use crate::error::{Error, Position, Result};
use crate::kver::KernelVersion;
use crate::symbols::{self, Magic, ReadOptions, SymbolTable};
use object::elf;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Which modules may use an export: `EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL`
/// (the kernel's `enum mod_license`, `kernel/module/internal.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum License {
    /// `EXPORT_SYMBOL`: any module (`NOT_GPL_ONLY`).
    NotGplOnly,
    /// `EXPORT_SYMBOL_GPL`: GPL-compatible modules only (`GPL_ONLY`).
    GplOnly,
}

impl License {
    /// `GplOnly` when `gpl_only` holds (modpost's `is_gpl_only`).
    pub fn from_gpl_only(gpl_only: bool) -> Self {
        if gpl_only {
            License::GplOnly
        } else {
            License::NotGplOnly
        }
    }

    /// The export type column of `Module.symvers` (modpost's
    /// `write_dump()`): `EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL`.
    pub fn export_type(self) -> &'static str {
        match self {
            License::NotGplOnly => "EXPORT_SYMBOL",
            License::GplOnly => "EXPORT_SYMBOL_GPL",
        }
    }
}

/// One export of an object (before the final link): the symbol an
/// `EXPORT_SYMBOL*` marker of `<linux/export.h>` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectExport {
    /// The exported symbol.
    pub name: String,
    /// `EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL`; `None` when the object does
    /// not say (bitcode).
    pub license: Option<License>,
    /// The namespace (empty without one); `None` when unknown (bitcode).
    pub namespace: Option<String>,
}

impl ObjectExport {
    /// One output line: the name, then, where known, the export type
    /// (`EXPORT_SYMBOL` or `EXPORT_SYMBOL_GPL`, as in Module.symvers) and
    /// the namespace, tab-separated.
    pub fn render(&self) -> String {
        match (self.license, &self.namespace) {
            (Some(l), Some(ns)) => format!("{}\t{}\t{}\n", self.name, l.export_type(), ns),
            _ => format!("{}\n", self.name),
        }
    }
}

/// The symbol-name prefix that marks an export in kernel `k` (what
/// `scripts/Makefile.build` greps the `$(NM)` output for):
/// `__ksymtab_` up to 6.4, `__export_symbol_` from 6.5.
pub fn marker_prefix(k: KernelVersion) -> &'static str {
    if k.at_least(6, 5) {
        "__export_symbol_"
    } else {
        "__ksymtab_"
    }
}

/// The exports of the object, archive or bitcode file at `path`, in symbol
/// table order (archives: member by member), each once: what kbuild's
/// `$(NM) $@ | grep -q __ksymtab` tests for. ELF objects, also inside
/// archives, carry license and namespace; bitcode only names.
pub fn read_object_exports(
    path: &Path,
    kernel: KernelVersion,
    opts: &ReadOptions,
) -> Result<Vec<ObjectExport>> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let display = path.display().to_string();
    let mut exports = Exports::new(kernel);
    match symbols::identify(&data) {
        Some(Magic::Elf) => return elf_object_exports(&data, &display, kernel),
        Some(Magic::Archive | Magic::ThinArchive) => {
            for member in Archive::parse(&data, path, &display)?.members() {
                let member = member?;
                let bytes = member.read()?;
                if symbols::identify(&bytes) == Some(Magic::Elf) {
                    exports.add_elf(&ElfImage::parse(&bytes, &member.display)?)?;
                } else if let Some(t) =
                    symbols::read_object(&bytes, &member.display, None, member.disk_path(), opts)?
                {
                    exports.add_table(&t);
                }
            }
        }
        _ => {
            for t in &symbols::read_bytes(&data, &display, path, opts)?.tables {
                exports.add_table(t);
            }
        }
    }
    Ok(exports.list)
}

/// The symbol list kbuild's `getexportsymbols` pipes into gendwarfksyms
/// (`$(NM) $@ | sed -n 's/.* __export_symbol_\(.*\)/\1/p'`, 6.14+): the
/// names of the object's exports, one a line, in llvm-nm's (byte-wise
/// name) order.
pub fn export_symbol_list(
    path: &Path,
    kernel: KernelVersion,
    opts: &ReadOptions,
) -> Result<String> {
    // Names from the symbol tables only, as nm lists them: unlike modpost,
    // getexportsymbols does not read the marker's license and namespace.
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut exports = Exports::new(kernel);
    for t in &symbols::read_bytes(&data, &path.display().to_string(), path, opts)?.tables {
        exports.add_table(t);
    }
    let mut names: Vec<String> = exports.list.into_iter().map(|e| e.name).collect();
    names.sort();
    Ok(names.iter().map(|n| format!("{n}\n")).collect())
}

/// The exports of one ELF object, with license and namespace from its
/// sections, as modpost's `handle_symbol()` finds them.
pub fn elf_object_exports(
    data: &[u8],
    display: &str,
    kernel: KernelVersion,
) -> Result<Vec<ObjectExport>> {
    let mut exports = Exports::new(kernel);
    exports.add_elf(&ElfImage::parse(data, display)?)?;
    Ok(exports.list)
}

/// Exports collected object by object, each name once.
struct Exports {
    kernel: KernelVersion,
    prefix: &'static str,
    seen: HashSet<String>,
    list: Vec<ObjectExport>,
}

impl Exports {
    fn new(kernel: KernelVersion) -> Self {
        Exports {
            kernel,
            prefix: marker_prefix(kernel),
            seen: HashSet::new(),
            list: Vec::new(),
        }
    }

    /// The export a defined marker symbol `name` stands for, if it is new.
    fn marked<'n>(&mut self, name: &'n str) -> Option<&'n str> {
        let name = name.strip_prefix(self.prefix)?;
        (!name.is_empty() && self.seen.insert(name.to_string())).then_some(name)
    }

    /// Names only, from a symbol table (bitcode; any object for
    /// [`export_symbol_list`]).
    fn add_table(&mut self, t: &SymbolTable) {
        for s in t.symbols.iter().filter(|s| !s.is_undefined()) {
            if let Some(name) = self.marked(&s.name) {
                self.list.push(ObjectExport {
                    name: name.to_string(),
                    license: None,
                    namespace: None,
                });
            }
        }
    }

    /// Names, license and namespace, from an ELF object's sections.
    fn add_elf(&mut self, image: &ElfImage<'_>) -> Result<()> {
        let namespaces = if self.kernel.at_least(6, 5) {
            HashMap::new()
        } else {
            kstrtabns(image)?
        };
        for s in image.symbols.iter().filter(|s| s.shndx != elf::SHN_UNDEF) {
            let Some(name) = self.marked(&s.name) else {
                continue;
            };
            let (license, namespace) = if self.kernel.at_least(6, 5) {
                export_symbol_strings(image, s)?
            } else {
                let ns = namespaces.get(name).cloned().unwrap_or_default();
                (ksymtab_license(image, s), ns)
            };
            self.list.push(ObjectExport {
                name: name.to_string(),
                license: Some(license),
                namespace: Some(namespace),
            });
        }
        Ok(())
    }
}

fn bad(image: &ElfImage<'_>, message: String) -> Error {
    Error::malformed(&image.display, Position::File, message)
}

/// Up to 6.4: `__kstrtabns_NAME` labels NAME's namespace string in
/// `__ksymtab_strings`.
fn kstrtabns(image: &ElfImage<'_>) -> Result<HashMap<String, String>> {
    let mut namespaces = HashMap::new();
    for s in &image.symbols {
        let Some(name) = s.name.strip_prefix("__kstrtabns_") else {
            continue;
        };
        let Some(sec) = image.section_of(s) else {
            continue;
        };
        let Ok(bytes) = image.section_data(sec) else {
            continue;
        };
        let off = s.value.wrapping_sub(sec.addr) as usize;
        let (ns, _) = c_string(bytes, off).ok_or_else(|| {
            bad(
                image,
                format!("__kstrtabns_{name}: expected a NUL-terminated namespace string"),
            )
        })?;
        namespaces.insert(name.to_string(), String::from_utf8_lossy(ns).into_owned());
    }
    Ok(namespaces)
}

/// Up to 6.4: the marker's section, `___ksymtab_gpl+NAME` for
/// `EXPORT_SYMBOL_GPL`.
fn ksymtab_license(image: &ElfImage<'_>, s: &ElfSymbol<'_>) -> License {
    let secname = image.section_of(s).map_or("", |sec| &sec.name);
    License::from_gpl_only(secname.starts_with("___ksymtab_gpl+") || secname == "__ksymtab_gpl")
}

/// From 6.5: `.export_symbol` holds the license (`"GPL"` or `""`) and the
/// namespace at the marker, as two NUL-terminated strings.
fn export_symbol_strings(image: &ElfImage<'_>, s: &ElfSymbol<'_>) -> Result<(License, String)> {
    let parsed = image.section_of(s).and_then(|sec| {
        let bytes = image.section_data(sec).ok()?;
        let off = s.value.wrapping_sub(sec.addr) as usize;
        let (lic, next) = c_string(bytes, off)?;
        let (ns, _) = c_string(bytes, next)?;
        Some((
            License::from_gpl_only(lic == b"GPL"),
            String::from_utf8_lossy(ns).into_owned(),
        ))
    });
    parsed.ok_or_else(|| {
        bad(
            image,
            format!(
                "{}: expected license and namespace strings in .export_symbol",
                s.name
            ),
        )
    })
}
