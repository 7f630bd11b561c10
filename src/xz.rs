//! The `.xz` container (XZ Utils' "The .xz File Format" 1.2) around
//! `.ko.xz` modules, which `scripts/Makefile.modinst` writes with
//! `xz --check=crc32 --lzma2=dict=1MiB`, and around `CONFIG_KERNEL_XZ`
//! payloads (`scripts/xz_wrap.sh`, also CRC32).
//!
//! The LZMA2 data itself is decoded by liblzma (the `liblzma` crate,
//! built from its bundled XZ Utils 5.8). This module reads what lies
//! around it, as the kernel's own reader does in `lib/xz/xz_dec_stream.c`
//! (`dec_stream_header()`, `dec_block_header()`, `dec_index()`,
//! `dec_stream_footer()`): each stream's index, from its footer
//! backwards, gives every block's place and uncompressed size. With that,
//! [`decode`] decompresses into one allocation of the exact size, and
//! checks each block's CRC32 with `crc32fast` (PCLMULQDQ where the CPU
//! has it) instead of liblzma's table-driven CRC: 6% of the CPU time of
//! decoding Debian's modules.

use crate::error::{Error, Position, Result};

/// The magic bytes of a stream header (`HEADER_MAGIC` in
/// `lib/xz/xz_dec_stream.c`).
pub const STREAM_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0];
const FOOTER_MAGIC: [u8; 2] = *b"YZ";
/// A stream header or footer: 12 bytes.
const HEADER_SIZE: usize = 12;
/// Check ID 1: CRC32 (`XZ_CHECK_CRC32`).
const CHECK_CRC32: u8 = 1;

/// One block of a stream, from the stream's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Offset of the block header in the file.
    pub offset: usize,
    /// Block header + compressed data + check, without the padding
    /// (the index's "Unpadded Size").
    pub unpadded_size: u64,
    /// Bytes the block decodes to.
    pub uncompressed_size: u64,
    /// The stream's check ID (low 4 bits of the stream flags).
    pub check: u8,
}

/// Block header, compressed data and check, with the padding that keeps
/// the check 4-byte aligned: how far the next block starts.
fn padded(unpadded_size: u64) -> u64 {
    unpadded_size.div_ceil(4) * 4
}

impl Block {
    /// Offset just past the block (its check included).
    pub fn end(&self) -> usize {
        self.offset + padded(self.unpadded_size) as usize
    }

    /// Offset of the block's check, its last [`check_size`] bytes.
    pub fn check_offset(&self) -> usize {
        self.end() - check_size(self.check)
    }
}

/// Size in bytes of the check with ID `check` (the format's table:
/// 0, then 4, 8, 16, 32, 64 bytes for each group of three IDs).
pub fn check_size(check: u8) -> usize {
    match check {
        0 => 0,
        1..=15 => 4 << ((check - 1) / 3),
        _ => 0,
    }
}

