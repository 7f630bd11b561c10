//! The per-module `.mod` and `.usyms` files of kbuild.
//!
//! * Kernels before 5.19 (the LTO series as merged in 5.12) write `foo.mod`
//!   as two lines: the module's objects, space-separated, and, with
//!   `CONFIG_TRIM_UNUSED_KSYMS`, its undefined symbols (empty otherwise).
//!   kbuild's `awk '$1 == "U"'` pipeline repeats a symbol once per thin
//!   archive member that uses it; modver lists each symbol once, sorted by
//!   byte value, on one line however many there are.
//! * From 5.19 `foo.mod` lists one object per line (first occurrence kept,
//!   like `awk '!x[$0]++'`) and the undefined symbols move to `foo.usyms`,
//!   one per line (modver: sorted, each once).

use crate::kver::KernelVersion;
use crate::symbols::FileSymbols;
use std::collections::BTreeSet;

/// The contents of a module's `.mod` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModFile {
    /// The kernel whose layout to follow.
    pub kernel: KernelVersion,
    /// The member objects (`$(obj)/`-prefixed), duplicates removed, in
    /// first-occurrence order.
    pub objects: Vec<String>,
    /// The undefined symbols for line 2 (pre-5.19 with
    /// `CONFIG_TRIM_UNUSED_KSYMS`); `None` writes an empty line 2.
    pub undefined: Option<Vec<String>>,
}

/// Keeps the first occurrence of each string, in order.
pub fn dedup_first<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter_map(|s| {
            let s = s.as_ref();
            seen.insert(s.to_string()).then(|| s.to_string())
        })
        .collect()
}

/// The undefined (`U`) symbols of a module over all its archive members,
/// each once, sorted by byte value. Weak undefined symbols (`w`, `v`) are
/// not listed, as kbuild's `sed`/`awk` filters match only `U`.
pub fn undefined_symbols(module: &FileSymbols) -> Vec<String> {
    let set: BTreeSet<&[u8]> = module
        .all_symbols()
        .filter(|s| s.kind == 'U')
        .map(|s| s.name.as_bytes())
        .collect();
    set.into_iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect()
}

impl ModFile {
    /// Whether `kernel`'s `.mod` has the undefined-symbols line
    /// (`CONFIG_TRIM_UNUSED_KSYMS` before 5.19; from 5.19 they go to
    /// `.usyms`).
    pub fn lists_undefined(kernel: KernelVersion) -> bool {
        !kernel.at_least(5, 19)
    }

    /// Builds the `.mod` contents for `objects`; `undefined` is used only
    /// for kernels before 5.19.
    pub fn new<S: AsRef<str>>(
        kernel: KernelVersion,
        objects: &[S],
        undefined: Option<Vec<String>>,
    ) -> Self {
        ModFile {
            kernel,
            objects: dedup_first(objects),
            undefined: undefined.filter(|_| Self::lists_undefined(kernel)),
        }
    }

    /// The file's bytes, as kbuild would write them (minus its bugs).
    pub fn render(&self) -> String {
        if self.kernel.at_least(5, 19) {
            let mut s = String::new();
            for o in &self.objects {
                s.push_str(o);
                s.push('\n');
            }
            s
        } else {
            let mut s = self.objects.join(" ");
            s.push('\n');
            if let Some(u) = &self.undefined {
                s.push_str(&u.join(" "));
            }
            s.push('\n');
            s
        }
    }
}

/// The contents of a module's `.usyms` file (5.19+): one undefined symbol a
/// line, sorted, each once.
pub fn render_usyms(symbols: &[String]) -> String {
    let mut s = String::with_capacity(symbols.iter().map(|x| x.len() + 1).sum());
    for sym in symbols {
        s.push_str(sym);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> KernelVersion {
        s.parse().unwrap()
    }

    #[test]
    fn old_layout_is_two_lines() {
        let m = ModFile::new(
            v("5.12"),
            &["d/a.o", "d/b.o", "d/a.o"],
            Some(vec!["x".into(), "y".into()]),
        );
        assert_eq!(m.render(), "d/a.o d/b.o\nx y\n");
        let m = ModFile::new(v("5.15"), &["d/a.o"], None);
        assert_eq!(m.render(), "d/a.o\n\n");
    }

    #[test]
    fn new_layout_is_one_object_per_line() {
        let m = ModFile::new(
            v("6.1"),
            &["d/a.o", "d/b.o", "d/a.o"],
            Some(vec!["x".into()]),
        );
        assert_eq!(m.render(), "d/a.o\nd/b.o\n");
    }

    #[test]
    fn usyms_one_per_line() {
        assert_eq!(render_usyms(&["a".into(), "b".into()]), "a\nb\n");
        assert_eq!(render_usyms(&[]), "");
    }
}
