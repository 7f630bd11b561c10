//! vmlinux out of an x86 `bzImage` (`/boot/vmlinuz-*`), what the kernel's
//! `scripts/extract-vmlinux` does, but from the boot setup header
//! (`Documentation/arch/x86/boot.rst`, `arch/x86/boot/header.S`) instead of
//! scanning for compression magic: `setup_sects` gives where the
//! protected-mode code starts, `payload_offset`/`payload_length` (boot
//! protocol ≥ 2.08) where the compressed `vmlinux.bin` lies in it.
//!
//! Payloads are decoded by the crates modver already uses for `.ko.*`
//! (`flate2`, `liblzma` — liblzma also decodes `.lzma` — and `zstd`), and by
//! `bzip2` (libbz2-rs) and `lz4_flex` (LZ4 blocks; the legacy framing
//! around them is the kernel's `lib/decompress_unlz4.c`, read here).

use crate::error::{Error, Position, Result};
use std::io::Read;

/// The compression of a bzImage payload (`CONFIG_KERNEL_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadCompression {
    /// `CONFIG_KERNEL_GZIP`.
    Gzip,
    /// `CONFIG_KERNEL_XZ`.
    Xz,
    /// `CONFIG_KERNEL_ZSTD`.
    Zstd,
    /// `CONFIG_KERNEL_LZMA` (`.lzma`, "lzma alone").
    Lzma,
    /// `CONFIG_KERNEL_BZIP2`.
    Bzip2,
    /// `CONFIG_KERNEL_LZ4` (legacy frame).
    Lz4,
}

const HDRS_MAGIC_OFFSET: usize = 0x202;
const SETUP_SECTS_OFFSET: usize = 0x1f1;
const VERSION_OFFSET: usize = 0x206;
const PAYLOAD_OFFSET_OFFSET: usize = 0x248;
const PAYLOAD_LENGTH_OFFSET: usize = 0x24c;

/// Whether `data` starts with an x86 boot sector carrying the `HdrS`
/// setup header signature.
pub fn is_bzimage(data: &[u8]) -> bool {
    data.get(HDRS_MAGIC_OFFSET..HDRS_MAGIC_OFFSET + 4) == Some(b"HdrS")
}

fn le16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn le32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Recognises a payload's compression by its magic bytes (as
/// `scripts/extract-vmlinux` does).
pub fn detect_payload(payload: &[u8]) -> Option<PayloadCompression> {
    let m = |magic: &[u8]| payload.starts_with(magic);
    if m(&[0x1f, 0x8b]) {
        Some(PayloadCompression::Gzip)
    } else if m(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(PayloadCompression::Xz)
    } else if m(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(PayloadCompression::Zstd)
    } else if m(&[0x5d, 0, 0]) {
        Some(PayloadCompression::Lzma)
    } else if m(b"BZh") {
        Some(PayloadCompression::Bzip2)
    } else if m(&[0x02, 0x21, 0x4c, 0x18]) {
        Some(PayloadCompression::Lz4)
    } else {
        None
    }
}

/// The compressed payload of a bzImage and where it starts in the file.
pub fn payload<'a>(data: &'a [u8], display: &str) -> Result<(&'a [u8], usize)> {
    let bad = |at: usize, msg: String| Error::malformed(display, Position::Offset(at as u64), msg);
    if !is_bzimage(data) {
        return Err(bad(
            HDRS_MAGIC_OFFSET,
            "not a bzImage (expected the \"HdrS\" setup header signature)".into(),
        ));
    }
    let version = le16(data, VERSION_OFFSET)
        .ok_or_else(|| bad(VERSION_OFFSET, "truncated setup header".into()))?;
    if version < 0x0208 {
        return Err(bad(
            VERSION_OFFSET,
            format!(
                "boot protocol {}.{:02} has no payload_offset (expected >= 2.08)",
                version >> 8,
                version & 0xff
            ),
        ));
    }
    let sects = match data[SETUP_SECTS_OFFSET] {
        0 => 4,
        n => n as usize,
    };
    let pm_start = (sects + 1) * 512;
    let off = le32(data, PAYLOAD_OFFSET_OFFSET)
        .ok_or_else(|| bad(PAYLOAD_OFFSET_OFFSET, "truncated setup header".into()))?
        as usize;
    let len = le32(data, PAYLOAD_LENGTH_OFFSET)
        .ok_or_else(|| bad(PAYLOAD_LENGTH_OFFSET, "truncated setup header".into()))?
        as usize;
    let start = pm_start.saturating_add(off);
    let end = start.saturating_add(len);
    match data.get(start..end) {
        Some(p) => Ok((p, start)),
        None => Err(bad(
            PAYLOAD_OFFSET_OFFSET,
            format!(
                "payload at {start:#x}..{end:#x} lies past the end of the file ({:#x} bytes)",
                data.len()
            ),
        )),
    }
}

