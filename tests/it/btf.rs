//! The BTF reader against bpftool (libbpf's reader) on the BTF pahole
//! makes: every record of base BTF (a vmlinux's `.BTF`, a detached raw
//! file) and of split BTF (a module over its vmlinux) printed as `bpftool
//! btf dump file F format raw` prints it; bad BTF is a positioned error.

use crate::fixture::Corpus;
use crate::util::{tool, Rng};
use modver::btf::{btf_blob, parse, render_raw, Btf};
use std::path::Path;

fn image(path: &Path) -> Vec<u8> {
    modver::bzimage::open_image(path).unwrap().data
}

fn bpftool(args: &[&Path]) -> String {
    let mut c = tool("bpftool");
    c.args(["btf", "dump", "file"]).arg(args[0]);
    if let Some(base) = args.get(1) {
        c.arg("-B").arg(base);
    }
    c.args(["format", "raw"]).ok().stdout_str()
}

fn base_btf<'a>(data: &'a [u8], name: &str) -> Btf<'a> {
    let (blob, origin) = btf_blob(data, name).unwrap();
    parse(blob, name, origin, None).unwrap()
}

#[test]
fn base_and_split_btf_read_as_bpftool_reads_them() {
    let root = Corpus::Btf.dir();
    for b in ["v1", "v2"] {
        let d = root.join(b);
        for f in ["vmlinux", "vmlinux.btf"] {
            let data = image(&d.join(f));
            let btf = base_btf(&data, f);
            assert!(btf.types.len() > 60, "{b}/{f}");
            assert_eq!(render_raw(&btf), bpftool(&[&d.join(f)]), "{b}/{f}");
        }
        let vmlinux = image(&d.join("vmlinux"));
        let base = base_btf(&vmlinux, "vmlinux");
        let module = image(&d.join("module.o"));
        let (blob, origin) = btf_blob(&module, "module.o").unwrap();
        let split = parse(blob, "module.o", origin, Some(&base)).unwrap();
        assert_eq!(split.first_id, base.type_count());
        let ours = render_raw(&split);
        assert!(ours.contains("STRUCT 'mod_priv'"), "{ours}");
        assert_eq!(ours, bpftool(&[&d.join("module.o"), &d.join("vmlinux")]));
    }
}

#[test]
fn bad_btf_is_a_positioned_error_never_a_panic() {
    let d = Corpus::Btf.dir().join("v1");
    let raw = std::fs::read(d.join("vmlinux.btf")).unwrap();
    for cut in 0..raw.len() {
        let err = parse(&raw[..cut], "t.btf", 0, None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.btf: at offset 0x"), "cut {cut}: {err}");
    }
    let mut rng = Rng(0x5eed_b7f0_0014);
    let mut parsed = 0;
    for _ in 0..20000 {
        let m = rng.mutate(&raw, 4, None);
        if let Ok(btf) = parse(&m, "m", 0, None) {
            parsed += 1;
            let _ = render_raw(&btf);
        }
    }
    assert!(parsed > 0, "no mutant parsed: the mutation is too coarse");
    // Split BTF without its base, or over the wrong one: refused, naming
    // the record and the id it cannot resolve.
    let module = std::fs::read(d.join("module.o")).unwrap();
    let (blob, origin) = btf_blob(&module, "module.o").unwrap();
    let err = parse(blob, "module.o", origin, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("split BTF needs its base"), "{err}");
    // A one-type base: `int`.
    let mut tiny = vec![0x9f, 0xeb, 1, 0];
    for v in [24u32, 0, 16, 16, 5] {
        tiny.extend(v.to_le_bytes());
    }
    for v in [1u32, 1 << 24, 4, 32 | (1 << 24)] {
        tiny.extend(v.to_le_bytes());
    }
    tiny.extend(b"\0int\0");
    let tiny = parse(&tiny, "tiny.btf", 0, None).unwrap();
    assert_eq!(
        render_raw(&tiny),
        "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
    );
    let err = parse(blob, "module.o", origin, Some(&tiny))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("module.o: at offset 0x") && err.contains("base"),
        "{err}"
    );
}
