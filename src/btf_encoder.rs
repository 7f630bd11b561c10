//! BTF from DWARF, as pahole's `btf_encoder` (`pahole -J`, what
//! `CONFIG_DEBUG_INFO_BTF` runs at link time) makes it: the types of a
//! [`DebugInfo`] as a [`Btf`], so that `explain` and `why` read the DWARF
//! a kernel ships in its debug package (or a `-g` module carries) where it
//! has no BTF.
//!
//! Like pahole, every compile unit's copy of a type becomes one BTF type
//! (`btf__dedup()`), but the test for "the same type" is explain's own
//! view, not BTF's: named structs, unions, enums and typedefs are equal
//! when their members have the same names, offsets, bit-field widths and
//! types, with named types compared by name as genksyms does; anonymous
//! and derived types by their structure. Copies that differ (a struct
//! defined differently under different `#ifdef`s) stay separate
//! definitions of one name, which explain compares as sets.
//!
//! DWARF also says what each compile unit saw, which BTF cannot: a struct
//! only declared in a unit (`struct cred;`) is a declaration there. genksyms
//! stops at such a struct (`struct cred { UNKNOWN }`), so a change inside
//! it does not change the CRCs of that unit's exports; it does the same
//! for a struct defined in the `.c` file itself (`record_compound` keeps
//! only definitions from headers: kernel/workqueue.c's `struct
//! workqueue_struct` is `UNKNOWN` to `__flush_workqueue`), but not for a
//! typedef there, which genksyms expands wherever it is defined. [`Scopes`] keeps,
//! per unit, the named types it defines and, per function and variable, its unit, and
//! explain walks an export's chains only through types its unit defines.
//!
//! Unlike BTF, DWARF describes every exported variable (pahole ≤ 1.26
//! encodes only per-CPU ones), so explain from DWARF also reaches those.
//! Functions are encoded from their definitions at unit level, variables
//! from their definitions or declarations (gcc names a variable declared
//! in a header only in the declaration), once per name and type;
//! `DW_AT_external` gives global linkage, so that a static function of
//! an export's name elsewhere is not taken for it. DWARF 4 bit-fields (`DW_AT_bit_offset`) are placed
//! at their storage unit's offset.

use crate::btf::{Btf, BtfKind, BtfMember, BtfParam, BtfType, TypeId};
use crate::debuginfo::{tag, ConstAttr, DebugInfo, DieId};
use std::collections::HashMap;

/// `DW_ATE_boolean`, `DW_ATE_float`, `DW_ATE_signed`, `DW_ATE_signed_char`,
/// `DW_ATE_unsigned_char`.
const ATE_BOOLEAN: u64 = 0x02;
const ATE_FLOAT: u64 = 0x04;
const ATE_SIGNED: u64 = 0x05;
const ATE_SIGNED_CHAR: u64 = 0x06;
const ATE_UNSIGNED_CHAR: u64 = 0x08;

/// Deepest chain of anonymous or derived types followed (C types are far
/// shallower; hostile DWARF is not followed forever).
const MAX_DEPTH: u32 = 64;

/// Longest shape spelled out; past it, two types are told apart by what
/// came first (no C type comes near).
const MAX_SHAPE: usize = 1 << 20;

/// A BTF built from DWARF one [`DebugInfo`] at a time (a whole object, or
/// one compile unit of it, as [`crate::dwarf::read_units`] reads them),
/// with names kept in `arena`, so that each unit's entries can be dropped
/// once encoded.
pub struct BtfBuilder<'a> {
    arena: &'a bumpalo::Bump,
    types: Vec<BtfType<'a>>,
    /// The BTF id of each distinct shape.
    by_shape: HashMap<String, TypeId>,
    /// Variables encoded, by name, with their types.
    variables: HashMap<&'a str, Vec<TypeId>>,
    /// What each unit defines, when asked for.
    scopes: Option<Scopes>,
    /// Units added so far.
    units: u32,
}

/// The encoding of one [`DebugInfo`] into a [`BtfBuilder`].
struct Encoder<'u, 'b, 'a> {
    info: &'u DebugInfo,
    out: &'b mut BtfBuilder<'a>,
    /// The BTF id of each converted entry.
    by_die: HashMap<DieId, TypeId>,
    /// Named definitions whose members are still to encode.
    pending: Vec<(DieId, TypeId)>,
}

