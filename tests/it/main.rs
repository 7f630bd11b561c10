//! modver's integration tests: one test binary, one module per area.
//!
//! Every area is a differential test against the real tool on the same
//! input (llvm-nm, genksyms, modpost, modprobe, make, cpp over the kernel's
//! own module.lds.S). Shared machinery, used by every area:
//!
//! - [`util`]: the one way to run a program, [`util::modver()`] for the
//!   binary under test and [`util::tool()`] for the real tools;
//! - [`fixture`]: the one fixture builder (the `testdata/*/build.sh`
//!   corpora built once per process, a [`fixture::Scratch`] dir per test,
//!   the LLVM tools of one version);
//! - [`kbuild`]: genksyms and modpost of linux-kbuild-6.1/6.12 as oracles;
//! - [`golden`]: recorded outputs under `tests/it/golden/`, compared byte
//!   for byte and rewritten with `MODVER_BLESS=1`.
//!
//! Run one area with `cargo test --test it symbols::`; see tests/README.md.

mod fixture;
mod golden;
mod kbuild;
mod util;

mod bitcode;
mod bitcode_dwarf;
mod bitcode_metadata;
mod btf;
mod check;
mod cli;
mod crc;
mod distro_image;
mod dtlto;
mod dwarfksyms;
mod exports;
mod kbuild_hook;
mod kbuild_hook_dwarf;
mod lds;
mod modfile;
mod symbols;
mod symversions;
