//! The DWARF path of `modver dwarfksyms`: any bytes (seeded with the
//! fixture objects under testdata/dwarfksyms/obj) give versions or an error,
//! never a panic; and the symtypes it writes read back in `modver crc`'s
//! dwarf dialect; and the same DWARF encoded as BTF (`btf_encoder`, what
//! explain and why read from DWARF) explains against itself without a
//! panic; read one unit at a time as explain reads a kernel's DWARF
//! (`dwarf::read_units`), it gives the same BTF as read all at once; and
//! reading only the DIEs the symbols reach (`Run::parse_input`, what the
//! CLI does) gives the same output as reading all of them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use modver::dwarfksyms::{parse_input, symtypes, Options, Run};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, obj)) = data.split_first() else {
        return;
    };
    if let Ok(whole) = modver::dwarf::read_object(obj, "fuzz.o") {
        let (a, b) = (bumpalo::Bump::new(), bumpalo::Bump::new());
        let mut once = modver::btf_encoder::BtfBuilder::new(&a, false);
        once.add(&whole.info);
        once.add_aliases(&modver::elf::ElfImage::parse(obj, "fuzz.o").expect("parsed once"));
        let once = once.finish("fuzz.o (DWARF)").0;
        let by_unit = modver::btf_encoder::encode_object(obj, "fuzz.o", &b)
            .expect("an object read whole also reads unit by unit");
        assert_eq!(once.types, by_unit.0.types);
    }
    let Ok(modules) = parse_input(obj, "fuzz.o", None) else {
        return;
    };
    let opts = Options {
        stable: flags & 1 != 0,
        symtypes: true,
        debug: flags & 2 != 0,
        dump_dies: flags & 4 != 0,
        dump_types: flags & 8 != 0,
        dump_versions: flags & 16 != 0,
    };
    // Every global symbol is "exported", so that matching and the
    // __gendwarfksyms_ptr_ path run on whatever the DWARF says.
    let mut list = String::from("not_in_dwarf\n");
    for m in &modules {
        for s in &m.symbols {
            list.push_str(&s.name);
            list.push('\n');
        }
    }
    for m in &modules {
        let arena = bumpalo::Bump::new();
        let btf = modver::btf_encoder::encode(&m.info, "fuzz.o", &arena);
        let _ = modver::explain::btf::explain_btf(&btf, &btf, &Default::default(), &[]);
    }
    let Ok(mut run) = Run::new(opts, list.as_bytes()) else {
        return;
    };
    for m in modules.iter().cloned() {
        if run.add_module(m).is_err() {
            return;
        }
    }
    let out = run.finish();
    // Read as the CLI reads it (only the DIEs the listed symbols reach,
    // unless -d), the object gives the same output.
    let mut again = Run::new(opts, list.as_bytes()).expect("the list parsed once");
    let reached = again
        .parse_input(obj, "fuzz.o", None)
        .expect("an object read whole also reads in part");
    for m in reached {
        again
            .add_module(m)
            .expect("what versions from the whole object versions from its part");
    }
    let part = again.finish();
    assert_eq!(
        (&out.stdout, &out.symtypes, &out.stderr),
        (&part.stdout, &part.symtypes, &part.stderr)
    );
    // What it wrote, modver crc reads back: for one object built from
    // ordinary names, to the same versions.
    let crcs = symtypes::export_crcs("fuzz.symtypes", &out.symtypes, false);
    let plain = |s: &str| !s.contains(['\n', '\'', '#']);
    if let (Ok(crcs), [m]) = (crcs, &modules[..]) {
        if m.symbols.iter().all(|s| plain(&s.name))
            && m.info
                .dies
                .iter()
                .all(|d| d.name.map_or(true, |n| plain(m.info.str(n))))
        {
            for c in crcs {
                let line = format!("#SYMVER {} 0x{:08x}\n", c.name, c.crc);
                assert!(out.stdout.contains(&line), "{line} not in {}", out.stdout);
            }
        }
    }
});