/// The blocks of every stream in `data`, first to last, read from the
/// stream footers and indexes backwards as `xz --list` does. An error
/// says where the container is not what the format allows; the blocks'
/// contents are not looked at.
pub fn blocks(data: &[u8], display: &str) -> Result<Vec<Block>> {
    let bad =
        |at: usize, what: String| Error::malformed(display, Position::Offset(at as u64), what);
    let mut streams: Vec<Vec<Block>> = Vec::new();
    let mut end = data.len();
    while end > 0 {
        // Stream padding: null bytes in groups of four.
        while end >= 4 && data[end - 4..end] == [0; 4] {
            end -= 4;
        }
        if end == 0 {
            break;
        }
        if end < 2 * HEADER_SIZE || end % 4 != 0 {
            return Err(bad(
                end,
                "truncated xz stream (expected a 12-byte stream footer)".into(),
            ));
        }
        let footer = &data[end - HEADER_SIZE..end];
        if footer[10..] != FOOTER_MAGIC {
            return Err(bad(end - 2, "xz stream footer magic is not \"YZ\"".into()));
        }
        let flags = [footer[8], footer[9]];
        if crc32fast::hash(&footer[4..10]) != le32(&footer[..4]) {
            return Err(bad(
                end - HEADER_SIZE,
                "xz stream footer CRC32 mismatch".into(),
            ));
        }
        let index_size = (le32(&footer[4..8]) as usize + 1) * 4;
        let footer_at = end - HEADER_SIZE;
        let index_at = footer_at
            .checked_sub(index_size)
            .filter(|&at| at >= HEADER_SIZE)
            .ok_or_else(|| {
                bad(
                    footer_at,
                    format!("xz index of {index_size} bytes does not fit before the footer"),
                )
            })?;
        let records = index_records(&data[index_at..footer_at])
            .map_err(|(at, what)| bad(index_at + at, format!("xz index: {what}")))?;
        let blocks_size: u64 = records
            .iter()
            .try_fold(0u64, |sum, r| sum.checked_add(padded(r.0)))
            .unwrap_or(u64::MAX);
        let stream_at = usize::try_from(blocks_size)
            .ok()
            .and_then(|p| index_at.checked_sub(p))
            .and_then(|at| at.checked_sub(HEADER_SIZE))
            .ok_or_else(|| bad(index_at, "xz index's blocks do not fit before it".into()))?;
        let header = &data[stream_at..stream_at + HEADER_SIZE];
        if header[..6] != STREAM_MAGIC {
            return Err(bad(
                stream_at,
                "expected an xz stream header here (from the index's block sizes)".into(),
            ));
        }
        if header[6..8] != flags || flags[0] != 0 || flags[1] & 0xf0 != 0 {
            return Err(bad(
                stream_at + 6,
                "xz stream flags differ between header and footer, or are reserved".into(),
            ));
        }
        if crc32fast::hash(&header[6..8]) != le32(&header[8..12]) {
            return Err(bad(stream_at + 8, "xz stream header CRC32 mismatch".into()));
        }
        let mut offset = stream_at + HEADER_SIZE;
        let stream = records
            .into_iter()
            .map(|(unpadded_size, uncompressed_size)| {
                let block = Block {
                    offset,
                    unpadded_size,
                    uncompressed_size,
                    check: flags[1],
                };
                offset += padded(unpadded_size) as usize;
                block
            })
            .collect();
        streams.push(stream);
        end = stream_at;
    }
    if streams.is_empty() {
        return Err(bad(0, "no xz stream (only padding)".into()));
    }
    Ok(streams.into_iter().rev().flatten().collect())
}

/// The (unpadded size, uncompressed size) records of one index
/// (`dec_index()`): the indicator byte 0, a count, the records, padding
/// to four bytes, and the index's CRC32.
fn index_records(index: &[u8]) -> std::result::Result<Vec<(u64, u64)>, (usize, String)> {
    if index.first() != Some(&0) {
        return Err((0, "expected the index indicator 0x00".into()));
    }
    let body_end = index.len() - 4;
    if crc32fast::hash(&index[..body_end]) != le32(&index[body_end..]) {
        return Err((body_end, "CRC32 mismatch".into()));
    }
    let mut at = 1;
    let count = vli(index, &mut at, body_end)?;
    // Each record takes at least two bytes: a count beyond that is false.
    if count > (body_end - at) as u64 / 2 {
        return Err((
            1,
            format!("{count} records do not fit in {} bytes", index.len()),
        ));
    }
    let mut records = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let unpadded = vli(index, &mut at, body_end)?;
        let uncompressed = vli(index, &mut at, body_end)?;
        if unpadded < 5 {
            return Err((
                at,
                format!("unpadded size {unpadded} is below the minimum of 5"),
            ));
        }
        records.push((unpadded, uncompressed));
    }
    if body_end - at >= 4 || index[at..body_end].iter().any(|&b| b != 0) {
        return Err((
            at,
            "expected at most 3 null bytes of padding after the records".into(),
        ));
    }
    Ok(records)
}