/// Decodes one xz/lzma stream from the start of `input`, ignoring what
/// follows its end (the size the kernel's build appends).
fn liblzma_one_stream(
    mut s: liblzma::stream::Stream,
    input: &[u8],
    out: &mut Vec<u8>,
) -> std::io::Result<usize> {
    loop {
        let before_in = s.total_in() as usize;
        let rest = input.get(before_in..).unwrap_or(&[]);
        if out.capacity() - out.len() < 1 << 16 {
            out.reserve(1 << 20);
        }
        let status = s
            .process_vec(rest, out, liblzma::stream::Action::Finish)
            .map_err(std::io::Error::other)?;
        if status == liblzma::stream::Status::StreamEnd {
            return Ok(out.len());
        }
        if rest.is_empty() && s.total_in() as usize == before_in {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "stream ends early",
            ));
        }
    }
}

/// Decodes one bzip2 stream from the start of `input` (`bunzip2`), ignoring
/// what follows its end; the bytes of `input` it took.
fn bzip2_one_stream(input: &[u8], out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut d = bzip2::Decompress::new(false);
    loop {
        let rest = input.get(d.total_in() as usize..).unwrap_or(&[]);
        if out.capacity() - out.len() < 1 << 16 {
            out.reserve(1 << 20);
        }
        let (before_in, before_out) = (d.total_in(), d.total_out());
        match d.decompress_vec(rest, out).map_err(std::io::Error::other)? {
            bzip2::Status::StreamEnd => return Ok(d.total_in() as usize),
            _ if d.total_in() == before_in && d.total_out() == before_out => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("stream ends early, after {before_in} bytes"),
                ));
            }
            _ => {}
        }
    }
}

/// `ARCHIVE_MAGICNUMBER` of LZ4's legacy frame (`lz4 -l`).
const LZ4_LEGACY_MAGIC: u32 = 0x184c_2102;
/// The most one legacy-frame block decompresses to
/// (`LZ4_DEFAULT_UNCOMPRESSED_CHUNK_SIZE`).
const LZ4_LEGACY_BLOCK: usize = 8 << 20;

/// The kernel's `unlz4` as the boot decompressor runs it: `lz4 -l` output
/// (the magic, then blocks each after its 32-bit little-endian compressed
/// size; the magic again where streams were concatenated) followed by the
/// 4-byte uncompressed size `size_append` adds, which must match; the
/// bytes of `input` it took (all).
fn lz4_legacy(input: &[u8], out: &mut Vec<u8>) -> std::io::Result<usize> {
    let err = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidData, msg);
    let word = |at: usize| {
        input
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(stream_end) = input.len().checked_sub(4).filter(|&n| n >= 4) else {
        return Err(err(format!(
            "{} bytes: expected the magic, blocks and the 4-byte size",
            input.len()
        )));
    };
    let size = word(stream_end).unwrap_or(0) as usize;
    let mut at = 4; // past the magic detect_payload saw
    while at < stream_end {
        let Some(len) = word(at).filter(|_| at + 4 <= stream_end) else {
            return Err(err(format!(
                "block size at {at:#x} runs into the appended size"
            )));
        };
        at += 4;
        if len == LZ4_LEGACY_MAGIC {
            continue;
        }
        let block = input
            .get(at..at.saturating_add(len as usize))
            .filter(|_| at + len as usize <= stream_end)
            .ok_or_else(|| {
                err(format!(
                    "block of {len} bytes at {:#x} runs past the stream's end ({stream_end:#x})",
                    at - 4
                ))
            })?;
        // An LZ4 block expands at most 255-fold (a match-length byte of
        // 255): no need to clear 8 MiB for each of many tiny blocks.
        let room = LZ4_LEGACY_BLOCK.min(block.len().saturating_mul(256).saturating_add(64));
        let start = out.len();
        out.resize(start + room, 0);
        let n = lz4_flex::block::decompress_into(block, &mut out[start..])
            .map_err(|e| err(format!("block at {:#x}: {e}", at - 4)))?;
        out.truncate(start + n);
        at += block.len();
    }
    if out.len() != size {
        return Err(err(format!(
            "decompressed to {} bytes, but the size appended after the stream says {size}",
            out.len()
        )));
    }
    Ok(input.len())
}

