//! `modver why`: the one-shot for a failed `insmod`. A module's
//! `__versions` (basic or extended) against the target kernel's CRCs,
//! reported as [`crate::check`] reports them, and each mismatch explained
//! from BTF ([`crate::explain::btf`]): the BTF of the kernel the module was
//! built for (OLD, CRCs from the module's own version table) against the
//! target kernel's (NEW, the providers' CRCs).

use crate::check::{check_modules, ImportStatus, ModuleCheck};
use crate::error::Result;
use crate::explain::btf::{explain_kernels, ExportCrcs, KernelInput};
use crate::explain::Explanation;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Where the target kernel's CRCs (and BTF) come from.
#[derive(Debug, Clone, Default)]
pub struct Target<'a> {
    /// A vmlinux or vmlinuz: `__kcrctab` CRCs, and BTF to explain with.
    pub vmlinux: Option<&'a Path>,
    /// `Module.symvers` files.
    pub symvers: &'a [std::path::PathBuf],
}

/// The answer for one module.
#[derive(Debug, Clone, Serialize)]
pub struct WhyReport {
    /// The module's imports against the target, as `check` reports them.
    pub check: ModuleCheck,
    /// Why each mismatched CRC differs, when the BTF of both kernels is
    /// known.
    pub explanation: Option<Explanation>,
    /// What could not be explained, and why.
    pub notes: Vec<String>,
}

/// Checks `module` against `target` and, given the kernel it was built
/// for (`built_for`: a vmlinux, vmlinuz, raw BTF or a directory of one),
/// explains every mismatch from the two kernels' BTF.
pub fn why(module: &Path, target: &Target<'_>, built_for: Option<&Path>) -> Result<WhyReport> {
    let mut checks = check_modules(&[module.to_path_buf()], target.symvers, target.vmlinux)?;
    let check = checks.remove(0);
    if let Some(e) = &check.error {
        return Err(crate::Error::Check(format!("{}: {e}", check.path)));
    }
    let mismatched: Vec<_> = check
        .imports
        .iter()
        .filter(|i| i.status == ImportStatus::Mismatch)
        .collect();
    let mut notes = Vec::new();
    let mut explanation = None;
    if mismatched.is_empty() {
        return Ok(WhyReport {
            check,
            explanation,
            notes,
        });
    }
    match (built_for, target.vmlinux) {
        (Some(old), Some(new)) => {
            let (old, new) = (KernelInput::open(old)?, KernelInput::open(new)?);
            let crcs = ExportCrcs {
                old: Some(
                    mismatched
                        .iter()
                        .filter_map(|i| Some((i.symbol.clone(), i.module_crc? as u32)))
                        .collect::<BTreeMap<_, _>>(),
                ),
                new: Some(
                    mismatched
                        .iter()
                        .filter_map(|i| Some((i.symbol.clone(), i.provider.as_ref()?.crc?)))
                        .collect(),
                ),
            };
            // Each side's BTF, or its DWARF where it has no BTF.
            let (e, dwarf) = explain_kernels(&old, &new, &crcs, &[], false)?;
            for (side, from_dwarf) in [(&old, dwarf[0]), (&new, dwarf[1])] {
                if from_dwarf {
                    notes.push(format!(
                        "{}: no BTF: its types come from its DWARF",
                        side.image.display
                    ));
                }
            }
            explanation = Some(e);
        }
        (None, _) => notes.push(
            "no explanation: give --built-for with the vmlinux, vmlinuz or BTF of the kernel the module was built for"
                .into(),
        ),
        (_, None) => notes.push(
            "no explanation: the target's BTF comes from its vmlinux or vmlinuz (--vmlinux), not Module.symvers"
                .into(),
        ),
    }
    Ok(WhyReport {
        check,
        explanation,
        notes,
    })
}

/// The text report: `check`'s lines, then the explanation.
pub fn render_text(r: &WhyReport) -> String {
    let mut s = crate::check::render_text(std::slice::from_ref(&r.check));
    if let Some(e) = &r.explanation {
        s.push_str(&crate::explain::render_text(e));
    }
    for n in &r.notes {
        s.push_str(n);
        s.push('\n');
    }
    s
}
