//! The LLVM bitstream container, read just deep enough for the top level of
//! a bitcode file (LLVM's `BitstreamReader`, `BitCodes.h`).
//!
//! A bitstream is a sequence of bit fields read least significant bit first
//! from little-endian 32-bit words. Each block starts with
//! `ENTER_SUBBLOCK [blockid:vbr8, newabbrevwidth:vbr4, <align32>, numwords:32]`
//! and ends with `END_BLOCK <align32>`; inside, each entry starts with an
//! abbreviation id of the block's width: 0 `END_BLOCK`, 1 `ENTER_SUBBLOCK`,
//! 2 `DEFINE_ABBREV`, 3 `UNABBREV_RECORD`, 4 and up the block's own
//! abbreviations in definition order.
//!
//! Everything here borrows the input and checks every read against the end
//! of the data and of the enclosing block: malformed input is an error with
//! the byte offset where it was found, never a panic.

use std::fmt;
use std::rc::Rc;

/// A problem in a bitstream: the byte offset (from the start of the buffer
/// handed to the reader) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitstreamError {
    /// Byte offset of the bit position where reading failed.
    pub offset: u64,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for BitstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.message)
    }
}

/// Result of bitstream reads.
pub type BsResult<T> = std::result::Result<T, BitstreamError>;

/// Abbreviation id of `END_BLOCK`.
pub const END_BLOCK: u64 = 0;
/// Abbreviation id of `ENTER_SUBBLOCK`.
pub const ENTER_SUBBLOCK: u64 = 1;
/// Abbreviation id of `DEFINE_ABBREV`.
pub const DEFINE_ABBREV: u64 = 2;
/// Abbreviation id of `UNABBREV_RECORD`.
pub const UNABBREV_RECORD: u64 = 3;

/// The widest fixed or VBR field LLVM accepts in an abbreviation
/// (`MaxChunkSize`).
const MAX_CHUNK: u64 = 32;
/// Scalar operands kept per record; longer arrays are read past, not kept.
const MAX_KEPT_OPS: usize = 1 << 16;

/// One operand of an abbreviation (`BitCodeAbbrevOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevOp {
    /// A constant value, not stored in the stream.
    Literal(u64),
    /// A fixed-width field.
    Fixed(u8),
    /// A variable-width field in chunks of this many bits.
    Vbr(u8),
    /// A count (vbr6) followed by that many elements of the next operand.
    Array,
    /// A 6-bit character `[a-zA-Z0-9._]`.
    Char6,
    /// A byte count (vbr6), 32-bit alignment, the bytes, 32-bit alignment.
    Blob,
}

/// An abbreviation defined by `DEFINE_ABBREV`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbrev {
    /// The operands; the first one gives the record code.
    pub ops: Vec<AbbrevOp>,
}

/// A record read from a block: its code, its scalar operands (up to a cap)
/// and its blob, borrowed from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The record code.
    pub code: u64,
    /// Scalar operands (array elements included), at most 65536 kept.
    pub ops: Vec<u64>,
    /// The blob operand, if the abbreviation has one.
    pub blob: Option<&'a [u8]>,
}

/// The header of a block entered with `ENTER_SUBBLOCK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    /// The block id (`MODULE_BLOCK_ID`, `SYMTAB_BLOCK_ID`, ...).
    pub id: u64,
    /// Abbreviation id width inside the block.
    pub abbrev_width: u32,
    /// Bit position of the first entry of the block.
    pub body_start: u64,
    /// Bit position just past the block, from its length word.
    pub body_end: u64,
}

/// A bit position over borrowed bytes, bounded by `end` (in bits).
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: u64,
    end: u64,
    /// An operand buffer given back by [`Self::recycle`], for the next
    /// record.
    spare: Vec<u64>,
}

impl<'a> Cursor<'a> {
    /// A cursor over all of `data`, at bit 0.
    pub fn new(data: &'a [u8]) -> Self {
        Cursor {
            data,
            pos: 0,
            end: data.len() as u64 * 8,
            spare: Vec::new(),
        }
    }

    /// The current bit position.
    pub fn bit_pos(&self) -> u64 {
        self.pos
    }

    /// The current position in whole bytes (rounded down).
    pub fn byte_pos(&self) -> u64 {
        self.pos / 8
    }

