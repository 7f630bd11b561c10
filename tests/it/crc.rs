//! `modver crc` against the real genksyms of Debian's linux-kbuild-6.1 and
//! linux-kbuild-6.12: the C corpus in testdata/crc and randomly generated
//! type graphs are preprocessed as kbuild does (`-D__GENKSYMS__`), run
//! through genksyms -T/-D, and modver must reproduce every CRC and every
//! expanded string from the symtypes alone.

use crate::fixture::{Llvm, Scratch};
use crate::kbuild::{
    crc_corpus_dir as corpus_dir, genksyms_versions, preprocess, run_genksyms, Genksyms,
};
use crate::util::{first_difference, modver, require, Rng};
use std::path::{Path, PathBuf};

fn modver_ok(args: &[&str], files: &[&Path]) -> String {
    modver().args(args).args(files).stdout()
}

/// Checks everything modver derives from one symtypes file against the
/// genksyms run that wrote it. Returns the number of CRCs compared.
fn check_against(oracle: &Genksyms, what: &str) -> usize {
    let st = oracle.symtypes.as_path();
    // The CRC lines, for both kernels' genksyms (both print #SYMVER).
    for k in ["6.1", "6.12"] {
        let got = modver_ok(&["crc", "--kernel", k], &[st]);
        assert!(
            got == oracle.crc_lines,
            "{what}: modver crc --kernel {k} differs from genksyms: {}",
            first_difference(got.as_bytes(), oracle.crc_lines.as_bytes())
        );
    }
    // genksyms -D: "Export NAME == <...>" before each CRC line.
    let dumps: Vec<&str> = oracle.dump.split_inclusive('\n').collect();
    let lines: Vec<&str> = oracle.crc_lines.split_inclusive('\n').collect();
    assert_eq!(dumps.len(), lines.len(), "{what}: -D lines");
    let expected: String = dumps
        .iter()
        .zip(&lines)
        .map(|(d, l)| format!("{d}{l}"))
        .collect();
    let got = modver_ok(&["crc", "--format", "symver", "--expand"], &[st]);
    assert!(
        got == expected,
        "{what}: --expand differs from genksyms -D: {}",
        first_difference(got.as_bytes(), expected.as_bytes())
    );
    // Kernels before 5.19: the same CRCs as linker-script assignments.
    let lds: String = lines
        .iter()
        .map(|l| {
            let mut f = l.trim_end().split(' ').skip(1);
            let (n, c) = (f.next().unwrap(), f.next().unwrap());
            format!("__crc_{n} = {c};\n")
        })
        .collect();
    assert_eq!(
        modver_ok(&["crc", "--kernel", "5.15"], &[st]),
        lds,
        "{what}: lds"
    );
    // The parser keeps every line: rendering gives back the file.
    let text = std::fs::read_to_string(st).unwrap();
    let parsed = modver::symtypes::parse("x", &text).unwrap();
    let rendered: String = parsed.entries.iter().map(|e| e.render() + "\n").collect();
    assert!(
        rendered == text,
        "{what}: symtypes round trip: {}",
        first_difference(rendered.as_bytes(), text.as_bytes())
    );
    lines.len()
}

#[test]
fn corpus_crcs_match_genksyms() {
    let dir = corpus_dir();
    let include = dir.join("include");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    assert!(sources.len() >= 3, "corpus missing in {}", dir.display());
    let out = Scratch::new();
    let mut total = 0;
    for v in [14, 19] {
        let clang = format!("clang-{v}");
        require(&clang, "base");
        for src in &sources {
            let pre = preprocess(Llvm(v), src, &[&include]);
            for (k, genksyms) in genksyms_versions() {
                let stem = src.file_stem().unwrap().to_string_lossy();
                let st = out.join(format!("{stem}.{v}.{k}.symtypes"));
                let oracle = run_genksyms(&genksyms, &pre, &st);
                assert!(!oracle.crc_lines.is_empty(), "{stem}: no exports");
                total += check_against(&oracle, &format!("{stem} (clang-{v}, genksyms {k})"));
            }
        }
    }
    assert!(total > 50, "only {total} CRCs compared");
}

