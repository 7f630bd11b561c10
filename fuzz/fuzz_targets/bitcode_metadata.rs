//! The native debug-info metadata reader (bitstream blocks, BLOCKINFO,
//! metadata records, attachments): any bytes give modules or a positioned
//! error, never a panic; what it returns is walked so that every
//! reference it hands out is checked to be in range.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::bitcode::metadata::{self, Field};

fuzz_target!(|data: &[u8]| {
    match metadata::read(data) {
        Ok(modules) => {
            for m in &modules {
                for node in &m.nodes {
                    for (_, f) in node.md.fields().map(|(_, f)| f).unwrap_or_default() {
                        if let Field::Ref(Some(id)) = f {
                            let _ = m.node(id);
                        }
                    }
                }
                for g in &m.globals {
                    for id in m.dbg(g) {
                        let _ = m.node(id);
                    }
                }
            }
        }
        Err(e) => {
            let _ = (e.offset(), e.is_unsupported(), e.to_string());
        }
    }
});