    /// Moves to bit `pos`, which must not be past the end.
    pub fn seek(&mut self, pos: u64) -> BsResult<()> {
        if pos > self.end {
            return Err(self.error(format!(
                "position {} is past the end of the data ({} bytes)",
                pos / 8,
                self.end / 8
            )));
        }
        self.pos = pos;
        Ok(())
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> BitstreamError {
        BitstreamError {
            offset: self.pos / 8,
            message: message.into(),
        }
    }

    fn remaining(&self) -> u64 {
        self.end.saturating_sub(self.pos)
    }

    /// Reads a `width`-bit field (0..=64 bits).
    #[inline]
    pub fn fixed(&mut self, width: u32) -> BsResult<u64> {
        // Fast path: a field of at most 57 bits lies in the 8 bytes at the
        // current byte, and those 8 bytes are in the data.
        let byte = (self.pos / 8) as usize;
        if (1..=57).contains(&width) && self.pos + u64::from(width) <= self.end {
            if let Some(b) = self.data.get(byte..byte + 8) {
                let word = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                let v = (word >> (self.pos % 8)) & (u64::MAX >> (64 - width));
                self.pos += u64::from(width);
                return Ok(v);
            }
        }
        self.fixed_slow(width)
    }

    #[cold]
    fn fixed_slow(&mut self, width: u32) -> BsResult<u64> {
        if width == 0 {
            return Ok(0);
        }
        if width > 64 {
            return Err(self.error(format!("field of {width} bits (at most 64)")));
        }
        if self.remaining() < u64::from(width) {
            return Err(self.error(format!(
                "unexpected end of data reading a {width}-bit field"
            )));
        }
        let mut value = 0u64;
        let mut got = 0u32;
        let mut p = self.pos;
        while got < width {
            let byte = match self.data.get((p / 8) as usize) {
                Some(b) => u64::from(*b),
                None => return Err(self.error("unexpected end of data")),
            };
            let shift = (p % 8) as u32;
            let take = (8 - shift).min(width - got);
            let bits = (byte >> shift) & ((1u64 << take) - 1);
            value |= bits << got;
            got += take;
            p += u64::from(take);
        }
        self.pos = p;
        Ok(value)
    }

    /// Reads a VBR field in `width`-bit chunks (2..=32).
    #[inline]
    pub fn vbr(&mut self, width: u32) -> BsResult<u64> {
        // Fast path: every chunk lies in the 8 bytes at the current byte
        // (57 bits from the current bit on) and inside the bound, and the
        // value has room in 64 bits.
        let byte = (self.pos / 8) as usize;
        if (2..=32).contains(&width) {
            if let Some(b) = self.data.get(byte..byte + 8) {
                let word = u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) >> (self.pos % 8);
                let avail = (57 / width)
                    .min(64 / (width - 1))
                    .min(((self.end - self.pos.min(self.end)) / u64::from(width)) as u32);
                let high = 1u64 << (width - 1);
                let mask = (1u64 << width) - 1;
                let mut value = 0u64;
                let mut w = word;
                for k in 0..avail {
                    let chunk = w & mask;
                    value |= (chunk & (high - 1)) << (k * (width - 1));
                    if chunk & high == 0 {
                        self.pos += u64::from((k + 1) * width);
                        return Ok(value);
                    }
                    w >>= width;
                }
            }
        }
        self.vbr_slow(width)
    }

