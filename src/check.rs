//! Checking a module's imports against their providers' CRCs: what the
//! kernel's `check_version` does at load time, done ahead of time for a
//! whole set of modules.
//!
//! Providers come from `Module.symvers` files ([`crate::symvers`]), from
//! the `__ksymtab`/`__kcrctab` of a `vmlinux` or `.ko` ([`crate::ksymtab`]),
//! and from the other modules being checked. Every import of a module — each
//! entry of its version table ([`crate::modversions`]) and each undefined
//! symbol of its `.symtab` — gets an [`ImportStatus`]:
//!
//! * `ok`: CRCs equal.
//! * `mismatch`: CRCs differ; the kernel refuses the module with
//!   "disagrees about version of symbol X".
//! * `unversioned`: the provider exports the symbol without a CRC, or the
//!   module has no CRC for a symbol whose provider has one (modpost did not
//!   know the provider's CRC: "no symbol version for X").
//! * `missing`: no provider has the symbol ("Unknown symbol X").
//!
//! `module_layout` (the CRC of `struct module`, added by modpost to every
//! module) is an ordinary vmlinux export and is checked like any import; if
//! no provider is `vmlinux` (only module exports were given) it cannot be
//! checked and is left out rather than reported missing. Kernels that no
//! longer emit it simply have no such entry.

use crate::error::Result;
use crate::kmodule::ModuleFile;
use crate::ksymtab::{read_ksymtab, KsymtabEntry};
use crate::modversions::{read_versions, ModuleVersions, VersionsTable};
use crate::symvers::SymversEntry;
use object::elf;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a provider's CRC was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// The provider's CRC, `None` if it exports the symbol unversioned.
    pub crc: Option<u32>,
    /// `vmlinux` or the exporting module (path without extension).
    pub module: Arc<str>,
    /// The file the CRC was read from (`Module.symvers`, `vmlinux`, `.ko`):
    /// one string shared by all its providers, as each import's verdict
    /// holds a copy.
    pub source: Arc<str>,
}

/// All known exports, by symbol. The first provider added for a symbol
/// wins, so add the most authoritative source first.
#[derive(Debug, Default)]
pub struct ProviderIndex {
    map: FxHashMap<String, Provider>,
    has_vmlinux: bool,
    sources: usize,
}

impl ProviderIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    fn add(&mut self, symbol: &str, p: Provider) {
        if &*p.module == "vmlinux" {
            self.has_vmlinux = true;
        }
        self.map.entry(symbol.to_string()).or_insert(p);
    }

    /// Adds the entries of one `Module.symvers`. modpost writes unversioned
    /// exports with CRC `0x00000000`, so 0 counts as "no CRC".
    pub fn add_symvers(&mut self, entries: &[SymversEntry], source: &str) {
        self.sources += 1;
        self.map.reserve(entries.len());
        let source: Arc<str> = Arc::from(source);
        let mut module: Arc<str> = Arc::from("");
        for e in entries {
            // Module.symvers lists each module's exports together.
            if *module != *e.module {
                module = Arc::from(e.module.as_str());
            }
            self.add(
                &e.symbol,
                Provider {
                    crc: (e.crc != 0).then_some(e.crc),
                    module: module.clone(),
                    source: source.clone(),
                },
            );
        }
    }

    /// Adds the `__ksymtab` of a `vmlinux` or module (`module` is `vmlinux`
    /// or the module's name without extension).
    pub fn add_ksymtab(&mut self, exports: &[KsymtabEntry], module: &str, source: &str) {
        self.sources += 1;
        let (module, source): (Arc<str>, Arc<str>) = (Arc::from(module), Arc::from(source));
        for e in exports {
            self.add(
                &e.name,
                Provider {
                    crc: e.crc,
                    module: module.clone(),
                    source: source.clone(),
                },
            );
        }
    }

    /// The provider of `symbol`.
    pub fn get(&self, symbol: &str) -> Option<&Provider> {
        self.map.get(symbol)
    }

    /// Whether some provider is `vmlinux`.
    pub fn has_vmlinux(&self) -> bool {
        self.has_vmlinux
    }

    /// How many files were added.
    pub fn source_count(&self) -> usize {
        self.sources
    }
}

