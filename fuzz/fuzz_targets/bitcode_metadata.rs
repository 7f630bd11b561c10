//! The native debug-info metadata reader (bitstream blocks, BLOCKINFO,
//! metadata records, attachments) and its lowering to DIEs: any bytes give
//! modules or a positioned error, never a panic; every reference handed
//! out is looked up, and every module read is lowered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::bitcode::metadata::{self, Field};
use modver::metadata_dwarf::{self, Lowering};

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
                let _ = m.section_bytes(b".discard.gendwarfksyms.kabi_rules");
                let _ = metadata_dwarf::lower(m, Lowering::for_module(m));
            }
        }
        Err(e) => {
            let _ = (e.offset(), e.is_unsupported(), e.to_string());
        }
    }
});