    #[cold]
    fn vbr_slow(&mut self, width: u32) -> BsResult<u64> {
        if !(2..=32).contains(&width) {
            return Err(self.error(format!("VBR field with {width}-bit chunks")));
        }
        let start = self.pos;
        let high = 1u64 << (width - 1);
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let chunk = self.fixed(width)?;
            let data = chunk & (high - 1);
            if shift >= 64 || (shift > 0 && data >> (64 - shift) != 0) {
                return Err(BitstreamError {
                    offset: start / 8,
                    message: "VBR value does not fit in 64 bits".into(),
                });
            }
            value |= data << shift;
            if chunk & high == 0 {
                return Ok(value);
            }
            shift += width - 1;
        }
    }

    /// Skips to the next multiple of 32 bits.
    pub fn align32(&mut self) -> BsResult<()> {
        let p = (self.pos + 31) & !31;
        if p > self.end {
            return Err(self.error("unexpected end of data at 32-bit alignment"));
        }
        self.pos = p;
        Ok(())
    }

    /// Reads the rest of an `ENTER_SUBBLOCK` (after its abbreviation id) and
    /// checks that the block's length word stays inside the data.
    pub fn enter_subblock(&mut self) -> BsResult<BlockHeader> {
        let id = self.vbr(8)?;
        let width = self.vbr(4)?;
        if width == 0 || width > MAX_CHUNK {
            return Err(self.error(format!(
                "block {id} has abbreviation width {width} (expected 1..=32)"
            )));
        }
        self.align32()?;
        let words = self.fixed(32)?;
        let body_start = self.pos;
        let body_end = body_start + words * 32;
        if body_end > self.end {
            return Err(self.error(format!(
                "block {id} claims {words} words, past the end of the data"
            )));
        }
        Ok(BlockHeader {
            id,
            abbrev_width: width as u32,
            body_start,
            body_end,
        })
    }

    /// Reads a `DEFINE_ABBREV` body (after its abbreviation id).
    pub fn define_abbrev(&mut self) -> BsResult<Abbrev> {
        let at = self.pos;
        let n = self.vbr(5)?;
        if n == 0 {
            return Err(self.error("abbreviation with no operands"));
        }
        // Every operand takes at least one bit: refuse absurd counts early.
        if n > self.remaining() {
            return Err(self.error(format!("abbreviation claims {n} operands")));
        }
        let mut ops = Vec::with_capacity(n as usize);
        let mut i = 0;
        while i < n {
            i += 1;
            if self.fixed(1)? == 1 {
                ops.push(AbbrevOp::Literal(self.vbr(8)?));
                continue;
            }
            let enc = self.fixed(3)?;
            let op = match enc {
                1 | 2 => {
                    let w = self.vbr(5)?;
                    if w > MAX_CHUNK {
                        return Err(self.error(format!("fixed or VBR operand of {w} bits")));
                    }
                    match (enc, w) {
                        (_, 0) => AbbrevOp::Literal(0),
                        (1, w) => AbbrevOp::Fixed(w as u8),
                        (_, 1) => return Err(self.error("VBR operand with 1-bit chunks")),
                        (_, w) => AbbrevOp::Vbr(w as u8),
                    }
                }
                3 => AbbrevOp::Array,
                4 => AbbrevOp::Char6,
                5 => AbbrevOp::Blob,
                e => return Err(self.error(format!("unknown abbreviation operand encoding {e}"))),
            };
            ops.push(op);
        }
        validate_abbrev(&ops).map_err(|m| BitstreamError {
            offset: at / 8,
            message: m,
        })?;
        Ok(Abbrev { ops })
    }

    fn scalar(&mut self, op: AbbrevOp) -> BsResult<u64> {
        match op {
            AbbrevOp::Literal(v) => Ok(v),
            AbbrevOp::Fixed(w) => self.fixed(u32::from(w)),
            AbbrevOp::Vbr(w) => self.vbr(u32::from(w)),
            AbbrevOp::Char6 => Ok(u64::from(char6(self.fixed(6)?))),
            AbbrevOp::Array | AbbrevOp::Blob => Err(self.error("array or blob used as a scalar")),
        }
    }

    /// Gives back the operand buffer of a record read and done with, so
    /// that the next record reuses it instead of allocating its own (a
    /// metadata block is tens of thousands of records).
    pub fn recycle(&mut self, record: Record<'a>) {
        if record.ops.capacity() > self.spare.capacity() {
            self.spare = record.ops;
        }
    }

    fn take_spare(&mut self) -> Vec<u64> {
        let mut ops = std::mem::take(&mut self.spare);
        ops.clear();
        ops
    }

    /// Reads a record with abbreviation id `id` (3 or a defined abbreviation).
    /// Operands past the first 65536 are read past, not kept.
    pub fn record(&mut self, id: u64, abbrevs: &[Abbrev]) -> BsResult<Record<'a>> {
        self.record_capped(id, (abbrevs, &[]), MAX_KEPT_OPS, false)
    }

    /// Reads a record keeping up to `cap` operands; past that, an error if
    /// `strict`, else the rest is read and dropped.
    fn record_capped(
        &mut self,
        id: u64,
        abbrevs: (&[Abbrev], &[Abbrev]),
        cap: usize,
        strict: bool,
    ) -> BsResult<Record<'a>> {
        let start = self.pos;
        let mut rec = self.record_inner(id, abbrevs, cap.saturating_add(usize::from(strict)))?;
        if strict && rec.ops.len() > cap {
            return Err(BitstreamError {
                offset: start / 8,
                message: format!("record {} has more than {cap} operands", rec.code),
            });
        }
        rec.ops.truncate(cap);
        Ok(rec)
    }

    /// `abbrevs`: the abbreviations in effect, in two parts (BLOCKINFO's,
    /// then the block's own).
    fn record_inner(
        &mut self,
        id: u64,
        abbrevs: (&[Abbrev], &[Abbrev]),
        keep: usize,
    ) -> BsResult<Record<'a>> {
        if id == UNABBREV_RECORD {
            let code = self.vbr(6)?;
            let n = self.vbr(6)?;
            if n.saturating_mul(6) > self.remaining() {
                return Err(self.error(format!("record claims {n} operands")));
            }
            let mut ops = self.take_spare();
            for _ in 0..n {
                let v = self.vbr(6)?;
                if ops.len() < keep {
                    ops.push(v);
                }
            }
            return Ok(Record {
                code,
                ops,
                blob: None,
            });
        }
        let abbrev = id
            .checked_sub(4)
            .and_then(|i| {
                let i = i as usize;
                abbrevs
                    .0
                    .get(i)
                    .or_else(|| abbrevs.1.get(i - abbrevs.0.len()))
            })
            .ok_or_else(|| {
                self.error(format!(
                    "abbreviation id {id} is not defined ({} defined in this block)",
                    abbrevs.0.len() + abbrevs.1.len()
                ))
            })?;
        let mut ops_iter = abbrev.ops.iter().copied();
        let code = match ops_iter.next() {
            Some(op) => self.scalar(op)?,
            None => return Err(self.error("empty abbreviation")),
        };
        let mut ops = self.take_spare();
        let mut blob = None;
        while let Some(op) = ops_iter.next() {
            match op {
                AbbrevOp::Array => {
                    let elt = ops_iter
                        .next()
                        .ok_or_else(|| self.error("array without element type"))?;
                    let n = self.vbr(6)?;
                    let min_bits = match elt {
                        AbbrevOp::Fixed(w) | AbbrevOp::Vbr(w) => u64::from(w),
                        AbbrevOp::Char6 => 6,
                        _ => 1,
                    };
                    if n.saturating_mul(min_bits) > self.remaining() {
                        return Err(self.error(format!("array claims {n} elements")));
                    }
                    if let (true, AbbrevOp::Fixed(_) | AbbrevOp::Char6) = (ops.len() >= keep, elt) {
                        // Nothing kept: fixed-width elements are stepped over.
                        self.pos += n * min_bits;
                        continue;
                    }
                    for _ in 0..n {
                        let v = self.scalar(elt)?;
                        if ops.len() < keep {
                            ops.push(v);
                        }
                    }
                }
                AbbrevOp::Blob => {
                    let len = self.vbr(6)?;
                    self.align32()?;
                    if len.saturating_mul(8) > self.remaining() {
                        return Err(self.error(format!("blob of {len} bytes runs past the end")));
                    }
                    let start = (self.pos / 8) as usize;
                    let bytes = self
                        .data
                        .get(start..start + len as usize)
                        .ok_or_else(|| self.error("blob runs past the end"))?;
                    self.pos += len * 8;
                    self.align32()?;
                    blob = Some(bytes);
                }
                op => {
                    let v = self.scalar(op)?;
                    if ops.len() < keep {
                        ops.push(v);
                    }
                }
            }
        }
        Ok(Record { code, ops, blob })
    }

    /// Reads the records of the block `hdr` (whose header was just read),
    /// handing each to `each`, skipping nested blocks, up to and including
    /// its `END_BLOCK`, which must end exactly where the block's length
    /// word says. Memory use does not grow with the number of records.
    pub fn block_records(
        &mut self,
        hdr: &BlockHeader,
        each: &mut dyn FnMut(Record<'a>),
    ) -> BsResult<()> {
        let outer_end = self.end;
        self.end = hdr.body_end;
        let result = self.block_records_inner(hdr, each);
        self.end = outer_end;
        result
    }

    fn block_records_inner(
        &mut self,
        hdr: &BlockHeader,
        each: &mut dyn FnMut(Record<'a>),
    ) -> BsResult<()> {
        let mut abbrevs: Vec<Abbrev> = Vec::new();
        loop {
            if self.pos >= self.end {
                return Err(self.error(format!(
                    "block {} ends without END_BLOCK (its length word is wrong or the data is cut)",
                    hdr.id
                )));
            }
            let id = self.fixed(hdr.abbrev_width)?;
            match id {
                END_BLOCK => {
                    self.align32()?;
                    if self.pos != hdr.body_end {
                        return Err(self.error(format!(
                            "block {} ends at byte {} but its length word says {}",
                            hdr.id,
                            self.pos / 8,
                            hdr.body_end / 8
                        )));
                    }
                    return Ok(());
                }
                ENTER_SUBBLOCK => {
                    let sub = self.enter_subblock()?;
                    self.pos = sub.body_end;
                }
                DEFINE_ABBREV => abbrevs.push(self.define_abbrev()?),
                _ => each(self.record(id, &abbrevs)?),
            }
        }
    }
}

/// `BLOCKINFO_BLOCK_ID`: abbreviations shared by every block of an id.
pub const BLOCKINFO_BLOCK_ID: u64 = 0;
/// `BLOCKINFO_CODE_SETBID`: the block id later `DEFINE_ABBREV`s are for.
const BLOCKINFO_SETBID: u64 = 1;
/// Operands a record read by [`Cursor::next_entry`] may have; more is an
/// error rather than a silently shortened record.
pub const MAX_RECORD_OPS: usize = 1 << 22;

/// The abbreviations a `BLOCKINFO` block registers per block id
/// (LLVM's `BitstreamBlockInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockInfo {
    /// Shared with every block of the id read so far.
    blocks: Vec<(u64, Rc<Vec<Abbrev>>)>,
}

