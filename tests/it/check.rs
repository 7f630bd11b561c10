//! `modver dump-modversions` against `modprobe --dump-modversions`, and
//! `modver check` on the project's own two-build fixture and on Debian's
//! real module trees.

use crate::fixture::{debian_modules, Corpus};
use crate::golden::assert_golden;
use crate::util::{files_with_suffix, modver, tool, Rng, Run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn check_fixtures() -> &'static Path {
    Corpus::Check.dir()
}

fn modprobe_dump(path: &Path) -> Run {
    tool("modprobe").arg("--dump-modversions").arg(path).run()
}

fn dump(paths: &[PathBuf]) -> Run {
    modver().arg("dump-modversions").args(paths).run()
}

#[test]
fn dump_equals_modprobe_for_every_class_byte_order_and_compression() {
    let root = check_fixtures();
    let mut files = files_with_suffix(&root.join("targets"), ".ko");
    files.extend(files_with_suffix(&root.join("compressed"), ".xz"));
    files.extend(files_with_suffix(&root.join("compressed"), ".zst"));
    files.push(root.join("v1/consumer.ko"));
    assert!(files.len() >= 8, "{files:?}");
    for f in &files {
        let ours = dump(std::slice::from_ref(f));
        let theirs = modprobe_dump(f);
        assert!(
            theirs.status.success(),
            "modprobe failed on {}",
            f.display()
        );
        assert!(ours.status.success(), "modver failed on {}", f.display());
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "{}",
            f.display()
        );
    }
    // Debian's kmod is built without zlib: compare .ko.gz with the .ko.
    let gz = dump(&[root.join("compressed/consumer.ko.gz")]);
    assert!(gz.status.success());
    assert_eq!(
        gz.stdout,
        modprobe_dump(&root.join("v1/consumer.ko")).stdout
    );
    // Several modules: what a loop of modprobe calls prints.
    let all = dump(&files);
    let looped: Vec<u8> = files.iter().flat_map(|f| modprobe_dump(f).stdout).collect();
    assert_eq!(all.stdout, looped);
}

#[test]
fn extended_tables_are_what_the_kernel_checks() {
    let root = check_fixtures();
    let basic = modprobe_dump(&root.join("ext/basic.ko")).stdout;
    assert!(!basic.is_empty());
    assert_eq!(dump(&[root.join("ext/basic.ko")]).stdout, basic);
    assert_eq!(dump(&[root.join("ext/extended.ko")]).stdout, basic);
    // With both, the extended table (which also has the long name) wins.
    let both = dump(&[root.join("ext/both.ko")]);
    assert!(both.status.success());
    assert_eq!(
        String::from_utf8_lossy(&both.stdout),
        std::fs::read_to_string(root.join("ext/both.expected")).unwrap()
    );
}

