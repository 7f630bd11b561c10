//! Golden files: outputs recorded in `tests/it/golden/AREA/NAME` and
//! compared byte for byte. `MODVER_BLESS=1 cargo test --test it` rewrites
//! every golden file a test reaches from the current output instead of
//! comparing; review the diff (`git diff tests/it/golden`) before committing.

use crate::fixture::repo;
use crate::util::first_difference;
use std::path::PathBuf;

/// The environment variable that regenerates golden files.
pub const BLESS: &str = "MODVER_BLESS";

fn path(name: &str) -> PathBuf {
    repo().join("tests/it/golden").join(name)
}

/// True when golden files are being regenerated.
pub fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| v != "0" && !v.is_empty())
}

/// Asserts that `actual` equals the golden file `name` (or records it).
pub fn assert_golden(name: &str, actual: &[u8]) {
    let p = path(name);
    if blessing() {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, actual).unwrap();
        return;
    }
    let want = std::fs::read(&p)
        .unwrap_or_else(|e| panic!("golden file {}: {e}; record it with {BLESS}=1", p.display()));
    assert!(
        want == actual,
        "output differs from golden file {} ({}); if the change is intended, \
         rerun with {BLESS}=1 and review git diff",
        p.display(),
        first_difference(&want, actual)
    );
}
