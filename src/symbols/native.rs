//! Bitcode symbol tables read natively from the irsymtab
//! ([`crate::bitcode`]) instead of by running `llvm-nm`.
//!
//! With [`Backend::Auto`] a file whose stored table cannot be used as is
//! (no `SYMTAB_BLOCK`, an irsymtab version modver does not know, a module
//! count that disagrees with the file, a Darwin target, malformed data) is
//! handed to llvm-nm instead, and the reason is reported as a note.

use super::{bitcode_nm, stdsort, ObjectFormat, SymbolTable};
use crate::bitcode::{self, irsymtab};
use crate::error::Position;

/// Which reader fills in bitcode symbol tables (`--backend`): the
/// irsymtab as lld reads it (`irsymtab::readBitcode`), or `llvm-nm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Backend {
    /// The irsymtab where it can be trusted, llvm-nm for the rest.
    #[default]
    Auto,
    /// The irsymtab only; files it cannot serve are errors.
    Native,
    /// llvm-nm for every bitcode file.
    LlvmNm,
}

/// Why a bitcode file's table could not be read natively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeFailure {
    /// Where in the file (a byte offset when known).
    pub pos: Position,
    /// What was wrong or missing.
    pub reason: String,
}

fn fail(pos: Position, reason: impl Into<String>) -> NativeFailure {
    NativeFailure {
        pos,
        reason: reason.into(),
    }
}

/// Offset of `inner` within `outer` (both borrowed from the same buffer).
fn offset_in(outer: &[u8], inner: &[u8]) -> u64 {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize) as u64
}

/// The symbol table llvm-nm would print for the bitcode in `data`, taken
/// from its irsymtab (`irsymtab::Reader::symbols`), sorted as llvm-nm sorts.
pub fn bitcode_table(data: &[u8], member: Option<String>) -> Result<SymbolTable, NativeFailure> {
    let contents = bitcode::read_contents(data).map_err(|e| {
        fail(
            Position::Offset(e.offset),
            format!("bitstream: {}", e.message),
        )
    })?;
    if contents.modules == 0 {
        return Err(fail(
            Position::File,
            "bitcode file does not contain any modules",
        ));
    }
    let (Some(symtab), Some(strtab)) = (contents.symtab, contents.strtab_for_symtab) else {
        return Err(fail(
            Position::File,
            "no irsymtab (SYMTAB_BLOCK with a STRTAB_BLOCK after it)",
        ));
    };
    let table = irsymtab::parse(symtab, strtab).map_err(|e| {
        let pos = match &e {
            irsymtab::IrSymtabError::Malformed { offset, .. } => {
                Position::Offset(offset_in(data, symtab) + offset)
            }
            _ => Position::Offset(offset_in(data, symtab)),
        };
        fail(pos, e.to_string())
    })?;
    if table.modules.len() != contents.modules {
        return Err(fail(
            Position::File,
            format!(
                "irsymtab covers {} modules, the file has {} (binary concatenation?)",
                table.modules.len(),
                contents.modules
            ),
        ));
    }
    let view = bitcode_nm::nm_view(&table).map_err(|m| fail(Position::File, m))?;
    let mut symbols = view.symbols;
    stdsort::std_sort(&mut symbols, &|a, b| a.name.as_bytes() < b.name.as_bytes());
    Ok(SymbolTable {
        member,
        format: ObjectFormat::Bitcode,
        is_64: view.is_64,
        has_symtab: view.has_symtab,
        symbols: symbols.into(),
    })
}
