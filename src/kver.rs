//! Kernel versions.
//!
//! kbuild's module-versioning artifacts changed layout between releases
//! (`.lto.o` in 5.12–5.17, `.prelink.o` in 5.18, `#SYMVER` in `.cmd` files
//! from 5.19, `__export_symbol_` from 6.5, ...). modver selects the layout
//! from a [`KernelVersion`], given with `--kernel` or read from the kernel
//! tree it runs in.

use crate::error::{Error, Result};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A kernel release as `VERSION.PATCHLEVEL` (the sublevel never changes
/// kbuild's layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelVersion {
    /// `VERSION` in the top Makefile.
    pub major: u32,
    /// `PATCHLEVEL` in the top Makefile.
    pub minor: u32,
}

impl KernelVersion {
    /// A version from its two numbers, checked against the releases that exist.
    pub fn new(major: u32, minor: u32) -> Result<Self> {
        // Last PATCHLEVEL of each major series; 6.x and 7.x are open-ended
        // enough for releases after this tool was written.
        let last_minor = match major {
            3 => 19,
            4 => 20,
            5 => 19,
            6 | 7 => 40,
            _ => {
                return Err(Error::UnknownKernel(format!(
                    "unknown kernel version {major}.{minor}: expected 3.x to 7.x, e.g. 5.15 or 6.1"
                )))
            }
        };
        if minor > last_minor {
            return Err(Error::UnknownKernel(format!(
                "unknown kernel version {major}.{minor}: the {major}.x series ends at {major}.{last_minor}"
            )));
        }
        Ok(KernelVersion { major, minor })
    }

    /// Shorthand for comparisons: `v.at_least(5, 19)`.
    pub fn at_least(self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// Reads the version of the kernel tree rooted at `dir`: first
    /// `include/config/kernel.release` (written by `make prepare`), then
    /// `VERSION`/`PATCHLEVEL` of the top-level `Makefile`.
    pub fn from_tree(dir: &Path) -> Result<Self> {
        let release = dir.join("include/config/kernel.release");
        if let Ok(s) = std::fs::read_to_string(&release) {
            return s.trim().parse().map_err(|_| {
                Error::malformed(
                    release.display().to_string(),
                    crate::error::Position::File,
                    format!("expected a kernel release like 6.1.0, found {:?}", s.trim()),
                )
            });
        }
        let makefile = dir.join("Makefile");
        let text = std::fs::read_to_string(&makefile).map_err(|_| {
            Error::UnknownKernel(format!(
                "no --kernel given and {} is not a kernel tree (no include/config/kernel.release or Makefile); pass --kernel X.Y",
                dir.display()
            ))
        })?;
        let var = |name: &str| {
            text.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name)
                    .then(|| v.trim().parse::<u32>().ok())
                    .flatten()
            })
        };
        match (var("VERSION"), var("PATCHLEVEL")) {
            (Some(major), Some(minor)) => KernelVersion::new(major, minor),
            _ => Err(Error::UnknownKernel(format!(
                "no --kernel given and {} has no VERSION/PATCHLEVEL; pass --kernel X.Y",
                makefile.display()
            ))),
        }
    }

    /// `explicit` if given, else the version of the tree in the current directory.
    pub fn resolve(explicit: Option<KernelVersion>) -> Result<Self> {
        match explicit {
            Some(v) => Ok(v),
            None => KernelVersion::from_tree(Path::new(".")),
        }
    }
}

impl FromStr for KernelVersion {
    type Err = Error;

    /// Accepts `6.1`, `5.15.0`, `6.1.0-18-amd64`, `v6.12`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::UnknownKernel(format!(
                "unknown kernel version {s:?}: expected VERSION.PATCHLEVEL like 5.15 or 6.1"
            ))
        };
        let t = s.strip_prefix('v').unwrap_or(s);
        let mut parts = t.splitn(3, '.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor_str = parts.next().ok_or_else(bad)?;
        let digits: &str = &minor_str[..minor_str
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(minor_str.len())];
        let minor = digits.parse().map_err(|_| bad())?;
        // After the minor only a sublevel or a local version may follow.
        let rest = &minor_str[digits.len()..];
        if !(rest.is_empty() || rest.starts_with('-') || rest.starts_with('+')) {
            return Err(bad());
        }
        KernelVersion::new(major, minor)
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_strings() {
        let v: KernelVersion = "6.1.0-18-amd64".parse().unwrap();
        assert_eq!((v.major, v.minor), (6, 1));
        assert_eq!("5.15".parse::<KernelVersion>().unwrap().to_string(), "5.15");
        assert_eq!("v6.12".parse::<KernelVersion>().unwrap().minor, 12);
        assert_eq!("6.12-rc3".parse::<KernelVersion>().unwrap().minor, 12);
    }

    #[test]
    fn rejects_unknown_versions() {
        for bad in ["", "6", "x.y", "5.20", "8.1", "6.1x", "2.6"] {
            assert!(bad.parse::<KernelVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn orders_by_number_not_text() {
        let a: KernelVersion = "5.9".parse().unwrap();
        let b: KernelVersion = "5.19".parse().unwrap();
        assert!(a < b && b.at_least(5, 19) && !a.at_least(5, 12));
    }

    #[test]
    fn reads_top_makefile() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("Makefile"),
            "# SPDX\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 76\n",
        )
        .unwrap();
        assert_eq!(
            KernelVersion::from_tree(d.path()).unwrap().to_string(),
            "6.1"
        );
        std::fs::create_dir_all(d.path().join("include/config")).unwrap();
        std::fs::write(d.path().join("include/config/kernel.release"), "6.12.9\n").unwrap();
        assert_eq!(
            KernelVersion::from_tree(d.path()).unwrap().to_string(),
            "6.12"
        );
    }
}