impl BlockInfo {
    /// The abbreviations registered for `block_id`, in definition order.
    pub fn abbrevs(&self, block_id: u64) -> &[Abbrev] {
        self.blocks
            .iter()
            .find(|(id, _)| *id == block_id)
            .map_or(&[], |(_, a)| a.as_slice())
    }

    fn push(&mut self, block_id: u64, abbrev: Abbrev) {
        match self.blocks.iter_mut().find(|(id, _)| *id == block_id) {
            Some((_, v)) => Rc::make_mut(v).push(abbrev),
            None => self.blocks.push((block_id, Rc::new(vec![abbrev]))),
        }
    }

    /// [`Self::abbrevs`], shared.
    fn shared(&self, block_id: u64) -> Rc<Vec<Abbrev>> {
        self.blocks
            .iter()
            .find(|(id, _)| *id == block_id)
            .map_or_else(Rc::default, |(_, a)| a.clone())
    }
}

/// A block being read entry by entry with [`Cursor::next_entry`]: its
/// header and the abbreviations in effect (BLOCKINFO's first, then the
/// block's own).
#[derive(Debug, Clone)]
pub struct Block {
    /// The block's header.
    pub header: BlockHeader,
    /// BLOCKINFO's abbreviations for the block id.
    inherited: Rc<Vec<Abbrev>>,
    /// The block's own, numbered after those.
    abbrevs: Vec<Abbrev>,
    outer_end: u64,
    /// Whether records keep their operands (see [`Block::read_past_operands`]).
    keep_ops: bool,
}

