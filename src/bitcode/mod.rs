//! LLVM bitcode files (what every `.o` is under `CONFIG_LTO_CLANG`), read
//! natively as far as the symbol table LLVM stores in them.
//!
//! Since LLVM 5 the bitcode writer appends to each file an *irsymtab*: a
//! `SYMTAB_BLOCK` whose blob is the symbol table of all modules in the file,
//! with its strings in the following `STRTAB_BLOCK`. Linkers (lld, the gold
//! plugin) read it instead of parsing IR. [`read_contents`] finds these
//! blocks with a top-level-only [`bitstream`] reader; [`irsymtab`] decodes
//! the table; [`metadata`] reads the debug-info metadata of each module.
//! (What `llvm-nm` prints for it is [`crate::symbols`]' business:
//! this module reads bitcode and uses nothing else of the crate.)

pub mod bitstream;
pub mod irsymtab;
pub mod metadata;

use bitstream::{BitstreamError, BsResult, Cursor, ENTER_SUBBLOCK};

/// `IDENTIFICATION_BLOCK_ID`: producer string and epoch before each module.
pub const IDENTIFICATION_BLOCK_ID: u64 = 13;
/// `MODULE_BLOCK_ID`: one per module in the file.
pub const MODULE_BLOCK_ID: u64 = 8;
/// `STRTAB_BLOCK_ID`: the string table shared by modules and irsymtab.
pub const STRTAB_BLOCK_ID: u64 = 23;
/// `SYMTAB_BLOCK_ID`: the irsymtab blob.
pub const SYMTAB_BLOCK_ID: u64 = 25;
/// `STRTAB_BLOB` / `SYMTAB_BLOB`: the one record of those blocks.
const BLOB_RECORD: u64 = 1;
/// `IDENTIFICATION_CODE_STRING`.
const IDENT_STRING: u64 = 1;
/// `IDENTIFICATION_CODE_EPOCH`.
const IDENT_EPOCH: u64 = 2;

/// The magic of the bitcode wrapper header (`0x0B17C0DE`, little endian).
pub const WRAPPER_MAGIC: [u8; 4] = [0xDE, 0xC0, 0x17, 0x0B];
/// The raw bitcode magic `BC\xC0\xDE`.
pub const BITCODE_MAGIC: [u8; 4] = *b"BC\xC0\xDE";

/// Whether `data` starts as bitcode does: the raw magic or the wrapper
/// header (LLVM's `isBitcode`).
pub fn is_bitcode(data: &[u8]) -> bool {
    data.starts_with(&BITCODE_MAGIC) || data.starts_with(&WRAPPER_MAGIC)
}

/// One `IDENTIFICATION_BLOCK`: who wrote the module that follows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identification {
    /// The producer, e.g. `LLVM14.0.6`.
    pub producer: String,
    /// The bitcode epoch (0 for every LLVM since 4.0).
    pub epoch: Option<u64>,
}

/// What the top level of a bitcode file holds (LLVM's
/// `BitcodeFileContents`), borrowed from the input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitcodeContents<'a> {
    /// Byte offset of the bitcode inside the input (after a wrapper header).
    pub bitcode_offset: u64,
    /// Identification blocks, in file order.
    pub identifications: Vec<Identification>,
    /// Number of `MODULE_BLOCK`s.
    pub modules: usize,
    /// The first `SYMTAB_BLOCK` blob, if any.
    pub symtab: Option<&'a [u8]>,
    /// The first `STRTAB_BLOCK` blob after the symtab: the strings the
    /// symtab refers to.
    pub strtab_for_symtab: Option<&'a [u8]>,
}

/// Reads the top level of a bitcode file (raw or wrapped): counts modules,
/// reads identification blocks and picks out the symtab and its strtab, as
/// LLVM's `getBitcodeFileContents` does. Module blocks are skipped by their
/// length words, never parsed. Errors carry byte offsets into `data`.
pub fn read_contents(data: &[u8]) -> BsResult<BitcodeContents<'_>> {
    let (bitcode, base) = unwrap(data)?;
    let shift = |e: BitstreamError| BitstreamError {
        offset: e.offset + base,
        message: e.message,
    };
    read_bitcode(bitcode)
        .map(|mut c| {
            c.bitcode_offset = base;
            c
        })
        .map_err(shift)
}