/// The verdict for one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportStatus {
    /// The module's CRC equals the provider's.
    Ok,
    /// The CRCs differ: the module will not load.
    Mismatch,
    /// One side has no CRC.
    Unversioned,
    /// No provider exports the symbol.
    Missing,
}

/// One import of a module and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCheck {
    /// The imported symbol.
    pub symbol: String,
    /// The verdict.
    pub status: ImportStatus,
    /// The CRC in the module's version table (`None`: not in the table).
    pub module_crc: Option<u64>,
    /// The provider, if any.
    pub provider: Option<Provider>,
}

/// The result of checking one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleCheck {
    /// The module file as given.
    pub path: String,
    /// Which version table the module has (`None`: built without
    /// `CONFIG_MODVERSIONS`).
    pub versions: Option<VersionsTable>,
    /// Every import, in version-table order, then undefined symbols
    /// missing from the table.
    pub imports: Vec<ImportCheck>,
    /// Why the module could not be checked.
    pub error: Option<String>,
}

impl ModuleCheck {
    /// Imports whose status is not `ok`.
    pub fn problems(&self) -> impl Iterator<Item = &ImportCheck> {
        self.imports.iter().filter(|i| i.status != ImportStatus::Ok)
    }
}

/// What modver reads from a module to check it.
#[derive(Debug, Clone)]
pub struct LoadedModule {
    /// The file as given.
    pub path: PathBuf,
    /// Its name as a provider: what `Module.symvers` records for it,
    /// [`crate::modname::module_name`] of the path relative to the tree
    /// (without a leading `./`); the path itself when it is not named like
    /// a module.
    pub name: String,
    /// Its version tables.
    pub versions: ModuleVersions,
    /// Its undefined symbols: name, and whether the reference is weak.
    pub undefined: Vec<(String, bool)>,
    /// Its own exports (a provider for the other modules).
    pub exports: Vec<KsymtabEntry>,
}

/// Symbols that are undefined in every module but never resolved against
/// exports (toolchain symbols modpost ignores).
fn ignored_undefined(name: &str) -> bool {
    matches!(name, "_GLOBAL_OFFSET_TABLE_" | ".TOC." | "__this_module")
}

/// Reads a module file (compressed or not) for checking.
pub fn load_module(path: &Path) -> Result<LoadedModule> {
    let file = ModuleFile::open(path)?;
    let elf = file.elf()?;
    let versions = read_versions(&elf)?;
    let exports = read_ksymtab(&elf)?;
    let undefined = elf
        .symbols
        .iter()
        .filter(|s| s.shndx == elf::SHN_UNDEF && !s.name.is_empty() && !ignored_undefined(&s.name))
        .map(|s| (s.name.to_string(), s.bind == elf::STB_WEAK))
        .collect();
    let shown = path.display().to_string();
    let relative = shown.strip_prefix("./").unwrap_or(&shown);
    let name = crate::modname::module_name(relative, None).unwrap_or_else(|_| shown.clone());
    Ok(LoadedModule {
        path: path.to_path_buf(),
        name,
        versions,
        undefined,
        exports,
    })
}

/// Checks one module's imports against `index`.
pub fn check_module(m: &LoadedModule, index: &ProviderIndex) -> ModuleCheck {
    let lookup = |sym: &str| index.get(sym).filter(|p| *p.module != *m.name).cloned();
    let mut imports = Vec::new();
    let effective = m.versions.effective();
    let mut in_table: FxHashSet<&str> = FxHashSet::default();
    if let Some((_, entries)) = effective {
        for e in entries {
            in_table.insert(e.name.as_str());
            let provider = lookup(&e.name);
            let status = match &provider {
                None if e.name == "module_layout" && !index.has_vmlinux() => continue,
                None => ImportStatus::Missing,
                Some(Provider { crc: None, .. }) => ImportStatus::Unversioned,
                Some(Provider { crc: Some(c), .. }) if u64::from(*c) == e.crc => ImportStatus::Ok,
                Some(_) => ImportStatus::Mismatch,
            };
            imports.push(ImportCheck {
                symbol: e.name.clone(),
                status,
                module_crc: Some(e.crc),
                provider,
            });
        }
    }
    for (name, weak) in &m.undefined {
        if in_table.contains(name.as_str()) {
            continue;
        }
        let provider = lookup(name);
        let status = match &provider {
            None if *weak => continue,
            None => ImportStatus::Missing,
            // Without a version table nothing can disagree; the module as a
            // whole is reported as unversioned.
            Some(_) if effective.is_none() => ImportStatus::Ok,
            Some(Provider { crc: Some(_), .. }) => ImportStatus::Unversioned,
            Some(Provider { crc: None, .. }) => ImportStatus::Unversioned,
        };
        imports.push(ImportCheck {
            symbol: name.clone(),
            status,
            module_crc: None,
            provider,
        });
    }
    ModuleCheck {
        path: m.path.display().to_string(),
        versions: effective.map(|(t, _)| t),
        imports,
        error: None,
    }
}

