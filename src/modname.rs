//! The module name modpost derives from an object path.
//!
//! modpost names a module by its path without the extension; this is the
//! name written to `Module.symvers` and used in its messages. It strips
//! `.o`, and then the intermediate LTO suffix of that kernel: `.lto`
//! (5.12–5.17, `foo.lto.o`) or `.prelink` (5.18, `foo.prelink.o`). From 5.19
//! `foo.o` is LTO-linked in place and nothing more is stripped. modver also
//! accepts the final `foo.ko`.

use crate::error::{Error, Result};
use crate::kver::KernelVersion;

/// The intermediate suffix modpost strips for `kernel`, if any.
pub fn lto_suffix(kernel: KernelVersion) -> Option<&'static str> {
    if kernel.at_least(5, 19) || !kernel.at_least(5, 12) {
        None
    } else if kernel.at_least(5, 18) {
        Some(".prelink")
    } else {
        Some(".lto")
    }
}

/// The module name modpost uses for `path` on `kernel`.
pub fn module_name(path: &str, kernel: KernelVersion) -> Result<String> {
    let stem = path
        .strip_suffix(".ko")
        .or_else(|| path.strip_suffix(".o"))
        .filter(|s| !s.is_empty() && !s.ends_with('/'))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{path}: expected a module object path ending in .o or .ko"
            ))
        })?;
    if path.ends_with(".o") {
        if let Some(suffix) = lto_suffix(kernel) {
            if let Some(s) = stem.strip_suffix(suffix).filter(|s| !s.is_empty()) {
                return Ok(s.to_string());
            }
        }
    }
    Ok(stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str, k: &str) -> String {
        module_name(p, k.parse().unwrap()).unwrap()
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
    fn rejects_non_objects() {
        let k = "6.1".parse().unwrap();
        assert!(module_name("foo.c", k).is_err());
        assert!(module_name(".o", k).is_err());
    }
}