/// The uncompressed `vmlinux` (an ELF image, possibly followed by
/// `vmlinux.relocs`) out of a bzImage, and the payload's compression.
pub fn extract_vmlinux(data: &[u8], display: &str) -> Result<(Vec<u8>, PayloadCompression)> {
    let (p, start) = payload(data, display)?;
    let bad = |msg: String| Error::malformed(display, Position::Offset(start as u64), msg);
    let kind = detect_payload(p).ok_or_else(|| {
        bad(
            "unknown payload compression (expected gzip, xz, zstd, lzma, bzip2 or lz4 magic)"
                .into(),
        )
    })?;
    let mut out = Vec::with_capacity(p.len().saturating_mul(4));
    // The kernel appends the uncompressed size after gzip/lzma streams:
    // single-stream decoders that stop at the end of the stream.
    let res = match kind {
        PayloadCompression::Gzip => flate2::read::GzDecoder::new(p).read_to_end(&mut out),
        PayloadCompression::Xz => liblzma::stream::Stream::new_stream_decoder(u64::MAX, 0)
            .map_err(std::io::Error::other)
            .and_then(|s| liblzma_one_stream(s, p, &mut out)),
        PayloadCompression::Lzma => liblzma::stream::Stream::new_lzma_decoder(u64::MAX)
            .map_err(std::io::Error::other)
            .and_then(|s| liblzma_one_stream(s, p, &mut out)),
        // One frame: the appended size is not a second one.
        PayloadCompression::Zstd => zstd::stream::read::Decoder::with_buffer(p)
            .map(|d| d.single_frame())
            .and_then(|mut d| d.read_to_end(&mut out)),
        PayloadCompression::Bzip2 => bzip2_one_stream(p, &mut out),
        PayloadCompression::Lz4 => lz4_legacy(p, &mut out),
    };
    res.map_err(|e| bad(format!("corrupt {kind:?} payload: {e}")))?;
    if !out.starts_with(b"\x7fELF") {
        return Err(bad(format!(
            "{kind:?} payload does not decompress to an ELF vmlinux"
        )));
    }
    Ok((out, kind))
}