/// symbol -> status from `check --format json`.
fn statuses(json: &[u8], module_suffix: &str) -> BTreeMap<String, String> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("JSON output");
    let m = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["path"].as_str().unwrap().ends_with(module_suffix))
        .expect("module in report");
    m["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["symbol"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expected_v1_against_v2() -> BTreeMap<String, String> {
    [
        ("widget_get", "mismatch"),
        ("holder_use", "mismatch"),
        ("plain_add", "ok"),
        ("gadget_poke", "ok"),
        ("raw_thing", "unversioned"),
        ("ghost_symbol", "missing"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

#[test]
fn check_names_exactly_the_imports_a_changed_struct_breaks() {
    let root = check_fixtures();
    // Providers as modules (their __ksymtab/__kcrctab) ...
    let out = modver()
        .current_dir(root)
        .args([
            "check",
            "--format",
            "json",
            "v1/consumer.ko",
            "v2/provider.ko",
            "v2/rawprov.ko",
        ])
        .run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        statuses(&out.stdout, "v1/consumer.ko"),
        expected_v1_against_v2()
    );
    // ... and from Module.symvers give the same verdicts.
    let out = modver()
        .current_dir(root)
        .args([
            "check",
            "--format",
            "json",
            "--symvers",
            "v2/Module.symvers",
            "v1/consumer.ko",
        ])
        .run();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        statuses(&out.stdout, "v1/consumer.ko"),
        expected_v1_against_v2()
    );
    // Text: one line per problem, naming symbol, both CRCs and the provider.
    let out = modver()
        .current_dir(root)
        .args(["check", "--symvers", "v2/Module.symvers", "v1/consumer.ko"])
        .run();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_golden("check/v1-consumer-vs-v2-symvers.txt", text.as_bytes());
    let v1 = std::fs::read_to_string(root.join("v1/Module.symvers")).unwrap();
    let v2 = std::fs::read_to_string(root.join("v2/Module.symvers")).unwrap();
    let crc = |t: &str, s: &str| {
        t.lines()
            .find(|l| l.split('\t').nth(1) == Some(s))
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_string()
    };
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for sym in ["widget_get", "holder_use"] {
        let l = lines
            .iter()
            .find(|l| l.contains(&format!(": {sym}:")))
            .unwrap();
        assert!(l.contains("mismatch"), "{l}");
        assert!(
            l.contains(&crc(&v1, sym)) && l.contains(&crc(&v2, sym)),
            "{l}"
        );
        assert!(l.contains("v2/Module.symvers"), "{l}");
    }
    // Providers from a linked vmlinux (CRCs read from __kcrctab at
    // addresses), the same stripped (entries read without .symtab) and
    // from a <= 5.18 style module (absolute __crc_ symbols).
    for provider in [
        &["--vmlinux", "v2/vmlinux"][..],
        &["--vmlinux", "v2/vmlinux.stripped"][..],
        &["v2/provider_abs.ko"][..],
    ] {
        let out = modver()
            .current_dir(root)
            .args([
                "check",
                "--format",
                "json",
                "v1/consumer.ko",
                "v2/rawprov.ko",
            ])
            .args(provider)
            .run();
        assert_eq!(out.status.code(), Some(1), "{provider:?}");
        assert_eq!(
            statuses(&out.stdout, "v1/consumer.ko"),
            expected_v1_against_v2(),
            "{provider:?}"
        );
    }
    // The same build is consistent with itself.
    for b in ["v1", "v2"] {
        let out = modver()
            .current_dir(root)
            .args(["check", "--symvers"])
            .arg(format!("{b}/Module.symvers"))
            .arg(format!("{b}/consumer.ko"))
            .run();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.lines()
                .all(|l| l.contains("ghost_symbol") || l.contains("raw_thing")),
            "{b}: {text}"
        );
    }
}

#[test]
fn bad_inputs_are_positioned_errors() {
    let root = check_fixtures();
    let bad = root.join("bad");
    let cases = [
        ("truncated.ko", "at offset 0x", "not a multiple of 64"),
        ("nonul.ko", "at offset 0x", "no NUL terminator"),
        ("corrupt.ko.xz", "corrupt.ko.xz", "corrupt xz data"),
    ];
    for (f, pos, what) in cases {
        let out = dump(&[bad.join(f)]);
        assert_eq!(out.status.code(), Some(2), "{f}");
        assert!(out.stdout.is_empty(), "{f}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(f) && err.contains(pos) && err.contains(what),
            "{f}: {err}"
        );
        // check reports it per module and still checks the others.
        let out = modver()
            .args(["check", "--symvers"])
            .arg(root.join("v1/Module.symvers"))
            .arg(bad.join(f))
            .arg(root.join("v1/consumer.ko"))
            .run();
        assert_eq!(out.status.code(), Some(1), "{f}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("{f}: error: ")) && text.contains(what),
            "{text}"
        );
        assert!(text.contains("ghost_symbol"), "{text}");
        // Nothing checkable: exit 2.
        let out = modver()
            .args(["check", "--symvers"])
            .arg(root.join("v1/Module.symvers"))
            .arg(bad.join(f))
            .run();
        assert_eq!(out.status.code(), Some(2), "{f}");
    }
    // A module without __versions: modprobe fails (ENOENT), so do we; check
    // says what it means.
    let nov = bad.join("noversions.ko");
    let (ours, theirs) = (dump(std::slice::from_ref(&nov)), modprobe_dump(&nov));
    assert!(!theirs.status.success() && theirs.stdout.is_empty());
    assert_eq!(ours.status.code(), Some(2));
    assert!(ours.stdout.is_empty());
    assert!(String::from_utf8_lossy(&ours.stderr).contains("no __versions section"));
    let out = modver()
        .args(["check", "--symvers"])
        .arg(root.join("v1/Module.symvers"))
        .arg(&nov)
        .run();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no __versions table"));
    // A malformed Module.symvers line: file:line:column, exit 2, no report.
    let out = modver()
        .args(["check", "--symvers"])
        .arg(bad.join("Module.symvers"))
        .arg(root.join("v1/consumer.ko"))
        .run();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Module.symvers:2:1: expected a CRC"), "{err}");
}