#[test]
fn multiple_files_and_symbol_filter() {
    let dir = corpus_dir();
    let out = Scratch::new();
    require("clang-19", "base");
    let (_, genksyms) = genksyms_versions().remove(0);
    let mut oracles = Vec::new();
    for name in ["basic", "structs"] {
        let pre = preprocess(
            Llvm(19),
            &dir.join(format!("{name}.c")),
            &[&dir.join("include")],
        );
        oracles.push(run_genksyms(
            &genksyms,
            &pre,
            &out.join(format!("{name}.symtypes")),
        ));
    }
    let files: Vec<&Path> = oracles.iter().map(|o| o.symtypes.as_path()).collect();
    let all: String = oracles.iter().map(|o| o.crc_lines.as_str()).collect();
    assert_eq!(modver_ok(&["crc", "--kernel", "6.1"], &files), all);
    let want: String = all
        .lines()
        .filter(|l| l.contains(" corpus_fill ") || l.contains(" corpus_add "))
        .map(|l| format!("{l}\n"))
        .collect();
    let got = modver_ok(
        &[
            "crc",
            "--kernel",
            "6.1",
            "--symbol",
            "corpus_fill",
            "--symbol",
            "corpus_add",
        ],
        &files,
    );
    assert_eq!(got, want);
    // JSON carries the same CRCs.
    let json = modver_ok(&["crc", "--format", "json", "--expand"], &files);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), all.lines().count());
    for (item, line) in arr.iter().zip(all.lines()) {
        let expect = format!(
            "#SYMVER {} {}",
            item["symbol"].as_str().unwrap(),
            item["crc"].as_str().unwrap()
        );
        assert_eq!(expect, line);
        assert!(item["expanded"].as_str().unwrap().ends_with(' '));
    }
    // An unknown --symbol is an error.
    let o = modver()
        .args(["crc", "--kernel", "6.1", "--symbol", "nope"])
        .args(&files)
        .run();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
}

/// Bad symtypes input: exit 2 with file:line:column and what was expected.
#[test]
fn bad_symtypes_input() {
    let out = Scratch::new();
    let cases: &[(&str, &str, &str)] = &[
        (
            "unknown-prefix",
            "s#a struct a { int x ; } \nf int f ( x#y ) \n",
            ":2:11: unknown symbol type 'x#'",
        ),
        (
            "empty-name",
            "s# struct a \n",
            ":1:1: expected a name after 's#'",
        ),
        (
            "override-alone",
            "override   \n",
            ":1:12: expected a symbol name after 'override'",
        ),
        (
            "unterminated-string",
            "f int f ( ) __attribute__ ( ( section ( \"x ) ) ) \n",
            ":1:41: unterminated string",
        ),
        (
            "undefined-typedef",
            "t#a typedef int a \nf t#a f ( t#missing ) \n",
            ":2:11: 't#missing'",
        ),
        (
            "undefined-enum-const",
            "f int f ( int x [ E#NOPE ] ) \n",
            ":1:19: 'E#NOPE'",
        ),
        (
            "duplicate",
            "t#a typedef int a \nt#a typedef long a \nf t#a f \n",
            ":2:1: second definition of 'a' (first on line 1)",
        ),
    ];
    for (name, text, expect) in cases {
        let p = out.join(format!("{name}.symtypes"));
        std::fs::write(&p, text.as_bytes()).unwrap();
        let o = modver().args(["crc", "--kernel", "6.1"]).arg(&p).run();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(o.stdout.is_empty(), "{name}: printed output");
        assert!(
            err.contains(&format!("{}{expect}", p.display())),
            "{name}: {err}"
        );
    }
    let p = out.join("not-utf8.symtypes");
    std::fs::write(&p, b"f int\nf int \xff \n").unwrap();
    let o = modver().args(["crc", "--kernel", "6.1"]).arg(&p).run();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":2:7: invalid UTF-8"));
    // Recursion through typedefs (impossible in C, possible in a file)
    // terminates by the trail rule: the second reference is short.
    let p = out.join("recursive.symtypes");
    std::fs::write(&p, "t#a typedef t#b a \nt#b typedef t#a b \nf t#a f \n").unwrap();
    let got = modver_ok(&["crc", "--format", "json", "--expand"], &[&p]);
    assert!(
        got.contains("\"expanded\": \"typedef typedef a b a f \""),
        "{got}"
    );
    // A missing file.
    let o = modver()
        .args(["crc", "--kernel", "6.1", "/nonexistent.symtypes"])
        .run();
    assert_eq!(o.status.code(), Some(2));
}

// ---------------------------------------------------------------------
// Randomly generated type graphs.

