//! The BTF reader against bpftool (libbpf's reader) on the BTF pahole
//! makes: every record of base BTF (a vmlinux's `.BTF`, a detached raw
//! file) and of split BTF (a module over its vmlinux) printed as `bpftool
//! btf dump file F format raw` prints it; bad BTF is a positioned error.

use crate::fixture::{Corpus, Scratch};
use crate::util::{modver, tool, Rng};
use modver::btf::{btf_blob, parse, render_raw, Btf};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn image(path: &Path) -> Vec<u8> {
    modver::bzimage::open_image(path).unwrap().data.to_vec()
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

/// `(type, member, change)` of every member change explain reports, moves
/// aside (genksyms sees no offsets), by type.
fn member_changes(v: &serde_json::Value) -> BTreeMap<String, BTreeSet<(Option<String>, String)>> {
    let mut out: BTreeMap<String, BTreeSet<(Option<String>, String)>> = BTreeMap::new();
    for t in v["types"].as_array().unwrap() {
        let set = out
            .entry(t["symbol"].as_str().unwrap().to_string())
            .or_default();
        for m in t["members"].as_array().unwrap() {
            let change = m["change"].as_str().unwrap();
            if change != "moved" {
                set.insert((m["member"].as_str().map(String::from), change.to_string()));
            }
        }
    }
    out
}

/// Per export: CRCs and chains.
fn export_chains(
    v: &serde_json::Value,
) -> BTreeMap<String, (serde_json::Value, serde_json::Value, Vec<Vec<String>>)> {
    v["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let chains = e["chains"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    c.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string())
                        .collect()
                })
                .collect();
            (
                e["symbol"].as_str().unwrap().to_string(),
                (e["old_crc"].clone(), e["new_crc"].clone(), chains),
            )
        })
        .collect()
}

/// The explained export `name` of an explain JSON report.
fn explained<'v>(v: &'v serde_json::Value, name: &str) -> &'v serde_json::Value {
    v["exports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["symbol"] == name)
        .unwrap_or_else(|| panic!("{name} not explained: {v}"))
}

