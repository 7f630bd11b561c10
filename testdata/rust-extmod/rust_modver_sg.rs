// SPDX-License-Identifier: GPL-2.0

//! An external Rust module written for modver's end-to-end test
//! (scripts/e2e-kernel.sh --rust). It imports a C export whose version
//! depends on a C struct, `sg_init_table` (struct scatterlist, which the
//! negative case changes), and Rust exports of the kernel crate (what
//! `pr_info!` and `module!` call), so that a vmlinux-only rebuild after the
//! struct changed leaves exactly this kind of import stale.

use core::mem::MaybeUninit;
use kernel::bindings;
use kernel::prelude::*;

module! {
    type: RustModverSg,
    name: "rust_modver_sg",
    authors: ["modver"],
    description: "modver e2e: a Rust module importing sg_init_table",
    license: "GPL",
}

struct RustModverSg;

impl kernel::Module for RustModverSg {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut sg = MaybeUninit::<[bindings::scatterlist; 2]>::uninit();
        // SAFETY: `sg` has room for the two entries sg_init_table
        // initialises; nothing reads them before.
        unsafe { bindings::sg_init_table(sg.as_mut_ptr().cast(), 2) };
        pr_info!("rust_modver_sg: a scatterlist of 2 initialised\n");
        Ok(RustModverSg)
    }
}