/// A variable-length integer (`dec_vli()`): 7 bits a byte, at most 9
/// bytes, no needless trailing zero byte.
fn vli(data: &[u8], at: &mut usize, end: usize) -> std::result::Result<u64, (usize, String)> {
    let start = *at;
    let mut value = 0u64;
    for i in 0..9 {
        let Some(&b) = data[..end].get(*at) else {
            return Err((start, "truncated variable-length integer".into()));
        };
        *at += 1;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err((
                    start,
                    "variable-length integer has a needless zero byte".into(),
                ));
            }
            return Ok(value);
        }
    }
    Err((start, "variable-length integer longer than 9 bytes".into()))
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Decompresses a whole `.xz` file (concatenated streams too), as
/// `xz -dc` does; `display` names it in errors.
///
/// When every stream uses CRC32, the output is allocated once at the
/// size the indexes give, liblzma skips the check, and each block's
/// CRC32 is verified here afterwards. Anything else (another check, or
/// a container [`blocks`] cannot read) is left whole to liblzma, whose
/// error then names the problem.
pub fn decode(data: &[u8], display: &str) -> Result<Vec<u8>> {
    let corrupt =
        |e: String| Error::malformed(display, Position::File, format!("corrupt xz data: {e}"));
    let layout = blocks(data, display)
        .ok()
        .filter(|b| b.iter().all(|b| b.check == CHECK_CRC32));
    let total: u64 = layout
        .iter()
        .flatten()
        .map(|b| b.uncompressed_size)
        .fold(0, u64::saturating_add);
    // Trust a size for the allocation only as far as LZMA2 could reach
    // from this input, and at most 1 GiB (a hostile index may claim any
    // size); a reservation that fails is no error, the output then grows
    // as it is decoded (and `read_to_end` reports running out of memory).
    let capacity = if layout.is_some() {
        total
            .min((data.len() as u64).saturating_mul(1024))
            .min(1 << 30) as usize
    } else {
        data.len().saturating_mul(6).min(1 << 30)
    };
    let mut out = Vec::new();
    let _ = out.try_reserve_exact(capacity);
    let flags = liblzma::stream::CONCATENATED
        | if layout.is_some() {
            liblzma::stream::IGNORE_CHECK
        } else {
            0
        };
    let stream = liblzma::stream::Stream::new_stream_decoder(u64::MAX, flags)
        .map_err(|e| corrupt(e.to_string()))?;
    use std::io::Read;
    liblzma::bufread::XzDecoder::new_stream(data, stream)
        .read_to_end(&mut out)
        .map_err(|e| corrupt(e.to_string()))?;
    if let Some(layout) = layout {
        // liblzma has matched the blocks against the indexes, so each
        // block's output and check are where the index puts them.
        let mut from = 0usize;
        for (i, block) in layout.iter().enumerate() {
            let to = usize::try_from(block.uncompressed_size)
                .map_or(usize::MAX, |n| from.saturating_add(n));
            let check_at = block.check_offset();
            let stored = le32(&data[check_at..check_at + 4]);
            if out.get(from..to).map(crc32fast::hash) != Some(stored) {
                return Err(Error::malformed(
                    display,
                    Position::Offset(check_at as u64),
                    format!("corrupt xz data: block {i}'s CRC32 does not match its data"),
                ));
            }
            from = to;
        }
        if from != out.len() {
            return Err(corrupt(
                "the indexes do not account for all the data".into(),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xz(data: &[u8], check: liblzma::stream::Check) -> Vec<u8> {
        let s = liblzma::stream::Stream::new_easy_encoder(6, check).unwrap();
        let mut e = liblzma::write::XzEncoder::new_stream(Vec::new(), s);
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| (i * 7 % 251) as u8 ^ (i / 1000) as u8)
            .collect()
    }

    #[test]
    fn crc32_streams_are_read_from_their_indexes() {
        let a = text(300_000);
        let b = text(1000);
        let mut file = xz(&a, liblzma::stream::Check::Crc32);
        file.extend([0; 8]); // stream padding
        file.extend(xz(&b, liblzma::stream::Check::Crc32));
        let blocks = blocks(&file, "t.xz").unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].offset, 12);
        assert_eq!(
            (blocks[0].uncompressed_size, blocks[1].uncompressed_size),
            (300_000, 1000)
        );
        let out = decode(&file, "t.xz").unwrap();
        assert_eq!(out, [a, b].concat());
        assert_eq!(
            out.capacity(),
            out.len(),
            "one allocation of the exact size"
        );
    }

    #[test]
    fn a_wrong_block_crc32_is_an_error_at_the_check() {
        let mut file = xz(&text(5000), liblzma::stream::Check::Crc32);
        // One block: its CRC32 ends where the index starts, which the
        // footer's backward size gives.
        let n = file.len();
        let index_size = (le32(&file[n - 8..n - 4]) as usize + 1) * 4;
        let check_at = n - HEADER_SIZE - index_size - 4;
        assert_eq!(blocks(&file, "t.xz").unwrap()[0].check_offset(), check_at);
        file[check_at] ^= 1;
        let e = decode(&file, "t.xz").unwrap_err().to_string();
        assert!(e.contains(&format!("at offset {check_at:#x}")), "{e}");
        assert!(e.contains("CRC32 does not match"), "{e}");
    }

    #[test]
    fn other_checks_and_damaged_containers_are_left_to_liblzma() {
        let data = text(20_000);
        for check in [
            liblzma::stream::Check::None,
            liblzma::stream::Check::Crc64,
            liblzma::stream::Check::Sha256,
        ] {
            let file = xz(&data, check);
            assert!(blocks(&file, "t.xz").is_ok());
            assert_eq!(decode(&file, "t.xz").unwrap(), data);
        }
        let mut file = xz(&data, liblzma::stream::Check::Crc64);
        let n = file.len();
        file[n - 20] ^= 0x40; // in the index or the block's check
        assert!(decode(&file, "t.xz").is_err());
        let file = xz(&data, liblzma::stream::Check::Crc32);
        for cut in [1, 4, 12, file.len() / 2] {
            assert!(
                decode(&file[..file.len() - cut], "t.xz").is_err(),
                "cut {cut}"
            );
        }
    }

    /// An index rewritten to claim `claim` bytes for the only block, with
    /// its CRC32, the footer's backward size and the footer's CRC32 redone.
    fn with_claimed_size(file: &[u8], claim: u64) -> Vec<u8> {
        let block = blocks(file, "t.xz").unwrap()[0];
        let index_at = block.end();
        let vli = |mut v: u64, out: &mut Vec<u8>| loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        };
        let mut index = vec![0u8];
        vli(1, &mut index);
        vli(block.unpadded_size, &mut index);
        vli(claim, &mut index);
        while index.len() % 4 != 0 {
            index.push(0);
        }
        index.extend(crc32fast::hash(&index).to_le_bytes());
        let mut out = file[..index_at].to_vec();
        out.extend(&index);
        let mut tail = ((index.len() / 4 - 1) as u32).to_le_bytes().to_vec();
        tail.extend(&file[file.len() - 4..file.len() - 2]); // stream flags
        out.extend(crc32fast::hash(&tail).to_le_bytes());
        out.extend(tail);
        out.extend(FOOTER_MAGIC);
        out
    }

    #[test]
    fn an_index_claiming_a_terabyte_is_an_error_not_an_allocation() {
        let file = xz(&text(5000), liblzma::stream::Check::Crc32);
        assert_eq!(
            decode(&with_claimed_size(&file, 5000), "t.xz").unwrap(),
            text(5000)
        );
        let lie = with_claimed_size(&file, 1 << 40);
        assert_eq!(blocks(&lie, "t.xz").unwrap()[0].uncompressed_size, 1 << 40);
        let e = decode(&lie, "t.xz").unwrap_err().to_string();
        assert!(e.contains("corrupt xz data"), "{e}");
    }

    #[test]
    fn check_sizes_follow_the_format_table() {
        let sizes: Vec<usize> = (0..=15).map(check_size).collect();
        assert_eq!(
            sizes,
            [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64]
        );
    }
}