/// One random translation unit: a header with a type graph and a .c file
/// exporting functions and variables that use it.
fn random_program(seed: u64) -> (String, String) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut h = String::from("#ifndef GEN_H\n#define GEN_H\n");
    // Types usable by value, and struct/union tags usable behind pointers.
    let mut values: Vec<String> = [
        "int",
        "unsigned long",
        "char",
        "short",
        "long long",
        "unsigned char",
        "double",
        "_Bool",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let ntypes = 4 + r.below(14);
    let tags: Vec<String> = (0..ntypes)
        .map(|i| {
            format!(
                "{} t{seed}_{i}",
                if r.chance(70) { "struct" } else { "union" }
            )
        })
        .collect();
    let mut consts: Vec<String> = Vec::new();
    for i in 0..ntypes {
        match r.below(5) {
            0 => {
                let base = r.pick(&values).to_string();
                let q = ["", "const ", "volatile ", "const volatile "][r.below(4)];
                let name = format!("td{seed}_{i}");
                if r.chance(30) {
                    h += &format!("typedef {q}{base} *{name};\n");
                } else {
                    h += &format!("typedef {q}{base} {name};\n");
                }
                values.push(name);
            }
            1 => {
                let name = format!("en{seed}_{i}");
                let n = 1 + r.below(5);
                let mut items = Vec::new();
                for k in 0..n {
                    let c = format!("C{seed}_{i}_{k}");
                    let item = match r.below(4) {
                        0 if !consts.is_empty() => {
                            format!("{c} = {} + {}", r.pick(&consts), r.below(9))
                        }
                        1 => format!("{c} = {}", r.below(100)),
                        2 => format!("{c} = 1 << {}", r.below(8)),
                        _ => c.clone(),
                    };
                    items.push(item);
                    consts.push(c);
                }
                if r.chance(20) {
                    h += &format!("enum {{ {} }};\n", items.join(", "));
                } else {
                    h += &format!("enum {name} {{ {} }};\n", items.join(", "));
                    values.push(format!("enum {name}"));
                }
            }
            2 if r.chance(50) => {
                // Opaque: declared, never defined.
                h += &format!("{};\n", tags[i]);
            }
            _ => {
                let mut body = String::new();
                let nf = 1 + r.below(6);
                for f in 0..nf {
                    let t = r.pick(&values).to_string();
                    let field = match r.below(9) {
                        0 => format!("{t} *p{f};"),
                        1 => format!("{} *link{f};", tags[r.below(ntypes)]),
                        2 if !consts.is_empty() => format!("{t} arr{f}[{} + 1];", r.pick(&consts)),
                        3 => format!("unsigned int bf{f} : {};", 1 + r.below(7)),
                        4 => format!("union {{ {t} a; int b; }} u{f};"),
                        5 => format!("struct {{ {t} x; {} *y; }};", tags[r.below(ntypes)]),
                        6 => format!("int (*fp{f})({t}, {} *, ...);", tags[r.below(ntypes)]),
                        7 => format!("const volatile {t} cv{f}[{}];", 1 + r.below(4)),
                        _ => format!("{t} v{f};"),
                    };
                    body += &field;
                    body.push(' ');
                }
                if r.chance(25) {
                    let name = format!("ts{seed}_{i}");
                    h += &format!("typedef {} {{ {body}}} {name};\n", tags[i]);
                    values.push(name);
                } else {
                    h += &format!("{} {{ {body}}};\n", tags[i]);
                }
                values.push(tags[i].clone());
            }
        }
    }
    h += "#endif\n";
    let mut c = String::from("#include \"gen.h\"\n#include \"modver_export.h\"\n");
    c += &format!("struct local{seed} {{ int x; }};\n");
    values.push(format!("struct local{seed}"));
    let nexp = 1 + r.below(6);
    for e in 0..nexp {
        let macro_ = ["EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL"][r.below(2)];
        let name = format!("gen{seed}_{e}");
        if r.chance(30) {
            let t = r.pick(&values).to_string();
            c += &format!("{t} {name};\n{macro_}({name});\n");
        } else {
            let ret = if r.chance(30) {
                "void".to_string()
            } else {
                format!("{} *", r.pick(&values))
            };
            let np = r.below(4);
            let mut params: Vec<String> = (0..np)
                .map(|k| format!("{} *a{k}", r.pick(&values)))
                .collect();
            if r.chance(15) {
                params.push("...".into());
                if np == 0 {
                    params.insert(0, "int n".into());
                }
            }
            let params = if params.is_empty() {
                "void".into()
            } else {
                params.join(", ")
            };
            c += &format!(
                "{ret} {name}({params}) {{ {} }}\n{macro_}({name});\n",
                if ret == "void" { "" } else { "return 0;" }
            );
        }
    }
    (h, c)
}