/// What each compile unit defines, for an export's view of the types
/// (genksyms reads one unit at a time).
#[derive(Debug, Default)]
pub struct Scopes {
    /// Interned symtypes names (`s#cred`).
    keys: HashMap<String, u32>,
    /// Per unit, the sorted keys of the named types it defines.
    units: Vec<Vec<u32>>,
    /// The unit of each function's and variable's definition.
    objects: HashMap<String, u32>,
}

impl Scopes {
    /// Whether the unit defining `object` defines the type named `key`;
    /// `None` when `object`'s unit is not known.
    pub fn defines(&self, object: &str, key: &str) -> Option<bool> {
        Some(self.unit_defines(self.unit_of(object)?, key))
    }

    /// The unit defining `object` (a function or variable), if known.
    pub fn unit_of(&self, object: &str) -> Option<u32> {
        self.objects.get(object).copied()
    }

    /// Whether unit `unit` (from [`Self::unit_of`]) defines the type
    /// named `key`.
    pub fn unit_defines(&self, unit: u32, key: &str) -> bool {
        let Some(types) = self.units.get(unit as usize) else {
            return false;
        };
        self.keys
            .get(key)
            .is_some_and(|k| types.binary_search(k).is_ok())
    }

    /// Records what the units of `info` define; they are units
    /// `first..` of the whole input.
    fn add_units(&mut self, info: &DebugInfo, first: u32) {
        let units_before = self.units.len();
        self.units
            .resize(units_before + info.units.len(), Vec::new());
        for (i, d) in info.dies.iter().enumerate() {
            let prefix = match d.tag {
                tag::STRUCTURE_TYPE | tag::CLASS_TYPE if !d.declaration => "s#",
                tag::UNION_TYPE if !d.declaration => "u#",
                tag::ENUMERATION_TYPE if !d.declaration => "e#",
                tag::TYPEDEF => "t#",
                _ => continue,
            };
            let Some(name) = d.name.map(|n| info.str(n)).filter(|n| !n.is_empty()) else {
                continue;
            };
            // genksyms' record_compound: a struct, union or enum defined in
            // the .c file itself (not in a header) is not recorded, so the
            // unit's exports see it as `{ UNKNOWN }` (gendwarfksyms:
            // definitions in .c files are private). A typedef is recorded
            // wherever it is (add_symbol from the declaration rule):
            // net/ipv6/raw.c's own mh_filter_t is expanded for
            // rawv6_mh_filter_register.
            if prefix != "t#" && in_source_file(info, DieId(i as u32)) {
                continue;
            }
            let key = format!("{prefix}{name}");
            let next = self.keys.len() as u32;
            let k = *self.keys.entry(key).or_insert(next);
            if let Some(u) = self.units.get_mut(first as usize + d.unit as usize) {
                u.push(k);
            }
        }
        for u in &mut self.units[units_before..] {
            u.sort_unstable();
            u.dedup();
        }
    }
}

/// Whether a type entry's `DW_AT_decl_file` is a `.c` file.
fn in_source_file(info: &DebugInfo, die: DieId) -> bool {
    let Some(file) = info.const_attr(die, ConstAttr::DeclFile) else {
        return false;
    };
    let unit = info.die(die).unit as usize;
    info.units
        .get(unit)
        .and_then(|u| u.files.get(usize::try_from(file).ok()?))
        .is_some_and(|&name| info.str(name).ends_with(".c"))
}

/// The types of `info` (an object's DWARF) as one base BTF named
/// `display`, its names kept in `arena`.
pub fn encode<'a>(info: &DebugInfo, display: &str, arena: &'a bumpalo::Bump) -> Btf<'a> {
    let mut b = BtfBuilder::new(arena, false);
    b.add(info);
    b.finish(display).0
}

/// The types of the DWARF of the ELF image `data` (named `display` in
/// errors) as one base BTF named `display (DWARF)`, and what each unit
/// defines: read and encoded one compile
/// unit at a time ([`crate::dwarf::read_units`]), or all together when
/// units refer into each other.
pub fn encode_object<'a>(
    data: &[u8],
    display: &str,
    arena: &'a bumpalo::Bump,
) -> crate::Result<(Btf<'a>, Scopes)> {
    let mut b = BtfBuilder::new(arena, true);
    // One parse of the image serves the units and the aliases.
    let image = crate::elf::ElfImage::parse(data, display)?;
    let read = crate::dwarf::read_units(&image, |unit| b.add(&unit))?;
    if let crate::dwarf::UnitsRead::CrossUnitReference(_) = read {
        b = BtfBuilder::new(arena, true);
        b.add(&crate::dwarf::read_object(data, display)?.info);
    }
    b.add_aliases(&image);
    let (btf, scopes) = b.finish(&format!("{display} (DWARF)"));
    Ok((btf, scopes.unwrap_or_default()))
}

