//! The module name modpost derives from an object path.
//!
//! modpost names a module by its path without the extension; this is the
//! name written to `Module.symvers` and used in its messages. It strips
//! `.o`, and then the intermediate LTO suffix of that kernel: `.lto`
//! (5.12–5.17, `foo.lto.o`) or `.prelink` (5.18, `foo.prelink.o`). From 5.19
//! `foo.o` is LTO-linked in place and nothing more is stripped. The final
//! module file (`foo.ko`, or compressed `foo.ko.xz`/`.ko.zst`/`.ko.gz`) has
//! the same name: it is what `Module.symvers` records for the module.

use crate::error::{Error, Position, Result};
use crate::kver::KernelVersion;

/// The intermediate suffix modpost strips for `kernel`, if any (its
/// `read_symbols()`: `.lto` in 5.12-5.17, `.prelink` in 5.18).
pub fn lto_suffix(kernel: KernelVersion) -> Option<&'static str> {
    if kernel.at_least(5, 19) || !kernel.at_least(5, 12) {
        None
    } else if kernel.at_least(5, 18) {
        Some(".prelink")
    } else {
        Some(".lto")
    }
}

/// Module file suffixes: `.ko` and `scripts/Makefile.modinst`'s
/// compressed forms.
const MODULE_SUFFIXES: [&str; 4] = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"];

/// The module name modpost uses for `path` (modpost's `read_symbols()`
/// stripping `.o` and, for `kernel`'s LTO layout, `.lto`/`.prelink`
/// before `new_module()`); a module file (`.ko`, `.ko.xz`, `.ko.zst`,
/// `.ko.gz`) has the name of the object it was linked from. `kernel`
/// only matters for `.o` paths; `None` strips no LTO suffix.
pub fn module_name(path: &str, kernel: Option<KernelVersion>) -> Result<String> {
    let object = path.strip_suffix(".o");
    let stem = object
        .or_else(|| MODULE_SUFFIXES.iter().find_map(|x| path.strip_suffix(x)))
        .filter(|s| !s.is_empty() && !s.ends_with('/'))
        .ok_or_else(|| {
            Error::malformed(
                path,
                Position::File,
                "expected a module object path ending in .o or .ko",
            )
        })?;
    let lto = object.and(kernel).and_then(lto_suffix);
    match lto.and_then(|suffix| stem.strip_suffix(suffix)) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Ok(stem.to_string()),
    }
}

/// An export in a `Module.symvers` whose module column is not the name of
/// any module built (see [`unknown_modules`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownModule {
    /// The module column as modpost wrote it (e.g. `lib/foo.lto`).
    pub module: String,
    /// The first symbol exported under that name.
    pub symbol: String,
}

/// The module columns of `entries` (a `Module.symvers`, in file order) that
/// are neither `vmlinux` nor one of `names`, each once with its first
/// symbol. With `names` formed by [`module_name`] from the objects modpost
/// was given (`foo.lto.o`, `foo.prelink.o`), anything listed here is a
/// module modpost named differently from what module loading and
/// `modprobe` will see, such as `lib/foo.lto`.
pub fn unknown_modules(
    entries: &[crate::symvers::SymversEntry],
    names: &std::collections::HashSet<String>,
) -> Vec<UnknownModule> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .filter(|e| e.module != "vmlinux" && !names.contains(&e.module))
        .filter(|e| seen.insert(e.module.as_str()))
        .map(|e| UnknownModule {
            module: e.module.clone(),
            symbol: e.symbol.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str, k: &str) -> String {
        module_name(p, Some(k.parse().unwrap())).unwrap()
    }

    #[test]
    fn strips_per_kernel() {
        assert_eq!(name("drivers/a/foo.lto.o", "5.12"), "drivers/a/foo");
        assert_eq!(name("drivers/a/foo.lto.o", "5.17"), "drivers/a/foo");
        assert_eq!(name("drivers/a/foo.lto.o", "5.18"), "drivers/a/foo.lto");
        assert_eq!(name("drivers/a/foo.prelink.o", "5.18"), "drivers/a/foo");
        assert_eq!(
            name("drivers/a/foo.prelink.o", "6.1"),
            "drivers/a/foo.prelink"
        );
        assert_eq!(name("drivers/a/foo.lto.o", "5.10"), "drivers/a/foo.lto");
        assert_eq!(name("foo.o", "6.12"), "foo");
        assert_eq!(name("lib/foo.ko", "6.1"), "lib/foo");
        assert_eq!(name("lib/foo.lto.ko", "5.15"), "lib/foo.lto");
    }

    #[test]
    fn module_files_keep_their_object_name() {
        for p in [
            "lib/foo.ko",
            "lib/foo.ko.xz",
            "lib/foo.ko.zst",
            "lib/foo.ko.gz",
        ] {
            assert_eq!(module_name(p, None).unwrap(), "lib/foo", "{p}");
        }
        // Without a kernel no LTO suffix is stripped; only .o has one.
        assert_eq!(module_name("a/foo.lto.o", None).unwrap(), "a/foo.lto");
        assert_eq!(name("a/foo.lto.ko.xz", "5.15"), "a/foo.lto");
        assert!(module_name("lib/.ko.xz", None).is_err());
        assert!(module_name("lib/foo.xz", None).is_err());
    }

    #[test]
    fn unknown_module_columns() {
        let text = "0x1\ta\tlib/foo\tEXPORT_SYMBOL\t\n0x2\tb\tvmlinux\tEXPORT_SYMBOL\t\n\
                    0x3\tc\tlib/bar.lto\tEXPORT_SYMBOL\t\n0x4\td\tlib/bar.lto\tEXPORT_SYMBOL\t\n";
        let entries = crate::symvers::parse(text, "Module.symvers").unwrap();
        let k = "5.15".parse().unwrap();
        let names = ["lib/foo.lto.o", "lib/bar.lto.o"]
            .iter()
            .map(|p| module_name(p, Some(k)).unwrap())
            .collect();
        let got = unknown_modules(&entries, &names);
        assert_eq!(
            got,
            vec![UnknownModule {
                module: "lib/bar.lto".into(),
                symbol: "c".into()
            }]
        );
    }

    #[test]
    fn rejects_non_objects() {
        let k = "6.1".parse().unwrap();
        assert!(module_name("foo.c", Some(k)).is_err());
        assert!(module_name(".o", Some(k)).is_err());
    }
}