/// Every module of a Debian tree: dump-modversions equals modprobe (all
/// modules in one modver call vs one modprobe call per module), and check
/// against the tree's Module.symvers finds nothing.
fn debian_tree(series: &str, suffix: &str) {
    debian_tree_every(series, suffix, 1)
}

/// [`debian_tree`], comparing with modprobe only every `step`-th module
/// (`check` still reads all of them): modprobe's one process per module is
/// most of the test's time.
fn debian_tree_every(series: &str, suffix: &str, step: usize) {
    let root = debian_modules(series);
    let modules = files_with_suffix(&root.join("modules"), suffix);
    assert!(
        modules.len() > 3000,
        "{series}: only {} modules",
        modules.len()
    );
    let sample: Vec<PathBuf> = modules.iter().step_by(step).cloned().collect();
    let ours = dump(&sample);
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let mut pos = 0;
    for m in &sample {
        let theirs = modprobe_dump(m);
        assert!(
            theirs.status.success(),
            "modprobe failed on {}",
            m.display()
        );
        let end = pos + theirs.stdout.len();
        assert!(
            ours.stdout.get(pos..end) == Some(&theirs.stdout[..]),
            "{series}: dump of {} differs from modprobe",
            m.display()
        );
        pos = end;
    }
    assert_eq!(pos, ours.stdout.len());

    let out = modver()
        .arg("check")
        .arg("--symvers")
        .arg(root.join("Module.symvers"))
        .args(&modules)
        .run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{series}: {text}");
    assert!(text.is_empty(), "{series}: problems reported:\n{text}");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains(&format!(
            "{} modules (0 unreadable, 0 without __versions)",
            modules.len()
        )),
        "{summary}"
    );
}

#[test]
fn debian_6_1_every_module_dumps_like_modprobe_and_checks_clean() {
    debian_tree("6.1", ".ko");
}

#[test]
fn debian_6_12_compressed_modules_dump_like_modprobe_and_check_clean() {
    debian_tree("6.12", ".ko.xz");
}

#[test]
fn debian_6_12_zstd_modules_dump_like_modprobe_and_check_clean() {
    // The same modules as the .ko.xz test, recompressed: what is new here
    // is the zstd decoder, so modprobe checks every fourth (over 1000
    // modules) and CI's time goes to the other tests.
    debian_tree_every("6.12-zst", ".ko.zst", 4);
}