fn explain_json(args: &[&str], dir: &Path) -> serde_json::Value {
    let out = modver()
        .current_dir(dir)
        .args(["explain", "--format", "json"])
        .args(args)
        .run();
    assert_eq!(out.code(), Some(1), "{args:?}: {}", out.stderr_str());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn explain_from_btf_names_what_explain_from_symtypes_names() {
    let root = Corpus::Btf.dir();
    let symtypes = explain_json(&["v1/exports.symtypes", "v2/exports.symtypes"], root);
    // A directory (BTF in vmlinux, CRCs from its Module.symvers), and a
    // raw BTF file with --symvers: the same report.
    let btf = explain_json(&["--btf", "v1", "v2"], root);
    let raw = explain_json(
        &[
            "--btf",
            "--symvers",
            "v1/Module.symvers",
            "v2/Module.symvers",
            "v1/vmlinux.btf",
            "v2/vmlinux.btf",
        ],
        root,
    );
    assert_eq!(btf, raw);
    let (s, b) = (export_chains(&symtypes), export_chains(&btf));
    assert_eq!(s.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(s.len() >= 9, "{s:?}");
    assert_eq!(s, b, "exports, CRCs and chains");
    let (sm, bm) = (member_changes(&symtypes), member_changes(&btf));
    assert_eq!(sm.keys().collect::<Vec<_>>(), bm.keys().collect::<Vec<_>>());
    for (t, changes) in &sm {
        // genksyms cannot name a member of an anonymous union; BTF names
        // the members inside it.
        let named: BTreeSet<_> = changes
            .iter()
            .filter(|(m, _)| m.is_some())
            .cloned()
            .collect();
        let theirs: BTreeSet<_> = if changes.iter().any(|(m, _)| m.is_none()) {
            bm[t]
                .iter()
                .filter(|(m, _)| named.iter().any(|(n, _)| n == m))
                .cloned()
                .collect()
        } else {
            bm[t].clone()
        };
        assert_eq!(named, theirs, "{t}");
    }
    let packet = &bm["s#packet"];
    assert!(
        packet.contains(&(Some("narrow".into()), "removed".into())),
        "{packet:?}"
    );
    assert!(
        packet.contains(&(Some("wide".into()), "added".into())),
        "{packet:?}"
    );
    // Offsets and sizes come with every member change.
    let widget = btf["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == "s#widget")
        .unwrap();
    assert_eq!(
        widget["members"][0]["new"],
        "unsigned int color (offset 16, size 4)"
    );
    // Root causes, most exports first: struct widget's new member.
    let rc = &btf["root_causes"][0];
    assert_eq!(
        (
            rc["type"].as_str(),
            rc["member"].as_str(),
            rc["count"].as_u64()
        ),
        (Some("s#widget"), Some("color"), Some(2))
    );
    // proto_change's own declaration changed: no type, a note.
    let proto = btf["exports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["symbol"] == "proto_change")
        .unwrap();
    assert_eq!(
        proto["note"],
        "declaration changed: int (int) -> int (int, long)"
    );
    // Without CRCs (vmlinux files: no __kcrctab in this fixture) the
    // exports are those that reach a changed type or whose prototype
    // changed: the same set.
    let nocrc = explain_json(&["--btf", "v1/vmlinux", "v2/vmlinux"], root);
    assert_eq!(
        export_chains(&nocrc).keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>()
    );
    // --symbol narrows; the text report groups by root cause.
    let out = modver()
        .current_dir(root)
        .args(["explain", "--btf", "--symbol", "holder_use", "v1", "v2"])
        .run();
    let text = out.stdout_str();
    assert!(
        text.contains("holder_use -> s#holder -> t#widget_t -> s#widget"),
        "{text}"
    );
    assert!(
        text.contains("s#widget: member color added: 1 export (holder_use)"),
        "{text}"
    );
    assert!(!text.contains("widget_get"), "{text}");
    // Identical kernels: nothing to explain.
    modver()
        .current_dir(root)
        .args(["explain", "--btf", "v1", "v1"])
        .code(0);
    // Bad input: exit 2, positioned.
    let bad = Scratch::new();
    let raw = std::fs::read(root.join("v1/vmlinux.btf")).unwrap();
    let cut = bad.write("cut.btf", &raw[..raw.len() / 2]);
    let out = modver()
        .args(["explain", "--btf"])
        .arg(&cut)
        .arg(root.join("v2"))
        .run();
    assert_eq!(out.code(), Some(2));
    assert!(
        out.stderr_str().contains("cut.btf: at offset 0x"),
        "{}",
        out.stderr_str()
    );
}

/// Explain from DWARF (`modver::btf_encoder`, what pahole -J would encode)
/// against explain from the BTF pahole made of that same DWARF (clang), and
/// against explain from symtypes on gcc's DWARF (an image without BTF is
/// read from its DWARF without `--dwarf`).
#[test]
fn explain_from_dwarf_names_what_explain_from_btf_names() {
    let root = Corpus::Btf.dir();
    let btf = explain_json(&["--btf", "v1", "v2"], root);
    let dwarf = explain_json(&["--btf", "--dwarf", "v1", "v2"], root);
    assert_eq!(btf, dwarf, "clang's DWARF and pahole's BTF of it");
    crate::util::require("gcc", "base");
    let dir = Scratch::new();
    for (b, defs) in [("v1", &[][..]), ("v2", &["-DV2"][..])] {
        std::fs::create_dir_all(dir.path().join(b)).unwrap();
        let obj = dir.path().join(b).join("exports.o");
        crate::util::tool("gcc")
            .args([
                "-g",
                "-O2",
                "-ffreestanding",
                "-nostdinc",
                "-fno-pic",
                "-fno-common",
                "-w",
            ])
            .args(defs)
            .arg("-c")
            .arg(crate::fixture::repo().join("testdata/btf/exports.c"))
            .arg("-o")
            .arg(&obj)
            .ok();
        crate::util::tool("ld.lld-19")
            .args(["-e", "0", "-o"])
            .arg(dir.path().join(b).join("vmlinux"))
            .arg(&obj)
            .ok();
        std::fs::copy(
            root.join(b).join("Module.symvers"),
            dir.path().join(b).join("Module.symvers"),
        )
        .unwrap();
    }
    let gcc = explain_json(&["--btf", "v1", "v2"], dir.path());
    let symtypes = explain_json(&["v1/exports.symtypes", "v2/exports.symtypes"], root);
    assert_eq!(
        export_chains(&gcc),
        export_chains(&symtypes),
        "exports, CRCs and chains"
    );
    assert_eq!(
        member_changes(&gcc).keys().collect::<Vec<_>>(),
        member_changes(&symtypes).keys().collect::<Vec<_>>()
    );
    assert_eq!(gcc["root_causes"], btf["root_causes"]);
    // gcc spells base types in full.
    let text = serde_json::to_string(&gcc).unwrap();
    assert!(text.contains("long int wide (offset 8, size 8)"), "{text}");
}

/// explain reads a kernel's DWARF one compile unit at a time (so that a
/// 600 MB debug vmlinux is not held whole), and all units together when
/// one refers into another, as an LTO link's do (`DW_FORM_ref_addr`):
/// either way, the same BTF as from the whole DWARF read at once.
#[test]
fn explain_reads_dwarf_unit_by_unit_as_it_would_whole() {
    use modver::dwarf::{read_object, read_units, UnitsRead};
    let dir = Scratch::new();
    let src = crate::fixture::repo().join("testdata/btf");
    for (name, lto) in [("plain", &[][..]), ("lto", &["-flto"][..])] {
        let mut objs = Vec::new();
        for c in ["exports.c", "consumer.c"] {
            let obj = dir.path().join(format!("{name}-{c}.o"));
            crate::util::tool("clang-19")
                .args(["--target=x86_64-linux-gnu", "-g", "-O2", "-ffreestanding"])
                .args(["-nostdinc", "-fno-pic", "-fno-common"])
                .args(lto)
                .arg("-c")
                .arg(src.join(c))
                .arg("-o")
                .arg(&obj)
                .ok();
            objs.push(obj);
        }
        let vmlinux = dir.path().join(format!("{name}-vmlinux"));
        // -u: kept, as exports are, rather than dropped by LTO.
        crate::util::tool("ld.lld-19")
            .args(["-u", "consumer_init", "-u", "widget_get", "-e", "0", "-o"])
            .arg(&vmlinux)
            .args(&objs)
            .ok();
        let data = std::fs::read(&vmlinux).unwrap();
        let mut units = 0;
        let image = modver::elf::ElfImage::parse(&data, name).unwrap();
        let read = read_units(&image, |_| units += 1).unwrap();
        if lto.is_empty() {
            assert_eq!((read, units), (UnitsRead::All, 2), "{name}");
        } else {
            assert!(
                matches!(read, UnitsRead::CrossUnitReference(_)),
                "{name}: {read:?}"
            );
        }
        let (a, b) = (bumpalo::Bump::new(), bumpalo::Bump::new());
        let whole = read_object(&data, name).unwrap();
        let mut once = modver::btf_encoder::BtfBuilder::new(&a, false);
        once.add(&whole.info);
        once.add_aliases(&modver::elf::ElfImage::parse(&data, name).unwrap());
        let once = once.finish(&format!("{name} (DWARF)")).0;
        let (by_unit, scopes) = modver::btf_encoder::encode_object(&data, name, &b).unwrap();
        assert_eq!(once.types, by_unit.types, "{name}");
        assert!(
            by_unit.types.iter().any(|t| t.name == "widget_get"),
            "{name}"
        );
        // Both units are known; consumer_init's is the second.
        assert_eq!(scopes.unit_of("consumer_init"), Some(1), "{name}");
    }
}

/// Runs `script(build, defines, symvers)` with bash in `dir` for the two
/// builds, `v1` and `v2` (`-DV2`). `symvers(module)` is a shell pipe stage
/// turning the real genksyms' output (6.1, run on preprocessed input from
/// stdin) into Module.symvers lines of `module`.
fn build_both(dir: &Path, script: impl Fn(&str, &str, &dyn Fn(&str) -> String) -> String) {
    let genksyms = crate::kbuild::genksyms("6.1");
    let symvers = |module: &str| {
        format!(
            "{} | awk '$1 == \"#SYMVER\" {{ printf \"%s\\t%s\\t{module}\\tEXPORT_SYMBOL\\t\\n\", $3, $2 }}'",
            genksyms.display()
        )
    };
    for (b, defs) in [("v1", ""), ("v2", "-DV2")] {
        tool("bash")
            .arg("-c")
            .arg(script(b, defs, &symvers))
            .current_dir(dir)
            .ok();
    }
}

/// What each unit saw: `inner.c` defines `struct inner`, `decl.c` only
/// declares it. A member added to it changes the real genksyms' CRC of
/// `use_outer` (inner.c) but not of `use_decl` (decl.c), and explain from
/// DWARF reports exactly the first; from BTF, which merges the units, it
/// would report both.
#[test]
fn explain_from_dwarf_follows_each_units_view_as_genksyms_does() {
    let dir = Scratch::new();
    // The types are in headers, as the kernel's are (genksyms records only
    // definitions from headers); EXPORT_SYMBOL is what genksyms (6.1)
    // versions, and the compiler never sees it.
    dir.write(
        "inner.h",
        "struct inner { int x;\n#ifdef V2\n int y;\n#endif\n};\n\
         struct outer { struct inner *p; };\n",
    );
    dir.write(
        "decl.h",
        "struct inner;\nstruct holder { struct inner *p; long n; };\n",
    );
    dir.write(
        "inner.c",
        "#include \"inner.h\"\n\
         int use_outer(struct outer *o) { return o->p->x; }\n\
         #ifdef __GENKSYMS__\n__GENKSYMS_EXPORT_SYMBOL(use_outer);\n#endif\n\
         struct local { int z;\n#ifdef V2\n int w;\n#endif\n};\n\
         int use_local(struct local *l) { return l->z; }\n\
         #ifdef __GENKSYMS__\n__GENKSYMS_EXPORT_SYMBOL(use_local);\n#endif\n\
         typedef int local_fn(struct inner *i);\n\
         int use_fn(local_fn *f) { return f(0); }\n\
         #ifdef __GENKSYMS__\n__GENKSYMS_EXPORT_SYMBOL(use_fn);\n#endif\n",
    );
    dir.write(
        "decl.c",
        "#include \"decl.h\"\n\
         long use_decl(struct holder *h) { return h->n; }\n\
         #ifdef __GENKSYMS__\n__GENKSYMS_EXPORT_SYMBOL(use_decl);\n#endif\n",
    );
    // A static function of the export's name in a third unit, which
    // defines neither struct: not the export (DW_AT_external tells).
    dir.write(
        "other.c",
        "__attribute__((noinline, used)) static long use_outer(long x) { return x + 1; }\n\
         long other(long x) { return use_outer(x); }\n",
    );
    build_both(dir.path(), |b, defs, symvers| {
        format!(
            "set -e; mkdir -p {b}; : > {b}/Module.symvers
             clang-19 --target=x86_64-linux-gnu -g -O2 -c other.c -o {b}/other.o
             for f in inner decl; do
               clang-19 -E -D__GENKSYMS__ {defs} $f.c | {s} >> {b}/Module.symvers
               clang-19 --target=x86_64-linux-gnu -g -O2 {defs} -c $f.c -o {b}/$f.o
             done
             ld.lld-19 -e 0 -o {b}/vmlinux {b}/inner.o {b}/decl.o {b}/other.o",
            s = symvers("vmlinux")
        )
    });
    let symvers =
        |b: &str| std::fs::read_to_string(dir.path().join(b).join("Module.symvers")).unwrap();
    let crc = |b: &str, s: &str| {
        symvers(b)
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(s))
            .map(|l| l.split('\t').next().unwrap().to_string())
            .unwrap_or_else(|| panic!("{s} not in {b}/Module.symvers: {}", symvers(b)))
    };
    assert_ne!(
        crc("v1", "use_outer"),
        crc("v2", "use_outer"),
        "genksyms: use_outer changes"
    );
    assert_eq!(
        crc("v1", "use_decl"),
        crc("v2", "use_decl"),
        "genksyms: use_decl does not"
    );
    // A struct defined in the .c file itself is UNKNOWN to genksyms.
    assert_eq!(
        crc("v1", "use_local"),
        crc("v2", "use_local"),
        "genksyms: use_local does not"
    );
    // A typedef defined there is expanded all the same (as net/ipv6/raw.c's
    // mh_filter_t is for rawv6_mh_filter_register).
    assert_ne!(
        crc("v1", "use_fn"),
        crc("v2", "use_fn"),
        "genksyms: use_fn changes"
    );
    let out = modver()
        .current_dir(dir.path())
        .args(["explain", "--btf", "--all", "--format", "json", "v1", "v2"])
        .run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr_str());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reported: Vec<&str> = v["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(reported, ["use_fn", "use_outer"], "{v}");
    assert_eq!(
        v["exports"][0]["chains"][0],
        serde_json::json!(["use_fn", "t#local_fn", "s#inner"])
    );
    assert_eq!(
        v["exports"][1]["chains"][0],
        serde_json::json!(["use_outer", "s#outer", "s#inner"])
    );
}

/// Module exports are explained from their module's split BTF over its
/// side's vmlinux BTF: a directory input with `kernel/` (lib/modules/R)
/// and a Module.symvers naming the exporting module.
#[test]
fn explain_from_btf_reads_module_exports_from_split_btf() {
    let root = Corpus::Btf.dir();
    let dir = Scratch::new();
    for (b, crc) in [("v1", "0x11111111"), ("v2", "0x22222222")] {
        let d = dir.path().join(b);
        std::fs::create_dir_all(d.join("kernel/drivers")).unwrap();
        std::fs::copy(root.join(b).join("vmlinux"), d.join("vmlinux")).unwrap();
        std::fs::copy(
            root.join(b).join("module.o"),
            d.join("kernel/drivers/mod.ko"),
        )
        .unwrap();
        let mut symvers = std::fs::read_to_string(root.join(b).join("Module.symvers")).unwrap();
        symvers.push_str(&format!("{crc}\tmod_use\tdrivers/mod\tEXPORT_SYMBOL\t\n"));
        std::fs::write(d.join("Module.symvers"), symvers).unwrap();
    }
    let v = explain_json(&["--btf", "v1", "v2"], dir.path());
    let m = explained(&v, "mod_use");
    assert_eq!(m["file"], "drivers/mod");
    assert_eq!(m["old_crc"], 0x11111111);
    assert_eq!(
        m["chains"][0],
        serde_json::json!(["mod_use", "s#mod_priv", "s#widget"])
    );
    // The vmlinux exports are still there, explained from vmlinux's BTF.
    let symtypes = explain_json(&["v1/exports.symtypes", "v2/exports.symtypes"], root);
    for e in symtypes["exports"].as_array().unwrap() {
        assert!(
            v["exports"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["symbol"] == e["symbol"]),
            "{} missing",
            e["symbol"]
        );
    }
}

/// With `--dwarf`, a directory input laid out as a distribution ships a
/// kernel (an image without DWARF, stripped modules) and its debug
/// package (`dbg/usr/lib/debug/lib/modules/R`: vmlinux and modules with
/// DWARF) is read from the debug package: vmlinux exports from its
/// vmlinux, module exports from each module's own DWARF, with that
/// module's view of the types. The module's CRCs are the real genksyms'.
#[test]
fn explain_from_dwarf_reads_module_exports_from_the_debug_package() {
    let root = Corpus::Btf.dir();
    let dir = Scratch::new();
    dir.write(
        "gadget.h",
        "struct gadget { int id;\n#ifdef V2\n long extra;\n#endif\n};\n\
         struct holder { struct gadget *g; };\n",
    );
    dir.write(
        "mod.c",
        "#include \"gadget.h\"\n\
         int mod_use(struct holder *h) { return h->g->id; }\n\
         int mod_alias(struct holder *h) __attribute__((alias(\"mod_use\")));\n\
         #ifdef __GENKSYMS__\n__GENKSYMS_EXPORT_SYMBOL(mod_use);\n\
         __GENKSYMS_EXPORT_SYMBOL(mod_alias);\n#endif\n",
    );
    build_both(dir.path(), |b, defs, symvers| {
        let dbg = format!("{b}/dbg/usr/lib/debug/lib/modules/6.1.0-t");
        format!(
            "set -e; mkdir -p {b}/modules/kernel/drivers {dbg}/kernel/drivers
             cp '{corpus}/{b}/vmlinux.btf' {b}/vmlinux.btf
             cp '{corpus}/{b}/vmlinux' {dbg}/vmlinux
             cp '{corpus}/{b}/Module.symvers' {b}/Module.symvers
             clang-19 -E -D__GENKSYMS__ {defs} mod.c | {s} >> {b}/Module.symvers
             clang-19 --target=x86_64-linux-gnu -g -O2 {defs} -c mod.c -o {dbg}/kernel/drivers/mod.ko
             llvm-strip-19 -g -o {b}/modules/kernel/drivers/mod.ko {dbg}/kernel/drivers/mod.ko",
            corpus = root.display(),
            s = symvers("drivers/mod")
        )
    });
    let v = explain_json(&["--btf", "--dwarf", "v1", "v2"], dir.path());
    let m = explained(&v, "mod_use");
    assert_eq!(m["file"], "drivers/mod");
    assert_ne!(m["old_crc"], m["new_crc"], "genksyms: mod_use changes");
    assert_eq!(
        m["chains"][0],
        serde_json::json!(["mod_use", "s#holder", "s#gadget"])
    );
    // An alias has no DWARF entry of its own: it is its target's.
    let a = explained(&v, "mod_alias");
    assert_ne!(a["old_crc"], a["new_crc"], "genksyms: mod_alias changes");
    assert_eq!(
        a["chains"][0],
        serde_json::json!(["mod_alias", "s#holder", "s#gadget"])
    );
    // vmlinux's exports, from the debug package's vmlinux: the same
    // chains as from its symtypes.
    let symtypes = explain_json(&["v1/exports.symtypes", "v2/exports.symtypes"], root);
    let vmlinux_only = |v: &serde_json::Value| {
        let mut v = v.clone();
        v["exports"]
            .as_array_mut()
            .unwrap()
            .retain(|e| !e["symbol"].as_str().unwrap().starts_with("mod_"));
        export_chains(&v)
    };
    assert_eq!(vmlinux_only(&v), export_chains(&symtypes));
    // The same from two build trees (modules.order, each .ko beside its
    // objects, DWARF in place).
    for b in ["v1", "v2"] {
        let t = dir.path().join("tree").join(b);
        std::fs::create_dir_all(t.join("drivers")).unwrap();
        let dbg = dir
            .path()
            .join(b)
            .join("dbg/usr/lib/debug/lib/modules/6.1.0-t");
        std::fs::copy(dbg.join("vmlinux"), t.join("vmlinux")).unwrap();
        std::fs::copy(dbg.join("kernel/drivers/mod.ko"), t.join("drivers/mod.ko")).unwrap();
        std::fs::copy(
            dir.path().join(b).join("Module.symvers"),
            t.join("Module.symvers"),
        )
        .unwrap();
        std::fs::write(t.join("modules.order"), "drivers/mod.o\n").unwrap();
    }
    let tree = explain_json(&["--btf", "--dwarf", "v1", "v2"], &dir.path().join("tree"));
    assert_eq!(export_chains(&tree), export_chains(&v));
}

#[test]
fn why_names_the_mismatched_imports_and_the_changed_types() {
    let root = Corpus::Btf.dir();
    let why = |module: &str, built_for: Option<&str>| {
        let mut c = modver();
        c.current_dir(root)
            .args(["why", "--format", "json", module])
            .args(["--vmlinux", "v2/vmlinux", "--symvers", "v2/Module.symvers"]);
        if let Some(b) = built_for {
            c.args(["--built-for", b]);
        }
        c.run()
    };
    // Built for v1, loaded on v2: the imports whose CRC changed are
    // mismatches, each explained; plain_add is fine.
    let out = why("v1/consumer.ko", Some("v1"));
    assert_eq!(out.code(), Some(1), "{}", out.stderr_str());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut mismatched: Vec<&str> = v["check"]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "mismatch")
        .map(|i| i["symbol"].as_str().unwrap())
        .collect();
    mismatched.sort();
    assert_eq!(mismatched, ["holder_use", "mode_set", "widget_get"]);
    let chains = export_chains(&v["explanation"]);
    assert_eq!(
        chains.keys().collect::<Vec<_>>(),
        mismatched.iter().collect::<Vec<_>>()
    );
    assert_eq!(
        chains["holder_use"].2,
        [["holder_use", "s#holder", "t#widget_t", "s#widget"]]
    );
    assert_eq!(chains["mode_set"].2, [["mode_set", "e#mode"]]);
    let causes = member_changes(&v["explanation"]);
    assert_eq!(
        causes["s#widget"],
        BTreeSet::from([(Some("color".into()), "added".into())])
    );
    // The text report: check's lines, then the explanation.
    let out = modver()
        .current_dir(root)
        .args(["why", "v1/consumer.ko", "--vmlinux", "v2/vmlinux"])
        .args([
            "--symvers",
            "v2/Module.symvers",
            "--built-for",
            "v1/vmlinux.btf",
        ])
        .run();
    let text = out.stdout_str();
    assert!(
        text.contains("mismatch: widget_get: module has 0x"),
        "{text}"
    );
    assert!(
        text.contains("s#widget: member color added: 2 exports (holder_use, widget_get)"),
        "{text}"
    );
    // Without --built-for: the mismatches, and what to give to explain them.
    let out = why("v1/consumer.ko", None);
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stdout_str().contains("--built-for"),
        "{}",
        out.stdout_str()
    );
    // Built for the target: it loads.
    assert_eq!(why("v2/consumer.ko", Some("v1")).code(), Some(0));
}