/// Totals over a set of module checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Modules checked (including unreadable ones).
    pub modules: usize,
    /// Modules that could not be read.
    pub errors: usize,
    /// Modules without any version table.
    pub unversioned_modules: usize,
    /// Imports checked.
    pub imports: usize,
    /// Imports by verdict.
    pub ok: usize,
    /// See [`ImportStatus::Mismatch`].
    pub mismatch: usize,
    /// See [`ImportStatus::Unversioned`].
    pub unversioned: usize,
    /// See [`ImportStatus::Missing`].
    pub missing: usize,
}

/// Adds up the verdicts.
pub fn summarize(checks: &[ModuleCheck]) -> Summary {
    let mut s = Summary {
        modules: checks.len(),
        ..Summary::default()
    };
    for c in checks {
        if c.error.is_some() {
            s.errors += 1;
            continue;
        }
        if c.versions.is_none() {
            s.unversioned_modules += 1;
        }
        for i in &c.imports {
            s.imports += 1;
            match i.status {
                ImportStatus::Ok => s.ok += 1,
                ImportStatus::Mismatch => s.mismatch += 1,
                ImportStatus::Unversioned => s.unversioned += 1,
                ImportStatus::Missing => s.missing += 1,
            }
        }
    }
    s
}

/// The text report: one line per problem, each saying what the kernel will
/// do and what to change.
pub fn render_text(checks: &[ModuleCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        if let Some(e) = &c.error {
            out.push_str(&format!("{}: error: {e}\n", c.path));
            continue;
        }
        if c.versions.is_none() {
            out.push_str(&format!(
                "{}: no __versions table: built without CONFIG_MODVERSIONS; loading it taints the kernel (\"no versions for imported symbols\")\n",
                c.path
            ));
        }
        for i in c.problems() {
            out.push_str(&problem_line(&c.path, i));
            out.push('\n');
        }
    }
    out
}

fn problem_line(path: &str, i: &ImportCheck) -> String {
    let sym = &i.symbol;
    match (i.status, i.module_crc, &i.provider) {
        (ImportStatus::Mismatch, Some(m), Some(p)) => format!(
            "{path}: mismatch: {sym}: module has 0x{m:08x}, {} exports 0x{:08x} ({}): the kernel refuses it (\"disagrees about version of symbol {sym}\"); rebuild the module against {}",
            p.module,
            p.crc.unwrap_or(0),
            p.source,
            p.source
        ),
        (ImportStatus::Missing, m, _) => format!(
            "{path}: missing: {sym}{}: no given Module.symvers, vmlinux or module exports it (\"Unknown symbol {sym}\"); add the provider with --symvers/--vmlinux or as a MODULE",
            m.map(|m| format!(" (module has 0x{m:08x})")).unwrap_or_default()
        ),
        (ImportStatus::Unversioned, Some(m), Some(p)) => format!(
            "{path}: unversioned: {sym}: module has 0x{m:08x} but {} exports it without a CRC ({}): build {} with CONFIG_MODVERSIONS so the kernel can check it",
            p.module, p.source, p.module
        ),
        (ImportStatus::Unversioned, None, Some(p)) => match p.crc {
            Some(c) => format!(
                "{path}: unversioned: {sym}: not in the module's version table, {} exports 0x{c:08x} ({}): modpost did not know this export when the module was built (\"no symbol version for {sym}\"); pass its Module.symvers via KBUILD_EXTRA_SYMBOLS and rebuild",
                p.module, p.source
            ),
            None => format!(
                "{path}: unversioned: {sym}: neither the module nor {} has a CRC for it ({}): build {} with CONFIG_MODVERSIONS",
                p.module, p.source, p.module
            ),
        },
        (status, _, _) => format!("{path}: {status:?}: {sym}"),
    }
}

