//! modver: module versioning (CONFIG_MODVERSIONS) for Linux kernels built
//! with Clang LTO.
//!
//! The library computes; the `modver` binary parses arguments and prints.
//! One module per kbuild concept:
//!
//! * [`bitcode`]: the symbol table (irsymtab) stored in LLVM bitcode files,
//!   read without LLVM.
//! * [`archive`]: regular and thin archives, walked member by member: the
//!   one archive reader.
//! * [`elf`]: ELF images (objects, `vmlinux`, modules): the one ELF reader.
//! * [`symbols`]: symbol tables of ELF objects, LLVM bitcode and (thin)
//!   archives, rendered exactly as `llvm-nm` prints them.
//! * [`modfile`]: the `.mod` and `.usyms` files kbuild writes per module.
//! * [`modname`]: the module name modpost derives from an object path.
//! * [`kmodule`]: module files (`.ko`, `.ko.xz`, `.ko.zst`, `.ko.gz`),
//!   decompressed and opened as ELF images.
//! * [`modversions`]: a module's *import* CRCs (`__versions`, 6.14+
//!   extended tables), printed as `modprobe --dump-modversions` does.
//! * [`symvers`]: the *export* CRCs of a build: the `Module.symvers` file.
//! * [`ksymtab`]: exports and CRCs of a linked vmlinux or module
//!   (`__ksymtab`/`__kcrctab`).
//! * [`check`]: imports checked against their providers' CRCs.
//! * [`explain`]: why export CRCs differ between two symtypes trees.
//! * [`symtypes`]: the symtypes files genksyms writes (`-T`).
//! * [`crc`]: genksyms' symbol version CRCs, computed from symtypes.
//! * [`exports`]: the symbols an object exports (before the final link),
//!   from its `EXPORT_SYMBOL` markers; the export [`exports::License`].
//! * [`symversions`]: export CRCs on their way from genksyms to the final
//!   link (`.symversions` linker scripts up to 5.18, `#SYMVER` lines in
//!   `.cmd` files from 5.19).
//! * [`debuginfo`]: the DIE model gendwarfksyms' logic runs over.
//! * [`dwarf`]: the DWARF of ELF objects, read into that model.
//! * [`dwarfksyms`]: symbol versions from debug information, as the
//!   kernel's gendwarfksyms computes them.
//! * [`btf`]: the BTF of a vmlinux or module (`.BTF`, split BTF).
//! * [`btf_encoder`]: BTF from DWARF, as `pahole -J` makes it.
//! * [`bzimage`]: vmlinux out of a bzImage (`scripts/extract-vmlinux`).
//! * [`why`]: why one module will not load, explained.
//! * [`lds`]: the LTO section-merge rules of `scripts/module.lds.S`.
//! * [`kver`]: kernel versions, which select the kbuild layout to follow.
//! * [`input`]: input files' bytes, mapped when large (as llvm-nm's).
//! * [`output`]: atomic output files (temporary file + rename).
//! * [`parallel`]: independent work split across cores, results in order.
//! * [`error`]: the typed errors every module returns.

pub mod archive;
pub mod bitcode;
pub mod btf;
pub mod btf_encoder;
pub mod bzimage;
pub mod check;
pub mod crc;
pub mod debuginfo;
pub mod dwarf;
pub mod dwarfksyms;
pub mod elf;
pub mod error;
pub mod explain;
pub mod exports;
pub mod input;
pub mod kmodule;
pub mod ksymtab;
pub mod kver;
pub mod lds;
pub mod metadata_dwarf;
pub mod modfile;
pub mod modname;
pub mod modversions;
pub mod output;
pub mod parallel;
pub mod symbols;
pub mod symtypes;
pub mod symvers;
pub mod symversions;
pub mod why;
pub mod xz;

pub use error::{Error, Result};