#[test]
fn random_type_graphs_match_genksyms() {
    require("clang-19", "base");
    let out = Scratch::new();
    let include = corpus_dir().join("include");
    let versions = genksyms_versions();
    let n: u64 = std::env::var("MODVER_RANDOM_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut total = 0;
    for seed in 1..=n {
        let (h, c) = random_program(seed);
        let dir = out.join(format!("s{seed}"));
        out.write(dir.join("gen.h"), &h);
        let src = out.write(dir.join("gen.c"), &c);
        // (A failure names the seed: the path is s{seed}/gen.c.)
        let pre = preprocess(Llvm(19), &src, &[&include, &dir]);
        for (k, g) in &versions {
            let oracle = run_genksyms(g, &pre, &dir.join(format!("gen.{k}.symtypes")));
            total += check_against(&oracle, &format!("random seed {seed}, genksyms {k}"));
        }
    }
    assert!(total as u64 >= n, "only {total} CRCs");
}

/// The fuzz target's property (fuzz/fuzz_targets/symtypes.rs) on stable
/// Rust, over deterministic mutations of real genksyms output: never a
/// panic, rendered text re-parses, every export gets a CRC or an error,
/// and the lazy reader `crc` uses agrees with the full parse.
#[test]
fn symtypes_parser_survives_mutations() {
    require("clang-19", "base");
    let dir = corpus_dir();
    let out = Scratch::new();
    let (_, g) = genksyms_versions().remove(0);
    let mut seeds = Vec::new();
    for name in ["basic", "structs", "misc"] {
        let pre = preprocess(
            Llvm(19),
            &dir.join(format!("{name}.c")),
            &[&dir.join("include")],
        );
        let o = run_genksyms(&g, &pre, &out.join(format!("{name}.symtypes")));
        seeds.push(std::fs::read(&o.symtypes).unwrap());
    }
    let specials = b"#'\" \n\x00\xffstuEx{}";
    let mut r = Rng(0x5eed);
    let mut parsed = 0;
    for i in 0..10_000 {
        let mut d = seeds[i % seeds.len()].clone();
        for _ in 0..1 + r.below(8) {
            if d.is_empty() {
                break;
            }
            let at = r.below(d.len());
            match r.below(5) {
                0 => d[at] = specials[r.below(specials.len())],
                1 => d.insert(at, specials[r.below(specials.len())]),
                2 => {
                    d.remove(at);
                }
                3 => d.truncate(at),
                _ => {
                    let end = (at + r.below(64)).min(d.len());
                    let chunk = d[at..end].to_vec();
                    let to = r.below(d.len());
                    d.splice(to..to, chunk);
                }
            }
        }
        match modver::symtypes::parse_bytes("m.symtypes", &d) {
            Ok(f) => {
                parsed += 1;
                let text: String = f.entries.iter().map(|e| e.render() + "\n").collect();
                let again = modver::symtypes::parse("m", &text)
                    .unwrap_or_else(|e| panic!("{e}: rendered {text:?} from {:?}", f.entries));
                assert_eq!(again.entries.len(), f.entries.len());
                let full = modver::crc::export_crcs(&f, true);
                // crc's lazy path: the same entries and tokens, the same
                // CRCs or the same error.
                if let Some(l) = modver::symtypes::parse_lazy("m.symtypes", f.text) {
                    assert!(l.agrees_with(&f), "lazy parse differs on {:?}", f.text);
                }
                let lazy = modver::crc::export_crcs_of_bytes("m.symtypes", &d, true);
                match (&full, &lazy) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    _ => panic!(
                        "full {:?} / lazy {:?} on {:?}",
                        full.is_ok(),
                        lazy.is_ok(),
                        f.text
                    ),
                }
            }
            Err(e) => {
                let m = e.to_string();
                assert!(m.starts_with("m.symtypes:"), "{m}");
            }
        }
        let _ = modver::symversions::parse_cmd(&d);
    }
    assert!(parsed > 500, "mutations too destructive: {parsed} parsed");
}