impl Block {
    /// From now on the block's records come back with their code only, their
    /// operands read past and not kept (a function body's instructions,
    /// when only its nested blocks matter).
    pub fn read_past_operands(&mut self) {
        self.keep_ops = false;
    }
}

/// One entry of a block (LLVM's `BitstreamEntry`); `DEFINE_ABBREV`s are
/// taken in by the reader and never returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<'a> {
    /// The block's `END_BLOCK`; the cursor is just past the block.
    EndBlock,
    /// A nested block whose header was just read: enter it with
    /// [`Cursor::enter_block`] or skip it with [`Cursor::skip_block`].
    SubBlock(BlockHeader),
    /// A record.
    Record(Record<'a>),
}

impl<'a> Cursor<'a> {
    /// Starts reading the block `header` (just read by
    /// [`Cursor::enter_subblock`]): reads are bounded by the block's end
    /// until its `END_BLOCK`.
    pub fn enter_block(&mut self, header: BlockHeader, info: &BlockInfo) -> Block {
        let outer_end = self.end;
        self.end = header.body_end.min(outer_end);
        Block {
            header,
            inherited: info.shared(header.id),
            abbrevs: Vec::new(),
            outer_end,
            keep_ops: true,
        }
    }

    /// Moves past a nested block without reading it.
    pub fn skip_block(&mut self, header: &BlockHeader) -> BsResult<()> {
        self.seek(header.body_end)
    }