/// The same properties the fuzz targets (fuzz/fuzz_targets/symvers.rs,
/// modversions.rs) check, over mutated real inputs in a normal test run.
#[test]
fn mutated_modules_and_symvers_never_panic() {
    let root = check_fixtures();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut parsed = 0;
    for src in [
        "v1/consumer.ko",
        "targets/powerpc-linux-gnu/consumer.ko",
        "ext/both.ko",
        "compressed/consumer.ko.xz",
        "compressed/consumer.ko.zst",
        "compressed/consumer.ko.gz",
    ] {
        let orig = std::fs::read(root.join(src)).unwrap();
        for _ in 0..1500 {
            let mut d = rng.mutate(&orig, 8, None);
            if rng.chance(12) {
                d.truncate(rng.below(d.len()));
            }
            if let Ok(v) = modver::modversions::versions_from_bytes(&d, src) {
                parsed += 1;
                let _ = modver::modversions::render_dump(&v);
            }
            for is_64 in [false, true] {
                let _ = modver::modversions::parse_versions(&d, is_64, is_64, src, 0);
            }
        }
    }
    assert!(parsed > 0, "no mutant parsed: the mutation is too coarse");
    let text = std::fs::read_to_string(root.join("v2/Module.symvers")).unwrap();
    let bytes = text.as_bytes();
    let mut ok = 0;
    for _ in 0..20000 {
        let d = rng.mutate(bytes, 3, Some(b"\t\n x0_E"));
        if let Ok(s) = std::str::from_utf8(&d) {
            if let Ok(e) = modver::symvers::parse(s, "m") {
                ok += 1;
                let again = modver::symvers::parse(&modver::symvers::render(&e), "m").unwrap();
                assert_eq!(again, e);
            }
        }
    }
    assert!(ok > 0);
}

#[test]
fn explain_names_the_struct_and_member_behind_each_changed_crc() {
    let root = check_fixtures();
    let out = modver()
        .current_dir(root)
        .args(["explain", "--format", "json", "v1", "v2"])
        .run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The CRCs explain reports are genksyms' own (#SYMVER lines).
    let symver = |b: &str| -> BTreeMap<String, String> {
        std::fs::read_to_string(root.join(b).join("provider.symver"))
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("#SYMVER "))
            .map(|l| {
                let (s, c) = l.split_once(' ').unwrap();
                (s.to_string(), c.to_string())
            })
            .collect()
    };
    let (old, new) = (symver("v1"), symver("v2"));
    let exports = v["exports"].as_array().unwrap();
    let names: Vec<&str> = exports
        .iter()
        .map(|e| e["symbol"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = old
        .keys()
        .filter(|k| old[*k] != new[*k])
        .map(String::as_str)
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(sorted, ["holder_use", "widget_get"]);
    for e in exports {
        let s = e["symbol"].as_str().unwrap();
        assert_eq!(format!("0x{:08x}", e["old_crc"].as_u64().unwrap()), old[s]);
        assert_eq!(format!("0x{:08x}", e["new_crc"].as_u64().unwrap()), new[s]);
        let chain: Vec<&str> = e["chains"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        match s {
            "widget_get" => assert_eq!(chain, ["widget_get", "s#widget"]),
            _ => assert_eq!(chain, ["holder_use", "s#holder", "t#widget_t", "s#widget"]),
        }
    }
    let types = v["types"].as_array().unwrap();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0]["symbol"], "s#widget");
    assert_eq!(types[0]["members"][0]["change"], "added");
    assert_eq!(types[0]["members"][0]["member"], "color");
    assert_eq!(v["unreferenced_types"].as_array().unwrap().len(), 0);
    // --symbol narrows it; the text report names struct and member.
    let out = modver()
        .current_dir(root)
        .args([
            "explain",
            "--symbol",
            "holder_use",
            "v1/provider.symtypes",
            "v2/provider.symtypes",
        ])
        .run();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_golden("check/explain-holder_use.txt", text.as_bytes());
    assert!(
        text.contains("holder_use -> s#holder -> t#widget_t -> s#widget"),
        "{text}"
    );
    assert!(!text.contains("widget_get:"), "{text}");
    assert!(
        text.contains("s#widget changed") && text.contains("member added: color"),
        "{text}"
    );
    // Identical inputs: nothing to explain, exit 0.
    let out = modver()
        .current_dir(root)
        .args(["explain", "v1", "v1"])
        .run();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}