/// Opens a kernel image as `modver` takes one wherever it takes a
/// `vmlinux`: an ELF `vmlinux`, a `.ko` (compressed or not, through
/// [`crate::kmodule::ModuleFile`]), or a bzImage (`/boot/vmlinuz-R`), whose
/// vmlinux is extracted. Any other bytes (a raw BTF file) are returned as
/// they are.
pub fn open_image(path: &std::path::Path) -> Result<crate::kmodule::ModuleFile> {
    let mut file = crate::kmodule::ModuleFile::open(path)?;
    if is_bzimage(&file.data) {
        file.data =
            crate::kmodule::ModuleBytes::Owned(extract_vmlinux(&file.data, &file.display)?.0);
        file.display = format!("{} (vmlinux)", file.display);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A bzImage-shaped file: boot sector with `setup_sects` = 1, the
    /// `HdrS` header of protocol 2.15, and `payload` 0x40 bytes into the
    /// protected-mode code, followed by the 4-byte size the kernel appends.
    fn bzimage(payload: &[u8]) -> Vec<u8> {
        let mut img = vec![0u8; 1024 + 0x40];
        img[SETUP_SECTS_OFFSET] = 1;
        img[HDRS_MAGIC_OFFSET..HDRS_MAGIC_OFFSET + 4].copy_from_slice(b"HdrS");
        img[VERSION_OFFSET..VERSION_OFFSET + 2].copy_from_slice(&0x020fu16.to_le_bytes());
        img[PAYLOAD_OFFSET_OFFSET..PAYLOAD_OFFSET_OFFSET + 4]
            .copy_from_slice(&0x40u32.to_le_bytes());
        let len = payload.len() as u32 + 4;
        img[PAYLOAD_LENGTH_OFFSET..PAYLOAD_LENGTH_OFFSET + 4].copy_from_slice(&len.to_le_bytes());
        img.extend_from_slice(payload);
        img.extend_from_slice(&[0x11, 0x22, 0x33, 0x44]);
        img
    }

    fn vmlinux() -> Vec<u8> {
        let mut v = b"\x7fELF\x02\x01\x01".to_vec();
        v.extend((0..5000u32).map(|i| (i % 251) as u8));
        v
    }

    fn check(payload: Vec<u8>, kind: PayloadCompression) {
        let (out, k) = extract_vmlinux(&bzimage(&payload), "t").unwrap();
        assert_eq!(k, kind);
        assert_eq!(out, vmlinux());
    }

    #[test]
    fn gzip_payload() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vmlinux()).unwrap();
        check(e.finish().unwrap(), PayloadCompression::Gzip);
    }

    #[test]
    fn xz_payload() {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
        e.write_all(&vmlinux()).unwrap();
        check(e.finish().unwrap(), PayloadCompression::Xz);
    }

    #[test]
    fn zstd_payload() {
        let z = zstd::bulk::compress(&vmlinux()[..], 3).unwrap();
        check(z, PayloadCompression::Zstd);
    }

    #[test]
    fn lzma_payload() {
        let opts = liblzma::stream::LzmaOptions::new_preset(6).unwrap();
        let s = liblzma::stream::Stream::new_lzma_encoder(&opts).unwrap();
        let mut e = liblzma::write::XzEncoder::new_stream(Vec::new(), s);
        e.write_all(&vmlinux()).unwrap();
        check(e.finish().unwrap(), PayloadCompression::Lzma);
    }

    #[test]
    fn bzip2_payload() {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        e.write_all(&vmlinux()).unwrap();
        check(e.finish().unwrap(), PayloadCompression::Bzip2);
    }

    /// `lz4 -l` framing around `blocks`, each compressed on its own, with
    /// the magic again between them if `magic_between` (concatenated
    /// streams); the caller appends the size.
    fn lz4_legacy_frame(blocks: &[&[u8]], magic_between: bool) -> Vec<u8> {
        let mut f = LZ4_LEGACY_MAGIC.to_le_bytes().to_vec();
        for (i, b) in blocks.iter().enumerate() {
            if magic_between && i > 0 {
                f.extend_from_slice(&LZ4_LEGACY_MAGIC.to_le_bytes());
            }
            let c = lz4_flex::block::compress(b);
            f.extend_from_slice(&(c.len() as u32).to_le_bytes());
            f.extend_from_slice(&c);
        }
        f
    }

    #[test]
    fn lz4_legacy_payload_blocks_and_size() {
        let v = vmlinux();
        let (a, b) = v.split_at(3000);
        for magic_between in [false, true] {
            let mut p = lz4_legacy_frame(&[a, b], magic_between);
            p.extend_from_slice(&(v.len() as u32).to_le_bytes());
            // bzimage() appends 4 more bytes after payload_length's end:
            // they are outside the payload.
            let (out, k) = extract_vmlinux(&bzimage_exact(&p), "t").unwrap();
            assert_eq!((out, k), (v.clone(), PayloadCompression::Lz4));
        }
        // A wrong appended size, a truncated block, a bad block.
        let mut p = lz4_legacy_frame(&[a, b], false);
        p.extend_from_slice(&(v.len() as u32 + 1).to_le_bytes());
        let e = extract_vmlinux(&bzimage_exact(&p), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("size appended"), "{e}");
        let cut = [&p[..p.len() - 20], &p[p.len() - 4..]].concat();
        let e = extract_vmlinux(&bzimage_exact(&cut), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("runs past"), "{e}");
        let mut bad = p.clone();
        bad[9] = 0xff;
        assert!(extract_vmlinux(&bzimage_exact(&bad), "t").is_err());
        for n in 0..12 {
            assert!(
                extract_vmlinux(&bzimage_exact(&p[..n]), "t").is_err(),
                "{n} bytes"
            );
        }
    }

    /// A bzImage whose payload is exactly `payload` (no bytes after it).
    fn bzimage_exact(payload: &[u8]) -> Vec<u8> {
        let mut img = bzimage(payload);
        img.truncate(img.len() - 4);
        let len = payload.len() as u32;
        img[PAYLOAD_LENGTH_OFFSET..PAYLOAD_LENGTH_OFFSET + 4].copy_from_slice(&len.to_le_bytes());
        img
    }

    #[test]
    fn truncated_and_corrupt_payloads_are_positioned_errors() {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
        e.write_all(&vmlinux()).unwrap();
        let img = bzimage(&e.finish().unwrap());
        for cut in [0x100, 0x203, 0x250, 1024 + 0x40 + 20, img.len() - 1] {
            assert!(extract_vmlinux(&img[..cut], "t").is_err(), "cut at {cut}");
        }
        let mut bad = img.clone();
        let mid = 1024 + 0x40 + 40;
        bad[mid] ^= 0xff;
        let err = extract_vmlinux(&bad, "t").unwrap_err().to_string();
        assert!(err.contains("Xz payload"), "{err}");
    }
}