    /// Reads the next entry of `block`. At `END_BLOCK` checks that the block
    /// ends where its length word says and restores the enclosing bound.
    pub fn next_entry(&mut self, block: &mut Block) -> BsResult<Entry<'a>> {
        loop {
            if self.pos >= self.end {
                return Err(self.error(format!(
                    "block {} ends without END_BLOCK (its length word is wrong or the data is cut)",
                    block.header.id
                )));
            }
            let id = self.fixed(block.header.abbrev_width)?;
            match id {
                END_BLOCK => {
                    self.align32()?;
                    if self.pos != block.header.body_end {
                        return Err(self.error(format!(
                            "block {} ends at byte {} but its length word says {}",
                            block.header.id,
                            self.pos / 8,
                            block.header.body_end / 8
                        )));
                    }
                    self.end = block.outer_end;
                    return Ok(Entry::EndBlock);
                }
                ENTER_SUBBLOCK => return Ok(Entry::SubBlock(self.enter_subblock()?)),
                DEFINE_ABBREV => {
                    let a = self.define_abbrev()?;
                    block.abbrevs.push(a);
                }
                _ => {
                    let (cap, strict) = match block.keep_ops {
                        true => (MAX_RECORD_OPS, true),
                        false => (0, false),
                    };
                    return self
                        .record_capped(id, (&block.inherited, &block.abbrevs), cap, strict)
                        .map(Entry::Record);
                }
            }
        }
    }

    /// Reads a `BLOCKINFO` block (header just read) into `info`: `SETBID`
    /// records choose the block id that the following `DEFINE_ABBREV`s are
    /// for (LLVM's `ReadBlockInfoBlock`).
    pub fn read_block_info(&mut self, header: BlockHeader, info: &mut BlockInfo) -> BsResult<()> {
        let mut block = self.enter_block(header, &BlockInfo::default());
        let mut current: Option<u64> = None;
        loop {
            if self.pos >= self.end {
                return Err(self.error("BLOCKINFO block ends without END_BLOCK"));
            }
            let at = self.pos;
            let id = self.fixed(header.abbrev_width)?;
            match id {
                DEFINE_ABBREV => {
                    let a = self.define_abbrev()?;
                    match current {
                        Some(bid) => info.push(bid, a),
                        None => return Err(self.error("BLOCKINFO abbreviation before SETBID")),
                    }
                }
                _ => {
                    self.pos = at;
                    match self.next_entry(&mut block)? {
                        Entry::EndBlock => return Ok(()),
                        Entry::SubBlock(h) => self.skip_block(&h)?,
                        Entry::Record(r) if r.code == BLOCKINFO_SETBID => match r.ops.first() {
                            Some(&bid) => current = Some(bid),
                            None => return Err(self.error("SETBID without a block id")),
                        },
                        // BLOCKNAME / SETRECORDNAME: names for dumps only.
                        Entry::Record(_) => {}
                    }
                }
            }
        }
    }
}