/// The totals line `modver check` prints (on stderr) after the text report.
pub fn render_summary(s: &Summary) -> String {
    format!(
        "modver check: {} modules ({} unreadable, {} without __versions), {} imports: {} ok, {} mismatch, {} missing, {} unversioned\n",
        s.modules, s.errors, s.unversioned_modules, s.imports, s.ok, s.mismatch, s.missing, s.unversioned
    )
}

/// The JSON report: every module with its imports and their verdicts, and
/// the totals (`{"modules": [...], "summary": {...}}`).
pub fn render_json(checks: &[ModuleCheck], summary: &Summary) -> Result<String> {
    #[derive(Serialize)]
    struct Report<'a> {
        modules: &'a [ModuleCheck],
        summary: &'a Summary,
    }
    crate::output::to_json(&Report {
        modules: checks,
        summary,
    })
}

/// Whether the checks found anything that stops a module from loading
/// (a mismatch or a missing symbol).
pub fn has_failures(checks: &[ModuleCheck]) -> bool {
    checks.iter().any(|c| {
        c.problems()
            .any(|i| matches!(i.status, ImportStatus::Mismatch | ImportStatus::Missing))
    })
}

/// Checks `modules` together, as they would be loaded together: each
/// import against, in this order, the exports of the other modules given,
/// the `vmlinux` (its `__ksymtab`/`__kcrctab`), and the `symvers` files
/// (earlier files win). A module that cannot be read gets a check with
/// its error and no imports; a vmlinux or Module.symvers that cannot be
/// read is an error for the whole call (nothing could be checked).
pub fn check_modules(
    modules: &[PathBuf],
    symvers: &[PathBuf],
    vmlinux: Option<&Path>,
) -> Result<Vec<ModuleCheck>> {
    // Reading (and decompressing) dominates: modules in parallel, largest
    // first, while one more thread reads the vmlinux and Module.symvers
    // files.
    let weight = |i: usize| crate::parallel::file_weight(&modules[i]);
    let (loaded, vmlinux_exports, symvers_entries) = std::thread::scope(|s| {
        let others = s.spawn(|| {
            let exports = vmlinux.map(crate::ksymtab::read_ksymtab_file).transpose();
            let entries: Vec<_> = symvers.iter().map(|s| crate::symvers::read(s)).collect();
            (exports, entries)
        });
        let loaded: Vec<Result<LoadedModule>> =
            crate::parallel::map_heaviest_first(modules.len(), weight, |i| {
                load_module(&modules[i])
            });
        let (exports, entries) = others
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (loaded, exports, entries)
    });
    let mut index = ProviderIndex::new();
    for l in loaded.iter().flatten() {
        index.add_ksymtab(&l.exports, &l.name, &l.path.display().to_string());
    }
    if let Some(v) = vmlinux {
        index.add_ksymtab(
            &vmlinux_exports?.unwrap_or_default(),
            "vmlinux",
            &v.display().to_string(),
        );
    }
    for (s, entries) in symvers.iter().zip(symvers_entries) {
        index.add_symvers(&entries?, &s.display().to_string());
    }
    // One thread, the simplest: on the two workers, the time from the end
    // of the decoding to exit was about the same (62-67 ms against 66-74
    // ms, 3 runs each over Debian 6.12's modules).
    Ok(modules
        .iter()
        .zip(loaded)
        .map(|(path, l)| match l {
            Ok(l) => check_module(&l, &index),
            Err(e) => ModuleCheck {
                path: path.display().to_string(),
                versions: None,
                imports: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect())
}
