//! The `.xz` container reader: any bytes give a stream layout or a
//! positioned error, never a panic; and whenever `xz::decode` (CRC32
//! checked from the indexes) accepts the bytes, liblzma with its own
//! checks gives the same output.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let _ = modver::xz::blocks(data, "fuzz.xz");
    if let Ok(out) = modver::xz::decode(data, "fuzz.xz") {
        let mut plain = Vec::new();
        liblzma::bufread::XzDecoder::new_multi_decoder(data)
            .read_to_end(&mut plain)
            .expect("liblzma rejects what xz::decode accepted");
        assert_eq!(out, plain);
    }
});