/// Checks the shape rules of `BitCodeAbbrev`: the code is a scalar, an array
/// is second to last and followed by a scalar element, a blob is last.
fn validate_abbrev(ops: &[AbbrevOp]) -> Result<(), String> {
    for (i, op) in ops.iter().enumerate() {
        let last = i + 1 == ops.len();
        match op {
            AbbrevOp::Array | AbbrevOp::Blob if i == 0 => {
                return Err("abbreviation starts with an array or blob".into())
            }
            AbbrevOp::Array => {
                if i + 2 != ops.len() {
                    return Err("array operand is not second to last".into());
                }
                if matches!(ops[i + 1], AbbrevOp::Array | AbbrevOp::Blob) {
                    return Err("array of arrays or blobs".into());
                }
            }
            AbbrevOp::Blob if !last => return Err("blob operand is not last".into()),
            _ => {}
        }
    }
    Ok(())
}

/// Decodes a `Char6` value (records carry the decoded character).
fn char6(v: u64) -> u8 {
    match v {
        0..=25 => b'a' + v as u8,
        26..=51 => b'A' + (v - 26) as u8,
        52..=61 => b'0' + (v - 52) as u8,
        62 => b'.',
        _ => b'_',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time `fixed` and `vbr` give what the bit-by-bit
    /// readers give (value, position, or error) for every width, at every
    /// alignment, near the end of the data and past a block's bound.
    #[test]
    fn fast_field_reads_equal_the_bit_by_bit_reads() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut compared = 0;
        for len in [0usize, 1, 3, 8, 9, 15, 16, 40, 300, 1000] {
            for _ in 0..200 {
                // Bytes biased to continuation bits, so VBRs run long.
                let data: Vec<u8> = (0..len)
                    .map(|_| (next() as u8) | if next() % 3 == 0 { 0 } else { 0x20 })
                    .collect();
                let mut fast = Cursor::new(&data);
                let mut slow = Cursor::new(&data);
                let end = (next() % (len as u64 * 8 + 1)).max(len as u64 * 8 * (next() % 2));
                fast.end = end;
                slow.end = end;
                for _ in 0..100 {
                    let vbr = next() % 2 == 0;
                    let width = match (next() % 20, vbr) {
                        (0, _) => (next() % 66) as u32,
                        (_, true) => 2 + (next() % 31) as u32,
                        (_, false) => (next() % 65) as u32,
                    };
                    let (a, b) = if vbr {
                        (fast.vbr(width), slow.vbr_slow(width))
                    } else {
                        (fast.fixed(width), slow.fixed_slow(width))
                    };
                    assert_eq!(
                        a, b,
                        "len {len} end {end} vbr {vbr} width {width} at bit {}",
                        slow.pos
                    );
                    assert_eq!(fast.pos, slow.pos);
                    compared += 1;
                    if a.is_err() {
                        break;
                    }
                }
            }
        }
        assert!(compared > 5_000, "{compared} reads compared");
    }

    /// Writes bit fields LSB first, as LLVM's BitstreamWriter does.
    #[derive(Default)]
    struct Bits {
        bytes: Vec<u8>,
        bit: usize,
    }
    impl Bits {
        fn put(&mut self, v: u64, w: u32) -> &mut Self {
            for i in 0..w {
                if self.bit % 8 == 0 {
                    self.bytes.push(0);
                }
                if v >> i & 1 == 1 {
                    *self.bytes.last_mut().unwrap() |= 1 << (self.bit % 8);
                }
                self.bit += 1;
            }
            self
        }
        fn vbr(&mut self, mut v: u64, w: u32) -> &mut Self {
            let hi = 1u64 << (w - 1);
            while v >= hi {
                self.put(v & (hi - 1) | hi, w);
                v >>= w - 1;
            }
            self.put(v, w)
        }
        fn align(&mut self) -> &mut Self {
            while self.bit % 32 != 0 {
                self.put(0, 1);
            }
            self
        }
    }

    /// A block with abbreviation width 3 holding `body` (bits after the
    /// length word), with a correct or overridden length word.
    fn block(id: u64, body: &Bits, words: Option<u64>) -> Vec<u8> {
        let mut b = Bits::default();
        b.put(ENTER_SUBBLOCK, 2).vbr(id, 8).vbr(3, 4).align();
        let n = words.unwrap_or((body.bytes.len() as u64).div_ceil(4));
        b.put(n, 32);
        let mut out = b.bytes;
        out.extend_from_slice(&body.bytes);
        out.resize(out.len().div_ceil(4) * 4, 0);
        out
    }

    fn blob_body(abbrev_id: u64, payload: &[u8]) -> Bits {
        let mut b = Bits::default();
        // DEFINE_ABBREV [literal 1, blob]
        b.put(DEFINE_ABBREV, 3)
            .vbr(2, 5)
            .put(1, 1)
            .vbr(1, 8)
            .put(0, 1)
            .put(5, 3);
        b.put(abbrev_id, 3).vbr(payload.len() as u64, 6).align();
        for &c in payload {
            b.put(u64::from(c), 8);
        }
        b.align().put(END_BLOCK, 3).align();
        b
    }

    fn read_block(data: &[u8]) -> BsResult<Vec<Record<'_>>> {
        let mut c = Cursor::new(data);
        assert_eq!(c.fixed(2)?, ENTER_SUBBLOCK);
        let hdr = c.enter_subblock()?;
        let mut v = Vec::new();
        c.block_records(&hdr, &mut |r| v.push(r))?;
        Ok(v)
    }

    #[test]
    fn reads_fields_and_vbr() {
        let mut b = Bits::default();
        b.put(5, 3)
            .vbr(1000, 6)
            .vbr(u64::MAX, 32)
            .put(0x1234_5678_9abc, 48);
        let mut c = Cursor::new(&b.bytes);
        assert_eq!(c.fixed(3).unwrap(), 5);
        assert_eq!(c.vbr(6).unwrap(), 1000);
        assert_eq!(c.vbr(32).unwrap(), u64::MAX);
        assert_eq!(c.fixed(48).unwrap(), 0x1234_5678_9abc);
        assert!(c.fixed(64).is_err());
    }

    #[test]
    fn vbr_overflow_is_an_error() {
        let mut b = Bits::default();
        for _ in 0..20 {
            b.put(0x3f, 6);
        }
        b.put(0, 6);
        let e = Cursor::new(&b.bytes).vbr(6).unwrap_err();
        assert!(e.message.contains("64 bits"), "{e}");
    }

    #[test]
    fn blob_record_in_a_block() {
        let data = block(25, &blob_body(4, b"hello"), None);
        let recs = read_block(&data).unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].code, 1);
        assert_eq!(recs[0].blob, Some(&b"hello"[..]));
    }

    #[test]
    fn abbreviation_id_out_of_range() {
        let data = block(25, &blob_body(5, b"x"), None);
        let e = read_block(&data).unwrap_err();
        assert!(
            e.message.contains("abbreviation id 5 is not defined"),
            "{e}"
        );
    }

    #[test]
    fn lying_length_words() {
        let body = blob_body(4, b"hello");
        let words = (body.bytes.len() as u64).div_ceil(4);
        for lie in [0, words - 1, words + 1, 1 << 30] {
            let data = block(25, &body, Some(lie));
            assert!(
                read_block(&data).is_err(),
                "length {lie} (true {words}) accepted"
            );
        }
    }

    #[test]
    fn blob_past_the_end() {
        let mut b = Bits::default();
        b.put(DEFINE_ABBREV, 3)
            .vbr(2, 5)
            .put(1, 1)
            .vbr(1, 8)
            .put(0, 1)
            .put(5, 3);
        b.put(4, 3).vbr(1 << 20, 6).align().put(0, 32);
        let data = block(23, &b, None);
        let e = read_block(&data).unwrap_err();
        assert!(e.message.contains("blob of 1048576 bytes"), "{e}");
    }

    #[test]
    fn malformed_abbreviations() {
        // Blob not last, array not second to last, bad encoding, 0 operands.
        for ops in [
            vec![(false, 5, 0), (true, 1, 0)],
            vec![(true, 1, 0), (false, 3, 0), (false, 4, 0), (true, 1, 0)],
            vec![(false, 7, 0)],
            vec![],
        ] {
            let mut b = Bits::default();
            b.put(DEFINE_ABBREV, 3).vbr(ops.len() as u64, 5);
            for (lit, enc, _) in &ops {
                if *lit {
                    b.put(1, 1).vbr(*enc, 8);
                } else {
                    b.put(0, 1).put(*enc, 3);
                }
            }
            b.align().put(END_BLOCK, 3).align();
            let data = block(23, &b, None);
            assert!(read_block(&data).is_err(), "{ops:?} accepted");
        }
    }
}