impl<'a> BtfBuilder<'a> {
    /// An empty BTF whose names go to `arena`; with `scopes`, also what
    /// each unit defines ([`Scopes`]).
    pub fn new(arena: &'a bumpalo::Bump, scopes: bool) -> Self {
        BtfBuilder {
            arena,
            types: Vec::new(),
            by_shape: HashMap::new(),
            variables: HashMap::new(),
            scopes: scopes.then(Scopes::default),
            units: 0,
        }
    }

    /// Encodes the types, functions and variables of every unit of
    /// `info`, after those added before.
    pub fn add(&mut self, info: &DebugInfo) {
        let first = self.units;
        self.units += info.units.len() as u32;
        if let Some(s) = self.scopes.as_mut() {
            s.add_units(info, first);
        }
        let mut e = Encoder {
            info,
            out: self,
            by_die: HashMap::new(),
            pending: Vec::new(),
        };
        for (u, unit) in info.units.iter().enumerate() {
            let Some(root) = unit.root else { continue };
            for c in info.children(root) {
                e.unit_level(c);
                e.drain();
                e.record_object(c, first + u as u32);
            }
        }
    }

    /// Functions and variables that are aliases in `image`'s symbol table
    /// (`__attribute__((alias))`: another global symbol of the same type,
    /// section, address and size) and have no DWARF entry of their own
    /// get their target's: genksyms versions an alias by its declaration,
    /// which has the target's type (drivers/mtd's `cfi_cmdset_0003` is
    /// `cfi_cmdset_0001`).
    pub fn add_aliases(&mut self, image: &crate::elf::ElfImage<'_>) {
        use object::elf::{STB_LOCAL, STT_FUNC, STT_OBJECT};
        let mut known: HashMap<&str, usize> = HashMap::new();
        for (i, t) in self.types.iter().enumerate() {
            if matches!(t.kind, BtfKind::Func { .. } | BtfKind::Var { .. }) {
                known.entry(t.name).or_insert(i);
            }
        }
        // The first symbol of each place with a BTF entry is the target.
        let place = |s: &crate::elf::ElfSymbol<'_>| Some((s.st_type, s.section?, s.value, s.size));
        let globals = image.symbols.iter().filter(|s| {
            s.bind != STB_LOCAL && matches!(s.st_type, STT_FUNC | STT_OBJECT) && s.size > 0
        });
        let mut targets: HashMap<(u8, usize, u64, u64), usize> = HashMap::new();
        for s in globals.clone() {
            if let (Some(&i), Some(p)) = (known.get(s.name.as_ref()), place(s)) {
                targets.entry(p).or_insert(i);
            }
        }
        let mut added: Vec<(String, usize)> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for s in globals {
            let Some(&target) = place(s).and_then(|p| targets.get(&p)) else {
                continue;
            };
            if !known.contains_key(s.name.as_ref()) && seen.insert(s.name.as_ref()) {
                added.push((s.name.to_string(), target));
            }
        }
        for (name, target) in added {
            let t = &self.types[target];
            let (kind, of) = (t.kind.clone(), t.name.to_string());
            let name: &'a str = self.arena.alloc_str(&name);
            self.types.push(BtfType { name, kind });
            if let Some(s) = self.scopes.as_mut() {
                if let Some(&u) = s.objects.get(&of) {
                    s.objects.insert(name.to_string(), u);
                }
            }
        }
    }

    /// The BTF named `display`, and the scopes if asked for.
    pub fn finish(self, display: &str) -> (Btf<'a>, Option<Scopes>) {
        (
            Btf::from_types(display.to_string(), self.types),
            self.scopes,
        )
    }
}

