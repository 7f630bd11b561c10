//! modver: module versioning (CONFIG_MODVERSIONS) for Linux kernels built
//! with Clang LTO.
//!
//! The library computes; the `modver` binary parses arguments and prints.
//! One module per kbuild concept:
//!
//! * [`bitcode`]: the symbol table (irsymtab) stored in LLVM bitcode files,
//!   read without LLVM.
//! * [`symbols`]: symbol tables of ELF objects, LLVM bitcode and (thin)
//!   archives, rendered exactly as `llvm-nm` prints them.
//! * [`modfile`]: the `.mod` and `.usyms` files kbuild writes per module.
//! * [`modname`]: the module name modpost derives from an object path.
//! * [`kmodule`]: module files (`.ko`, `.ko.xz`, `.ko.zst`, `.ko.gz`) and
//!   their ELF sections and symbols.
//! * [`modversions`]: a module's import CRCs (`__versions`, 6.14+ extended
//!   tables), printed as `modprobe --dump-modversions` does.
//! * [`symvers`]: the `Module.symvers` file.
//! * [`ksymtab`]: exports and CRCs of a linked vmlinux or module.
//! * [`check`]: imports checked against their providers' CRCs.
//! * [`explain`]: why export CRCs differ between two symtypes trees.
//! * [`symtypes`]: the symtypes files genksyms writes (`-T`).
//! * [`crc`]: genksyms' symbol version CRCs, computed from symtypes.
//! * [`exports`]: the symbols an object exports, from its symbol table.
//! * [`symversions`]: collecting CRCs for the final link (`.symversions`
//!   linker scripts up to 5.18, `#SYMVER` lines in `.cmd` files from 5.19).
//! * [`debuginfo`]: the DIE model gendwarfksyms' logic runs over.
//! * [`dwarf`]: the DWARF of ELF objects, read into that model.
//! * [`dwarfksyms`]: symbol versions from debug information, as the
//!   kernel's gendwarfksyms computes them.
//! * [`lds`]: the LTO section-merge rules of `scripts/module.lds.S`.
//! * [`kver`]: kernel versions, which select the kbuild layout to follow.
//! * [`output`]: atomic output files (temporary file + rename).
//! * [`error`]: the typed errors every module returns.

pub mod bitcode;
pub mod check;
pub mod crc;
pub mod debuginfo;
pub mod dwarf;
pub mod dwarfksyms;
pub mod error;
pub mod explain;
pub mod exports;
pub mod kmodule;
pub mod ksymtab;
pub mod kver;
pub mod lds;
pub mod metadata_dwarf;
pub mod modfile;
pub mod modname;
pub mod modversions;
pub mod output;
pub mod symbols;
pub mod symtypes;
pub mod symvers;
pub mod symversions;

pub use error::{Error, Result};