/// Strips the wrapper header (`magic, version, offset, size, cputype`, five
/// little-endian words), returning the bitcode and its offset.
pub fn unwrap(data: &[u8]) -> BsResult<(&[u8], u64)> {
    if !data.starts_with(&WRAPPER_MAGIC) {
        return Ok((data, 0));
    }
    let word = |i: usize| -> BsResult<u32> {
        data.get(i..i + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| BitstreamError {
                offset: i as u64,
                message: "bitcode wrapper header cut short (expected 20 bytes)".into(),
            })
    };
    word(16)?;
    let offset = word(8)? as usize;
    let size = word(12)? as usize;
    match offset
        .checked_add(size)
        .and_then(|end| data.get(offset..end))
    {
        Some(b) => Ok((b, offset as u64)),
        None => Err(BitstreamError {
            offset: 8,
            message: format!(
                "bitcode wrapper says {size} bytes at offset {offset}, file has {}",
                data.len()
            ),
        }),
    }
}

fn read_bitcode(bc: &[u8]) -> BsResult<BitcodeContents<'_>> {
    if !bc.starts_with(&BITCODE_MAGIC) {
        return Err(BitstreamError {
            offset: 0,
            message: "expected the bitcode magic BC\\xC0\\xDE".into(),
        });
    }
    if bc.len() % 4 != 0 {
        return Err(BitstreamError {
            offset: bc.len() as u64,
            message: "bitcode length is not a multiple of 4 bytes".into(),
        });
    }
    let mut cur = Cursor::new(bc);
    cur.seek(32)?;
    let mut out = BitcodeContents::default();
    let mut abbrevs = Vec::new();
    loop {
        // As LLVM: fewer than 8 bytes left cannot hold another block
        // (some tools pad the end).
        if cur.byte_pos() + 8 >= bc.len() as u64 {
            return Ok(out);
        }
        let id = cur.fixed(2)?;
        match id {
            ENTER_SUBBLOCK => {
                let hdr = cur.enter_subblock()?;
                match hdr.id {
                    IDENTIFICATION_BLOCK_ID => {
                        let mut ident = Identification::default();
                        cur.block_records(&hdr, &mut |r| match r.code {
                            IDENT_STRING => {
                                ident.producer =
                                    r.ops.iter().map(|&v| char::from(v as u8)).collect()
                            }
                            IDENT_EPOCH => ident.epoch = r.ops.first().copied(),
                            _ => {}
                        })?;
                        out.identifications.push(ident);
                    }
                    SYMTAB_BLOCK_ID | STRTAB_BLOCK_ID => {
                        // The last blob record wins, as in LLVM's
                        // readBlobInRecord.
                        let mut blob: &[u8] = &[];
                        cur.block_records(&hdr, &mut |r| {
                            if let (BLOB_RECORD, Some(b)) = (r.code, r.blob) {
                                blob = b;
                            }
                        })?;
                        if hdr.id == SYMTAB_BLOCK_ID {
                            // Later symtabs come from binary concatenation;
                            // LLVM keeps the first.
                            out.symtab.get_or_insert(blob);
                        } else if out.symtab.is_some() && out.strtab_for_symtab.is_none() {
                            out.strtab_for_symtab = Some(blob);
                        }
                    }
                    other => {
                        if other == MODULE_BLOCK_ID {
                            out.modules += 1;
                        }
                        cur.seek(hdr.body_end)?;
                    }
                }
            }
            bitstream::END_BLOCK => return Err(cur.error("END_BLOCK at the top level")),
            bitstream::DEFINE_ABBREV => abbrevs.push(cur.define_abbrev()?),
            _ => {
                cur.record(id, &abbrevs)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_bitcode_and_short_wrappers() {
        assert!(read_contents(b"ELF\0").is_err());
        assert!(read_contents(&WRAPPER_MAGIC).is_err());
        let mut w = WRAPPER_MAGIC.to_vec();
        w.extend_from_slice(&[0; 4]);
        w.extend_from_slice(&20u32.to_le_bytes());
        w.extend_from_slice(&1000u32.to_le_bytes());
        w.extend_from_slice(&[0; 4]);
        let e = read_contents(&w).unwrap_err();
        assert!(e.message.contains("1000 bytes"), "{e}");
    }

    #[test]
    fn empty_bitcode_has_no_modules() {
        let c = read_contents(b"BC\xC0\xDE").unwrap();
        assert_eq!(c.modules, 0);
        assert!(c.symtab.is_none());
    }
}