impl<'u, 'a> Encoder<'u, '_, 'a> {
    /// Records the unit of a function's or variable's definition.
    fn record_object(&mut self, c: DieId, unit: u32) {
        let info = self.info;
        let Some(s) = self.out.scopes.as_mut() else {
            return;
        };
        let d = info.die(c);
        let name = |die: DieId| info.name(die).unwrap_or("");
        // A variable's unit is where it is defined: a named definition, or
        // gcc's nameless one pointing at the declaration from the header.
        if d.tag == tag::VARIABLE && !d.declaration {
            let name = match d.specification() {
                Some(spec) => name(spec),
                None => name(c),
            };
            let external = d.external
                || d.specification()
                    .is_some_and(|spec| info.die(spec).external);
            if external {
                s.objects.insert(name.to_string(), unit);
            } else if !name.is_empty() {
                s.objects.entry(name.to_string()).or_insert(unit);
            }
        }
        if d.tag == tag::SUBPROGRAM && !d.declaration {
            let name = name(c);
            // A global definition wins over static ones of the name
            // (selinux's static user_destroy is not the export).
            if d.external {
                s.objects.insert(name.to_string(), unit);
            } else if !name.is_empty() {
                s.objects.entry(name.to_string()).or_insert(unit);
            }
        }
    }

    /// `name` in the arena, to outlive this unit's entries.
    fn keep(&self, name: &str) -> &'a str {
        match name {
            "" => "",
            _ => self.out.arena.alloc_str(name),
        }
    }

    fn name(&self, die: DieId) -> &'u str {
        self.info.name(die).unwrap_or("")
    }

    fn push(&mut self, name: &str, kind: BtfKind<'a>) -> TypeId {
        let name = self.keep(name);
        self.out.types.push(BtfType { name, kind });
        self.out.types.len() as TypeId
    }

    /// A function or variable definition, or a type, at unit level.
    fn unit_level(&mut self, die: DieId) {
        let d = self.info.die(die);
        let name = self.name(die);
        match d.tag {
            tag::SUBPROGRAM | tag::VARIABLE if name.is_empty() => {}
            tag::SUBPROGRAM if d.declaration => {}
            // gcc names a variable in its declaration (from the header) and
            // points the nameless definition at it (DW_AT_specification):
            // the declaration is the variable, once per name and type.
            tag::VARIABLE => {
                let type_id = d.type_ref().map_or(0, |t| self.ty(t, 0));
                if !self
                    .out
                    .variables
                    .get(name)
                    .is_some_and(|t| t.contains(&type_id))
                {
                    let kept = self.keep(name);
                    self.out.variables.entry(kept).or_default().push(type_id);
                    let linkage = u32::from(d.external);
                    self.push(name, BtfKind::Var { type_id, linkage });
                }
            }
            tag::SUBPROGRAM => {
                let proto = self.proto(die, d.type_ref(), 0);
                let linkage = u16::from(d.external);
                self.push(name, BtfKind::Func { proto, linkage });
            }
            _ => {
                self.ty(die, 0);
            }
        }
    }

    /// A `FUNC_PROTO` for a subprogram or subroutine type: its return type
    /// and its parameters (`...` as a last parameter of type 0).
    fn proto(&mut self, die: DieId, ret: Option<DieId>, depth: u32) -> TypeId {
        let ret = ret.map_or(0, |t| self.ty(t, depth + 1));
        let mut params = Vec::new();
        for c in self.info.children(die) {
            match self.info.die(c).tag {
                tag::FORMAL_PARAMETER => params.push(BtfParam {
                    name: self.keep(self.name(c)),
                    type_id: self
                        .info
                        .die(c)
                        .type_ref()
                        .map_or(0, |t| self.ty(t, depth + 1)),
                }),
                tag::UNSPECIFIED_PARAMETERS => params.push(BtfParam {
                    name: "",
                    type_id: 0,
                }),
                _ => {}
            }
        }
        self.push("", BtfKind::FuncProto { ret, params })
    }

    /// The entry a qualifier-like entry stands for (BTF has no atomic,
    /// packed, shared or immutable types).
    fn skip_transparent(&self, mut die: DieId) -> Option<DieId> {
        for _ in 0..MAX_DEPTH {
            let d = self.info.die(die);
            match d.tag {
                tag::ATOMIC_TYPE | tag::PACKED_TYPE | tag::SHARED_TYPE | tag::IMMUTABLE_TYPE => {
                    die = d.type_ref()?;
                }
                _ => return Some(die),
            }
        }
        None
    }

    /// How explain sees a type: named types by their symtypes name, the
    /// rest spelled out. Two entries of one shape become one BTF type.
    fn shape(&self, die: DieId, depth: u32, out: &mut String) {
        // Hostile DWARF can point many members at one anonymous type, and
        // its members at another: without a bound, shapes grow
        // exponentially with depth.
        if out.len() > MAX_SHAPE {
            return;
        }
        if depth > MAX_DEPTH {
            out.push('?');
            return;
        }
        let Some(die) = self.skip_transparent(die) else {
            out.push('?');
            return;
        };
        let d = self.info.die(die);
        let name = self.name(die);
        let sub = |s: &Self, out: &mut String| match d.type_ref() {
            Some(t) => s.shape(t, depth + 1, out),
            None => out.push_str("void"),
        };
        match d.tag {
            tag::STRUCTURE_TYPE | tag::CLASS_TYPE if !name.is_empty() => {
                out.push_str("s#");
                out.push_str(name);
            }
            tag::UNION_TYPE if !name.is_empty() => {
                out.push_str("u#");
                out.push_str(name);
            }
            tag::ENUMERATION_TYPE if !name.is_empty() => {
                out.push_str("e#");
                out.push_str(name);
            }
            tag::TYPEDEF => {
                out.push_str("t#");
                out.push_str(name);
            }
            tag::STRUCTURE_TYPE | tag::CLASS_TYPE | tag::UNION_TYPE | tag::ENUMERATION_TYPE => {
                self.body_shape(die, depth, out)
            }
            tag::BASE_TYPE => out.push_str(name),
            tag::POINTER_TYPE | tag::REFERENCE_TYPE | tag::RVALUE_REFERENCE_TYPE => {
                out.push('*');
                sub(self, out);
            }
            tag::CONST_TYPE => {
                out.push_str("const ");
                sub(self, out);
            }
            tag::VOLATILE_TYPE => {
                out.push_str("volatile ");
                sub(self, out);
            }
            tag::RESTRICT_TYPE => {
                out.push_str("restrict ");
                sub(self, out);
            }
            tag::ARRAY_TYPE => {
                for c in self.info.children(die) {
                    out.push_str(&format!("[{}]", self.dimension(c)));
                }
                sub(self, out);
            }
            tag::SUBROUTINE_TYPE => {
                out.push('(');
                for c in self.info.children(die) {
                    match self.info.die(c).tag {
                        tag::FORMAL_PARAMETER => match self.info.die(c).type_ref() {
                            Some(t) => self.shape(t, depth + 1, out),
                            None => out.push_str("void"),
                        },
                        tag::UNSPECIFIED_PARAMETERS => out.push_str("..."),
                        _ => continue,
                    }
                    out.push(',');
                }
                out.push_str(")->");
                sub(self, out);
            }
            _ => out.push_str("void"),
        }
    }

    /// A struct, union or enum's definition as a shape: kind, size, and
    /// each member's name, offset, width and type shape (each
    /// enumerator's name and value).
    fn body_shape(&self, die: DieId, depth: u32, out: &mut String) {
        let d = self.info.die(die);
        let c = self.info.const_attr(die, ConstAttr::ByteSize).unwrap_or(0);
        out.push_str(&format!("{}:{}:{}{{", d.tag, c, d.declaration));
        for m in self.info.children(die) {
            if out.len() > MAX_SHAPE {
                break;
            }
            match self.info.die(m).tag {
                tag::MEMBER => {
                    let (off, bits) = self.member_place(m);
                    out.push_str(&format!("{}@{off}:{bits}=", self.name(m)));
                    match self.info.die(m).type_ref() {
                        Some(t) => self.shape(t, depth + 1, out),
                        None => out.push_str("void"),
                    }
                    out.push(';');
                }
                tag::ENUMERATOR => {
                    let v = self.info.const_attr(m, ConstAttr::ConstValue).unwrap_or(0);
                    out.push_str(&format!("{}={v};", self.name(m)));
                }
                _ => {}
            }
        }
        out.push('}');
    }

    /// A member's bit offset and bit-field width.
    fn member_place(&self, m: DieId) -> (u64, u64) {
        let bits = self.info.const_attr(m, ConstAttr::BitSize).unwrap_or(0);
        let off = self
            .info
            .const_attr(m, ConstAttr::DataBitOffset)
            .or_else(|| {
                self.info
                    .const_attr(m, ConstAttr::DataMemberLocation)
                    .map(|b| b.saturating_mul(8))
            })
            .unwrap_or(0);
        (off, bits)
    }

    /// A subrange's element count (0: unknown or flexible).
    fn dimension(&self, sub: DieId) -> u64 {
        match self.info.const_attr(sub, ConstAttr::Count) {
            Some(c) => c,
            None => self
                .info
                .const_attr(sub, ConstAttr::UpperBound)
                .map_or(0, |u| u.wrapping_add(1)),
        }
    }

    /// The BTF id of a type entry, encoding it (and what it refers to) the
    /// first time its shape is met.
    fn ty(&mut self, die: DieId, depth: u32) -> TypeId {
        if let Some(&id) = self.by_die.get(&die) {
            return id;
        }
        if depth > MAX_DEPTH {
            return 0;
        }
        let Some(target) = self.skip_transparent(die) else {
            return 0;
        };
        let d = self.info.die(target);
        let named_def = matches!(
            d.tag,
            tag::STRUCTURE_TYPE | tag::CLASS_TYPE | tag::UNION_TYPE | tag::ENUMERATION_TYPE
        ) && !self.name(target).is_empty();
        let mut shape = String::new();
        if named_def {
            // A named definition: its own body, its members' types by name.
            shape.push_str(self.name(target));
            self.body_shape(target, depth, &mut shape);
        } else if d.tag == tag::TYPEDEF {
            shape.push_str("typedef ");
            shape.push_str(self.name(target));
            shape.push('=');
            match d.type_ref() {
                Some(t) => self.shape(t, depth + 1, &mut shape),
                None => shape.push_str("void"),
            }
        } else {
            self.shape(target, depth, &mut shape);
        }
        if let Some(&id) = self.out.by_shape.get(&shape) {
            self.by_die.insert(die, id);
            return id;
        }
        // Reserve the id first: a struct's members may point back at it.
        let id = self.push(self.name(target), BtfKind::Void);
        self.by_die.insert(die, id);
        self.out.by_shape.insert(shape, id);
        if named_def {
            // Its members later, from a depth of 0: chains of named types
            // (task_struct -> mm_struct -> ...) are as long as the kernel
            // makes them; only anonymous and derived nesting is bounded.
            self.pending.push((target, id));
        } else {
            let kind = self.kind(target, depth);
            self.out.types[id as usize - 1].kind = kind;
        }
        id
    }

    /// Fills in the named definitions [`Self::ty`] left for later.
    fn drain(&mut self) {
        while let Some((die, id)) = self.pending.pop() {
            let kind = self.kind(die, 0);
            self.out.types[id as usize - 1].kind = kind;
        }
    }

    fn kind(&mut self, die: DieId, depth: u32) -> BtfKind<'a> {
        let d = self.info.die(die);
        let (type_ref, dtag, declaration) = (d.type_ref(), d.tag, d.declaration);
        let size = self
            .info
            .const_attr(die, ConstAttr::ByteSize)
            .map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX));
        let target = |s: &mut Self| type_ref.map_or(0, |t| s.ty(t, depth + 1));
        match dtag {
            tag::BASE_TYPE => {
                let enc = self.info.const_attr(die, ConstAttr::Encoding).unwrap_or(0);
                if enc == ATE_FLOAT {
                    return BtfKind::Float { size };
                }
                let encoding = match enc {
                    ATE_SIGNED => 1,
                    ATE_SIGNED_CHAR => 1 | 2,
                    ATE_UNSIGNED_CHAR => 2,
                    ATE_BOOLEAN => 4,
                    _ => 0,
                };
                BtfKind::Int {
                    size,
                    encoding,
                    offset: 0,
                    bits: u8::try_from(size.saturating_mul(8)).unwrap_or(u8::MAX),
                }
            }
            tag::POINTER_TYPE | tag::REFERENCE_TYPE | tag::RVALUE_REFERENCE_TYPE => {
                BtfKind::Ptr(target(self))
            }
            tag::CONST_TYPE => BtfKind::Const(target(self)),
            tag::VOLATILE_TYPE => BtfKind::Volatile(target(self)),
            tag::RESTRICT_TYPE => BtfKind::Restrict(target(self)),
            tag::TYPEDEF => BtfKind::Typedef(target(self)),
            tag::STRUCTURE_TYPE | tag::CLASS_TYPE | tag::UNION_TYPE if declaration => {
                BtfKind::Fwd {
                    union: dtag == tag::UNION_TYPE,
                }
            }
            tag::STRUCTURE_TYPE | tag::CLASS_TYPE | tag::UNION_TYPE => {
                let mut members = Vec::new();
                let children: Vec<DieId> = self.info.children(die).collect();
                for m in children {
                    if self.info.die(m).tag != tag::MEMBER {
                        continue;
                    }
                    let (off, bits) = self.member_place(m);
                    members.push(BtfMember {
                        name: self.keep(self.name(m)),
                        type_id: self
                            .info
                            .die(m)
                            .type_ref()
                            .map_or(0, |t| self.ty(t, depth + 1)),
                        bit_offset: u32::try_from(off).unwrap_or(u32::MAX),
                        bitfield_size: u32::try_from(bits).unwrap_or(u32::MAX),
                    });
                }
                if dtag == tag::UNION_TYPE {
                    BtfKind::Union { size, members }
                } else {
                    BtfKind::Struct { size, members }
                }
            }
            tag::ENUMERATION_TYPE => {
                let values: Vec<(&'a str, i64)> = self
                    .info
                    .children(die)
                    .filter(|&m| self.info.die(m).tag == tag::ENUMERATOR)
                    .map(|m| {
                        let v = self.info.const_attr(m, ConstAttr::ConstValue).unwrap_or(0);
                        (self.keep(self.name(m)), v as i64)
                    })
                    .collect();
                BtfKind::Enum {
                    size,
                    signed: values.iter().any(|&(_, v)| v < 0),
                    is_64: size > 4,
                    values,
                }
            }
            tag::ARRAY_TYPE => {
                let mut elem = target(self);
                let dims: Vec<u64> = self
                    .info
                    .children(die)
                    .filter(|&c| self.info.die(c).tag == tag::SUBRANGE_TYPE)
                    .map(|c| self.dimension(c))
                    .collect();
                // int a[2][3]: an array of 2 arrays of 3 ints.
                for &n in dims.iter().skip(1).rev() {
                    elem = self.push(
                        "",
                        BtfKind::Array {
                            elem,
                            index: 0,
                            nelems: u32::try_from(n).unwrap_or(u32::MAX),
                        },
                    );
                }
                BtfKind::Array {
                    elem,
                    index: 0,
                    nelems: dims
                        .first()
                        .map_or(0, |&n| u32::try_from(n).unwrap_or(u32::MAX)),
                }
            }
            tag::SUBROUTINE_TYPE => {
                let proto = self.proto(die, type_ref, depth);
                // The reserved id becomes the prototype itself.
                match self.out.types.pop() {
                    Some(BtfType { kind, .. }) if proto as usize == self.out.types.len() + 1 => {
                        kind
                    }
                    _ => BtfKind::Void,
                }
            }
            _ => BtfKind::Void,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debuginfo::DieAttrs;

    /// Thirty levels of anonymous structs, each with eight members of the
    /// next level's type: 8^30 paths, which no C compiler writes but
    /// hostile DWARF can. Encoding stays bounded.
    #[test]
    fn shared_anonymous_types_do_not_blow_up() {
        let mut info = DebugInfo::new();
        info.add_unit(Vec::new());
        let root = info.add_die(None, tag::COMPILE_UNIT, 0, &DieAttrs::default());
        let mut offset = 1;
        let mut next = || {
            offset += 1;
            offset
        };
        let levels: Vec<DieId> = (0..30)
            .map(|_| {
                info.add_die(
                    Some(root),
                    tag::STRUCTURE_TYPE,
                    next(),
                    &DieAttrs::default(),
                )
            })
            .collect();
        for w in levels.windows(2) {
            for i in 0..8 {
                let name = format!("m{i}");
                let attrs = DieAttrs::named(&name);
                let m = info.add_die(Some(w[0]), tag::MEMBER, next(), &attrs);
                info.set_type_ref(m, w[1]);
            }
        }
        let f = info.add_die(Some(root), tag::SUBPROGRAM, next(), &DieAttrs::named("f"));
        let p = info.add_die(Some(f), tag::FORMAL_PARAMETER, next(), &DieAttrs::default());
        let ptr = info.add_die(Some(root), tag::POINTER_TYPE, next(), &DieAttrs::default());
        info.set_type_ref(ptr, levels[0]);
        info.set_type_ref(p, ptr);
        let arena = bumpalo::Bump::new();
        let btf = encode(&info, "t", &arena);
        assert!(btf.types.iter().any(|t| t.name == "f"));
        // One BTF struct per level.
        let structs = btf
            .types
            .iter()
            .filter(|t| matches!(t.kind, BtfKind::Struct { .. }))
            .count();
        assert_eq!(structs, 30);
    }
}
