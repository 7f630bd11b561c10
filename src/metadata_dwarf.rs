//! The DWARF that LLVM's code generator would emit for a bitcode module's
//! debug-info metadata, as the [`DebugInfo`] model gendwarfksyms' logic
//! reads: a native stand-in for `clang -c -x ir` followed by libdw.
//!
//! This follows LLVM's `DwarfDebug::beginModule` (per compile unit: the
//! global variables, the enums, the retained types), `endFunction` (one
//! subprogram per function definition, in module order, its parameters
//! from the subprogram's retained variables) and `DwarfUnit` (where each
//! type's entry goes — under its scope: the unit, a namespace, the
//! enclosing type — and which attributes it carries, in which forms).
//! Only what [`DebugInfo`] keeps is produced; local variables, lexical
//! blocks, call sites, locations and inlining structure are left out
//! (gendwarfksyms reads none of them; an inlined function's abstract and
//! concrete entries are produced as the one entry they describe).
//!
//! Two code generation settings change the DWARF: the DWARF version (a
//! module flag, read here) and the debugger tuning, which up to LLVM 15
//! selects DWARF 2 bitfields (`DW_AT_bit_offset` plus
//! `DW_AT_data_member_location`) for GDB — the default on every target but
//! Darwin and the PlayStation — instead of `DW_AT_data_bit_offset`.
//! [`Lowering`] holds both; [`Lowering::for_module`] derives them as the
//! producing LLVM's `clang -c -x ir` would.

use crate::bitcode::metadata::{
    Bound, DICompositeType, DIDerivedType, DISubprogram, MdId, MdInt, MdRef, Metadata,
    ModuleMetadata, ValueRef,
};
use crate::debuginfo::{tag, ConstAttr, DebugInfo, DieAttrs, DieId};
use rustc_hash::FxHashMap as HashMap;
use std::fmt;

/// `DW_TAG_namespace`, `DW_TAG_module` and the other tags produced here
/// that [`tag`] does not name.
const TAG_MODULE: u16 = 0x1e;
const TAG_TEMPLATE_VALUE_PARAMETER: u16 = 0x30;
const TAG_GENERIC_SUBRANGE: u16 = 0x45;
const TAG_LLVM_ANNOTATION: u16 = 0x6000;

/// `DINode::DIFlags` bits used here.
mod flag {
    pub const ACCESSIBILITY: u64 = 3;
    pub const PRIVATE: u64 = 1;
    pub const PROTECTED: u64 = 2;
    pub const PUBLIC: u64 = 3;
    pub const FWD_DECL: u64 = 1 << 2;
    pub const VECTOR: u64 = 1 << 11;
    pub const STATIC_MEMBER: u64 = 1 << 12;
    pub const BIT_FIELD: u64 = 1 << 19;
}
/// `DISPFlagDefinition`.
const SPFLAG_DEFINITION: u64 = 1 << 3;
/// `DISubprogram::SPFlagLocalToUnit`.
const SPFLAG_LOCAL_TO_UNIT: u64 = 1 << 2;
/// `GlobalValue::AvailableExternallyLinkage` as the bitcode encodes it: no
/// code, so no DWARF.
const LINKAGE_AVAILABLE_EXTERNALLY: u64 = 12;
/// `DW_ATE_unsigned`, the encoding of LLVM's `__ARRAY_SIZE_TYPE__`.
const ATE_UNSIGNED: u64 = 7;

/// Code generation settings that change the DWARF of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lowering {
    /// The DWARF version (`-gdwarf-N`: the module's "Dwarf Version" flag).
    pub dwarf_version: u32,
    /// DWARF 2 bitfields (`DwarfDebug::useDWARF2Bitfields`: DWARF < 4 or
    /// tuning for GDB).
    pub dwarf2_bitfields: bool,
}

impl Lowering {
    /// What `clang -c -x ir` (and ld.lld's LTO code generation) uses for
    /// this module: the module's DWARF version flag (4 when absent, as
    /// LLVM's default), GDB tuning unless the triple is Darwin or a
    /// PlayStation.
    pub fn for_module(m: &ModuleMetadata<'_>) -> Self {
        let dwarf_version = module_flag(m, b"Dwarf Version").map_or(4, |v| v as u32);
        let triple = String::from_utf8_lossy(&m.target_triple);
        let gdb = !(triple.contains("apple")
            || triple.contains("darwin")
            || triple.contains("macos")
            || triple.contains("-ps4")
            || triple.contains("-ps5"));
        // LLVM 16 dropped the GDB condition (GDB reads
        // DW_AT_data_bit_offset since 8.0).
        let old_gdb_bitfields = gdb && producer_major(m).is_some_and(|v| v <= 15);
        Lowering {
            dwarf_version,
            dwarf2_bitfields: dwarf_version < 4 || old_gdb_bitfields,
        }
    }
}

/// The major version of the LLVM that wrote the module
/// (`IDENTIFICATION_CODE_STRING`, e.g. `LLVM15.0.6`).
pub fn producer_major(m: &ModuleMetadata<'_>) -> Option<u32> {
    let p = m.producer.as_deref()?.strip_prefix("LLVM")?;
    p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The integer value of module flag `name` (`!llvm.module.flags`).
pub fn module_flag(m: &ModuleMetadata<'_>, name: &[u8]) -> Option<i128> {
    let flags = m.named.iter().find(|n| n.name == b"llvm.module.flags")?;
    flags.operands.iter().find_map(|&f| {
        let ops = m.tuple(Some(f));
        let key = m.string((*ops.get(1)?)?)?;
        if key != name {
            return None;
        }
        m.constant_int((*ops.get(2)?)?)
    })
}

/// A metadata graph that does not describe DWARF: a reference to a node
/// of the wrong kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    /// The node being lowered.
    pub node: u32,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for LowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "debug-info node {}: {}", self.node, self.message)
    }
}

type LResult<T> = std::result::Result<T, LowerError>;

/// Lowers every compile unit of `m` to the entries LLVM would emit.
pub fn lower(m: &ModuleMetadata<'_>, opts: Lowering) -> LResult<DebugInfo> {
    let mut d = DebugInfo::new();
    let cus: Vec<MdId> = m
        .named
        .iter()
        .filter(|n| n.name == b"llvm.dbg.cu")
        .flat_map(|n| n.operands.iter().copied())
        .collect();
    for (i, &cu) in cus.iter().enumerate() {
        let mut l = Unit::new(m, &mut d, cu, opts)?;
        l.module_level()?;
        l.functions(i == 0)?;
    }
    Ok(d)
}

/// One compile unit being lowered (LLVM's `DwarfCompileUnit`).
struct Unit<'m, 'a, 'd> {
    m: &'m ModuleMetadata<'a>,
    d: &'d mut DebugInfo,
    cu_node: MdId,
    root: DieId,
    opts: Lowering,
    /// Entries of types, subprograms, variables, namespaces by node.
    entries: HashMap<MdId, DieId>,
    /// `Unit::files` indexes by file name.
    file_ids: HashMap<Vec<u8>, u64>,
    files: Vec<Vec<u8>>,
    index_type: Option<DieId>,
    next_offset: u64,
    depth: usize,
    /// Composite types whose entry exists and whose children do not yet.
    pending: std::collections::VecDeque<(DieId, MdId)>,
}

/// Deeper nesting than this (chains of qualifiers and typedefs, of
/// scopes) is taken as a hostile graph. Composite types are filled in from
/// a work list, not recursively, so the depth does not grow with the
/// number of types reachable through members.
const MAX_DEPTH: usize = 256;

fn err<T>(node: MdId, message: impl Into<String>) -> LResult<T> {
    Err(LowerError {
        node: node.0,
        message: message.into(),
    })
}

fn text(s: Option<&[u8]>) -> Option<std::borrow::Cow<'_, str>> {
    s.filter(|s| !s.is_empty()).map(String::from_utf8_lossy)
}

impl<'m, 'a, 'd> Unit<'m, 'a, 'd> {
    fn new(
        m: &'m ModuleMetadata<'a>,
        d: &'d mut DebugInfo,
        cu_node: MdId,
        opts: Lowering,
    ) -> LResult<Self> {
        let Some(Metadata::CompileUnit(cu)) = m.md(cu_node) else {
            return err(
                cu_node,
                "llvm.dbg.cu names a node that is not a DICompileUnit",
            );
        };
        let cu_file = match cu.file.and_then(|f| m.md(f)) {
            Some(Metadata::File(f)) => f.filename.unwrap_or(b"").to_vec(),
            _ => Vec::new(),
        };
        let first = d.intern(&String::from_utf8_lossy(&cu_file));
        // Files are filled in as entries use them; the unit is re-created
        // with the full list at the end (see `finish_files`).
        d.add_unit(vec![first]);
        let offset = d.dies.len() as u64;
        let root = d.add_die(None, tag::COMPILE_UNIT, offset, &DieAttrs::default());
        let mut file_ids = HashMap::default();
        file_ids.insert(cu_file.clone(), 0);
        Ok(Unit {
            m,
            d,
            cu_node,
            root,
            opts,
            entries: HashMap::default(),
            file_ids,
            files: vec![cu_file],
            index_type: None,
            next_offset: offset + 1,
            depth: 0,
            pending: Default::default(),
        })
    }

    fn add(&mut self, parent: DieId, tag: u16, attrs: &DieAttrs<'_>) -> DieId {
        let off = self.next_offset;
        self.next_offset += 1;
        self.d.add_die(Some(parent), tag, off, attrs)
    }

    fn cu(&self) -> LResult<&'m crate::bitcode::metadata::DICompileUnit<'a>> {
        match self.m.md(self.cu_node) {
            Some(Metadata::CompileUnit(cu)) => Ok(cu),
            _ => err(self.cu_node, "not a DICompileUnit"),
        }
    }

    /// `beginModule` for this unit: globals, enums, retained types.
    fn module_level(&mut self) -> LResult<()> {
        let cu = self.cu()?;
        let mut seen = rustc_hash::FxHashSet::default();
        for &gve in self.m.tuple(cu.globals) {
            let Some(gve) = gve else { continue };
            let var = match self.m.md(gve) {
                Some(Metadata::GlobalVariableExpression(e)) => e.variable,
                Some(Metadata::GlobalVariable(_)) => Some(gve),
                _ => return err(gve, "CU global that is not a DIGlobalVariableExpression"),
            };
            if let Some(v) = var {
                if seen.insert(v) {
                    self.global_variable(v)?;
                    self.drain()?;
                }
            }
        }
        for &ty in self.m.tuple(cu.enums) {
            self.type_entry(ty)?;
            self.drain()?;
        }
        for &ty in self.m.tuple(cu.retained_types) {
            if let Some(t) = ty {
                if is_type(self.m.md(t)) {
                    self.type_entry(ty)?;
                    self.drain()?;
                }
            }
        }
        self.finish_files();
        Ok(())
    }

    /// `endFunction` for each function definition of this unit, in module
    /// order; then (first unit only) the declarations that carry a
    /// `DISubprogram`, as call sites make LLVM emit them.
    fn functions(&mut self, first_unit: bool) -> LResult<()> {
        let m = self.m;
        for g in &m.globals {
            if g.kind != crate::bitcode::metadata::GlobalKind::Function
                || g.linkage == LINKAGE_AVAILABLE_EXTERNALLY
            {
                continue;
            }
            for sp in m.dbg(g) {
                let Some(Metadata::Subprogram(s)) = m.md(sp) else {
                    return err(sp, "a function's !dbg that is not a DISubprogram");
                };
                let ours = if g.declaration {
                    first_unit
                } else {
                    s.unit == Some(self.cu_node)
                };
                if ours {
                    self.subprogram(sp)?;
                    self.drain()?;
                }
            }
        }
        self.finish_files();
        Ok(())
    }

    /// Re-states the unit's file list now that entries have used files.
    fn finish_files(&mut self) {
        let files: Vec<_> = self
            .files
            .clone()
            .iter()
            .map(|f| self.d.intern(&String::from_utf8_lossy(f)))
            .collect();
        if let Some(u) = self.d.units.last_mut() {
            u.files = files;
        }
    }

    /// `DW_AT_decl_file` for an entry at `line` of `file`
    /// (`DwarfUnit::addSourceLine`: nothing when the line is 0).
    fn source_line(&mut self, attrs: &mut DieAttrs<'_>, file: MdRef, line: u64) {
        if line == 0 {
            return;
        }
        let id = match file.and_then(|f| self.m.md(f)) {
            Some(Metadata::File(f)) => {
                let name = f.filename.unwrap_or(b"");
                match self.file_ids.get(name) {
                    Some(&id) => id,
                    None => {
                        let id = self.files.len() as u64;
                        self.file_ids.insert(name.to_vec(), id);
                        self.files.push(name.to_vec());
                        id
                    }
                }
            }
            // The unit's own file, first in the list.
            _ => 0,
        };
        attrs.set_const(ConstAttr::DeclFile, id);
    }

    /// `getOrCreateContextDIE`.
    fn context(&mut self, scope: MdRef) -> LResult<DieId> {
        let Some(s) = scope else {
            return Ok(self.root);
        };
        match self.m.md(s) {
            None | Some(Metadata::File(_)) | Some(Metadata::CompileUnit(_)) => Ok(self.root),
            Some(md) if is_type(Some(md)) => Ok(self.type_entry(scope)?.unwrap_or(self.root)),
            Some(Metadata::Namespace(ns)) => {
                if let Some(&e) = self.entries.get(&s) {
                    return Ok(e);
                }
                let parent = self.nested(|u| u.context(ns.scope))?;
                let name = text(ns.name);
                let attrs = DieAttrs::with_name(name.as_deref());
                let e = self.add(parent, tag::NAMESPACE, &attrs);
                self.entries.insert(s, e);
                Ok(e)
            }
            Some(Metadata::Module(md)) => {
                if let Some(&e) = self.entries.get(&s) {
                    return Ok(e);
                }
                let parent = self.nested(|u| u.context(md.scope))?;
                let name = text(md.name);
                let attrs = DieAttrs::with_name(name.as_deref());
                let e = self.add(parent, TAG_MODULE, &attrs);
                self.entries.insert(s, e);
                Ok(e)
            }
            Some(Metadata::Subprogram(_)) => self.subprogram(s),
            Some(Metadata::LexicalBlock(b)) => self.nested(|u| u.context(b.scope)),
            Some(Metadata::LexicalBlockFile(b)) => self.nested(|u| u.context(b.scope)),
            Some(Metadata::CommonBlock(b)) => self.nested(|u| u.context(b.scope)),
            Some(_) => err(s, "scope of an unexpected kind"),
        }
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> LResult<T>) -> LResult<T> {
        if self.depth > MAX_DEPTH {
            return err(self.cu_node, "debug-info graph nested too deep");
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// `addType` target: `getOrCreateTypeDIE` (none for void).
    fn type_entry(&mut self, ty: MdRef) -> LResult<Option<DieId>> {
        let Some(t) = ty else { return Ok(None) };
        if let Some(&e) = self.entries.get(&t) {
            return Ok(Some(e));
        }
        // DW_TAG_restrict_type needs DWARF 3 and DW_TAG_atomic_type DWARF
        // 5: below that the qualifier is left out.
        if let Some(Metadata::DerivedType(d)) = self.m.md(t) {
            let v = self.opts.dwarf_version;
            if (d.tag as u16 == tag::RESTRICT_TYPE && v <= 2)
                || (d.tag as u16 == tag::ATOMIC_TYPE && v < 5)
            {
                return self.nested(|u| u.type_entry(d.base_type));
            }
        }
        self.nested(|u| u.create_type(t)).map(Some)
    }

    fn create_type(&mut self, t: MdId) -> LResult<DieId> {
        let m = self.m;
        match m.md(t) {
            Some(Metadata::BasicType(b)) => {
                let parent = self.context(b.scope)?;
                if let Some(&e) = self.entries.get(&t) {
                    return Ok(e);
                }
                let name = text(b.name);
                let mut attrs = DieAttrs::with_name(name.as_deref());
                if b.tag != u64::from(tag::UNSPECIFIED_TYPE) {
                    if b.tag != 0x12 {
                        attrs.set_const(ConstAttr::Encoding, b.encoding);
                    }
                    attrs.set_const(ConstAttr::ByteSize, self.bits(b.size) >> 3);
                }
                let e = self.add(parent, b.tag as u16, &attrs);
                self.entries.insert(t, e);
                Ok(e)
            }
            Some(Metadata::DerivedType(dt)) => self.derived_type(t, dt),
            Some(Metadata::CompositeType(c)) => {
                let parent = self.context(c.scope)?;
                if let Some(&e) = self.entries.get(&t) {
                    return Ok(e);
                }
                let name = text(c.name);
                let attrs = self.composite_attrs(c, name.as_deref());
                let e = self.add(parent, c.tag as u16, &attrs);
                self.entries.insert(t, e);
                self.pending.push_back((e, t));
                Ok(e)
            }
            Some(Metadata::SubroutineType(s)) => {
                let e = self.add(self.root, tag::SUBROUTINE_TYPE, &DieAttrs::default());
                self.entries.insert(t, e);
                let types: Vec<MdRef> = m.tuple(s.types).to_vec();
                if let Some(&ret) = types.first() {
                    if let Some(r) = self.type_entry(ret)? {
                        self.d.set_type_ref(e, r);
                    }
                }
                self.arguments(e, &types)?;
                Ok(e)
            }
            Some(Metadata::StringType(s)) => {
                let name = text(s.name);
                let mut attrs = DieAttrs::with_name(name.as_deref());
                attrs.set_const(ConstAttr::ByteSize, self.bits(s.size) >> 3);
                let e = self.add(self.root, s.tag as u16, &attrs);
                self.entries.insert(t, e);
                Ok(e)
            }
            _ => err(t, "type reference to a node that is not a type"),
        }
    }

    /// Fills in the composite types created so far (and those their
    /// members create). Members keep their order; a nested type's entry
    /// may come later among its parent's children than LLVM puts it, which
    /// no consumer of the model reads.
    fn drain(&mut self) -> LResult<()> {
        while let Some((e, t)) = self.pending.pop_front() {
            let Some(Metadata::CompositeType(c)) = self.m.md(t) else {
                return err(t, "not a DICompositeType");
            };
            self.composite_body(e, c)?;
        }
        Ok(())
    }

    /// Bits of a size or offset (0 when it is not a constant).
    fn bits(&self, v: MdInt) -> u64 {
        self.m.int_value(v).unwrap_or(0) as u64
    }

    /// `constructTypeDIE(DIDerivedType)`.
    fn derived_type(&mut self, t: MdId, dt: &'m DIDerivedType<'a>) -> LResult<DieId> {
        let parent = self.context(dt.scope)?;
        if let Some(&e) = self.entries.get(&t) {
            return Ok(e);
        }
        let name = text(dt.name);
        let mut attrs = DieAttrs::with_name(name.as_deref());
        let t16 = dt.tag as u16;
        if t16 == tag::TYPEDEF && self.opts.dwarf_version >= 5 && dt.align >= 8 {
            attrs.set_const(ConstAttr::Alignment, dt.align / 8);
        }
        let size = self.bits(dt.size) >> 3;
        if size != 0
            && !matches!(
                t16,
                tag::POINTER_TYPE | 0x1f | tag::REFERENCE_TYPE | tag::RVALUE_REFERENCE_TYPE
            )
        {
            attrs.set_const(ConstAttr::ByteSize, size);
        }
        if dt.flags & flag::FWD_DECL == 0 {
            self.source_line(&mut attrs, dt.file, dt.line);
        }
        let e = self.add(parent, t16, &attrs);
        self.entries.insert(t, e);
        if let Some(b) = self.type_entry(dt.base_type)? {
            self.d.set_type_ref(e, b);
        }
        self.annotations(e, dt.annotations);
        Ok(e)
    }

    /// The attributes `constructTypeDIE(DICompositeType)` gives the type
    /// entry itself.
    fn composite_attrs<'s>(
        &mut self,
        c: &DICompositeType<'a>,
        name: Option<&'s str>,
    ) -> DieAttrs<'s> {
        let mut attrs = DieAttrs::with_name(name);
        let t = c.tag as u16;
        let fwd = c.flags & flag::FWD_DECL != 0;
        let size = self.bits(c.size) >> 3;
        match t {
            tag::ARRAY_TYPE if c.flags & flag::VECTOR != 0 && size > 0 => {
                attrs.set_const(ConstAttr::ByteSize, size);
            }
            tag::ENUMERATION_TYPE | tag::CLASS_TYPE | tag::STRUCTURE_TYPE | tag::UNION_TYPE => {
                if size != 0 && (!fwd || t == tag::ENUMERATION_TYPE) {
                    attrs.set_const(ConstAttr::ByteSize, size);
                } else if !fwd {
                    attrs.set_const(ConstAttr::ByteSize, 0);
                }
                attrs.declaration = fwd;
                if let Some(a) = access(c.flags) {
                    attrs.set_const(ConstAttr::Accessibility, a);
                }
                if !fwd {
                    self.source_line(&mut attrs, c.file, c.line);
                }
                if c.align >= 8 {
                    attrs.set_const(ConstAttr::Alignment, c.align / 8);
                }
            }
            _ => {}
        }
        attrs
    }

    /// The children (and element type) of a composite type entry.
    fn composite_body(&mut self, e: DieId, c: &'m DICompositeType<'a>) -> LResult<()> {
        let m = self.m;
        match c.tag as u16 {
            tag::ARRAY_TYPE => {
                if let Some(b) = self.type_entry(c.base_type)? {
                    self.d.set_type_ref(e, b);
                }
                for &el in m.tuple(c.elements) {
                    let Some(el) = el else { continue };
                    match m.md(el) {
                        Some(Metadata::Subrange(s)) => {
                            let mut attrs = DieAttrs::default();
                            if let Some(v) = self.bound(s.count) {
                                if v != -1 {
                                    attrs.set_const(ConstAttr::Count, v as u64);
                                }
                            }
                            if let Some(v) = self.bound(s.upper_bound) {
                                attrs.set_const(ConstAttr::UpperBound, v as u64);
                            }
                            let sr = self.add(e, tag::SUBRANGE_TYPE, &attrs);
                            let idx = self.index_type();
                            self.d.set_type_ref(sr, idx);
                        }
                        Some(Metadata::GenericSubrange(_)) => {
                            let sr = self.add(e, TAG_GENERIC_SUBRANGE, &DieAttrs::default());
                            let idx = self.index_type();
                            self.d.set_type_ref(sr, idx);
                        }
                        _ => {}
                    }
                }
            }
            tag::ENUMERATION_TYPE => {
                if self.opts.dwarf_version >= 3 {
                    if let Some(b) = self.type_entry(c.base_type)? {
                        self.d.set_type_ref(e, b);
                    }
                }
                let unsigned = self.is_unsigned(c.base_type, 0);
                for &el in m.tuple(c.elements) {
                    let Some(el) = el else { continue };
                    if let Some(Metadata::Enumerator(en)) = m.md(el) {
                        let name = text(en.name);
                        let mut attrs = DieAttrs::with_name(name.as_deref());
                        // addConstantValue(APInt): up to 64 bits as
                        // udata/sdata (the same 64 bits through
                        // dwarf_formudata), wider as a block.
                        // getZExtValue/getSExtValue by the signedness of
                        // the enum's base type, not the enumerator's.
                        if en.value.bit_width <= 64 {
                            if let Some(v) = en.value.to_i128(unsigned) {
                                attrs.set_const(ConstAttr::ConstValue, v as u64);
                            }
                        }
                        self.add(e, tag::ENUMERATOR, &attrs);
                    }
                }
            }
            tag::VARIANT_PART | tag::STRUCTURE_TYPE | tag::UNION_TYPE | tag::CLASS_TYPE => {
                let is_variant_part = c.tag as u16 == tag::VARIANT_PART;
                let mut discr_unsigned = false;
                if is_variant_part {
                    if let Some(dm) = c.discriminator {
                        let Some(Metadata::DerivedType(dd)) = m.md(dm) else {
                            return err(dm, "discriminator that is not a DIDerivedType");
                        };
                        discr_unsigned = self.is_unsigned(dd.base_type, 0);
                        self.member(e, dd)?;
                    }
                } else {
                    self.template_params(e, c.template_params)?;
                }
                for &el in m.tuple(c.elements) {
                    let Some(el) = el else { continue };
                    match m.md(el) {
                        Some(Metadata::Subprogram(_)) => {
                            self.subprogram(el)?;
                        }
                        Some(Metadata::DerivedType(dd)) => {
                            if dd.tag == 0x2a {
                                // DW_TAG_friend: C++ only.
                            } else if dd.flags & flag::STATIC_MEMBER != 0 {
                                self.static_member(e, dd)?;
                            } else if is_variant_part {
                                let mut attrs = DieAttrs::default();
                                if let Some(id) = dd.extra_data {
                                    if let Some(v) = self.discriminant(id, discr_unsigned) {
                                        attrs.set_const(ConstAttr::DiscrValue, v);
                                    }
                                }
                                let var = self.add(e, tag::VARIANT, &attrs);
                                self.member(var, dd)?;
                            } else {
                                self.member(e, dd)?;
                            }
                        }
                        Some(Metadata::CompositeType(cc)) if cc.tag as u16 == tag::VARIANT_PART => {
                            // A fresh entry each time, never cached.
                            let name = text(cc.name);
                            let attrs = self.composite_attrs(cc, name.as_deref());
                            let vp = self.add(e, tag::VARIANT_PART, &attrs);
                            self.nested(|u| u.composite_body(vp, cc))?;
                        }
                        _ => {}
                    }
                }
                // DW_AT_containing_type (Rust vtables): the entry exists.
                self.type_entry(c.vtable_holder)?;
            }
            _ => {}
        }
        self.annotations(e, c.annotations);
        Ok(())
    }

    /// The constant of a subrange bound, if it is one.
    fn bound(&self, b: Bound) -> Option<i64> {
        match b {
            Bound::Const(c) => Some(c),
            Bound::Node(None) => None,
            Bound::Node(Some(id)) => self.m.constant_int(id).map(|v| v as i64),
        }
    }

    /// `DW_AT_discr_value`: zero- or sign-extended from the constant's
    /// type as the discriminator's type says.
    fn discriminant(&self, id: MdId, unsigned: bool) -> Option<u64> {
        if unsigned {
            self.m.constant_uint(id).map(|v| v as u64)
        } else {
            self.m.constant_int(id).map(|v| v as u64)
        }
    }

    /// LLVM's `__ARRAY_SIZE_TYPE__`, made on first use.
    fn index_type(&mut self) -> DieId {
        if let Some(i) = self.index_type {
            return i;
        }
        let mut attrs = DieAttrs::named("__ARRAY_SIZE_TYPE__");
        attrs.set_const(ConstAttr::ByteSize, 8);
        attrs.set_const(ConstAttr::Encoding, ATE_UNSIGNED);
        let i = self.add(self.root, tag::BASE_TYPE, &attrs);
        self.index_type = Some(i);
        i
    }

    /// `DwarfDebug::isUnsignedDIType`.
    fn is_unsigned(&self, ty: MdRef, depth: usize) -> bool {
        let Some(t) = ty else { return false };
        if depth > MAX_DEPTH {
            return false;
        }
        match self.m.md(t) {
            Some(Metadata::CompositeType(c)) => {
                c.tag as u16 == tag::ENUMERATION_TYPE && self.is_unsigned(c.base_type, depth + 1)
            }
            Some(Metadata::DerivedType(d)) => match d.tag as u16 {
                tag::POINTER_TYPE | 0x1f | tag::REFERENCE_TYPE | tag::RVALUE_REFERENCE_TYPE => true,
                _ => self.is_unsigned(d.base_type, depth + 1),
            },
            Some(Metadata::BasicType(b)) => {
                matches!(b.encoding, 2 | 7 | 8 | 0x10 | 0xe)
                    || (b.tag as u16 == tag::UNSPECIFIED_TYPE
                        && b.name == Some(b"decltype(nullptr)"))
            }
            _ => false,
        }
    }

    /// `DwarfDebug::getBaseTypeSize`: the storage size of a bitfield.
    fn base_type_size(&self, ty: MdId, depth: usize) -> u64 {
        match self.m.md(ty) {
            Some(Metadata::DerivedType(d)) if depth <= MAX_DEPTH => {
                let t = d.tag as u16;
                if !matches!(
                    t,
                    tag::MEMBER
                        | tag::TYPEDEF
                        | tag::CONST_TYPE
                        | tag::VOLATILE_TYPE
                        | tag::RESTRICT_TYPE
                        | tag::ATOMIC_TYPE
                        | tag::IMMUTABLE_TYPE
                ) {
                    return self.bits(d.size);
                }
                let Some(base) = d.base_type else { return 0 };
                match self.m.md(base) {
                    Some(Metadata::DerivedType(b))
                        if matches!(
                            b.tag as u16,
                            tag::REFERENCE_TYPE | tag::RVALUE_REFERENCE_TYPE
                        ) =>
                    {
                        self.bits(d.size)
                    }
                    _ => self.base_type_size(base, depth + 1),
                }
            }
            Some(Metadata::BasicType(b)) => self.bits(b.size),
            Some(Metadata::CompositeType(c)) => self.bits(c.size),
            Some(Metadata::StringType(s)) => self.bits(s.size),
            _ => 0,
        }
    }

    /// `constructMemberDIE`.
    fn member(&mut self, parent: DieId, dt: &'m DIDerivedType<'a>) -> LResult<DieId> {
        let name = text(dt.name);
        let mut attrs = DieAttrs::with_name(name.as_deref());
        self.source_line(&mut attrs, dt.file, dt.line);
        let virtual_inheritance = dt.tag as u16 == tag::INHERITANCE && dt.flags & (1 << 5) != 0;
        if !virtual_inheritance {
            let size = self.bits(dt.size);
            let offset = self.bits(dt.offset);
            let offset_bytes;
            let bitfield = dt.flags & flag::BIT_FIELD != 0;
            if bitfield {
                let field_size = dt.base_type.map_or(0, |b| self.base_type_size(b, 0));
                if self.opts.dwarf2_bitfields {
                    attrs.set_const(ConstAttr::ByteSize, field_size / 8);
                }
                attrs.set_const(ConstAttr::BitSize, size);
                let align_mask = !(field_size.wrapping_sub(1));
                let start_bit = offset - (offset & align_mask);
                let mut bytes = (offset - start_bit) / 8;
                if self.opts.dwarf2_bitfields {
                    let hi = (offset.wrapping_add(field_size)) & align_mask;
                    let field_offset = hi.wrapping_sub(field_size);
                    // DW_AT_bit_offset is not kept by the model.
                    bytes = field_offset >> 3;
                } else {
                    attrs.set_const(ConstAttr::DataBitOffset, offset);
                }
                offset_bytes = bytes;
            } else {
                offset_bytes = offset / 8;
                if dt.align >= 8 {
                    attrs.set_const(ConstAttr::Alignment, dt.align / 8);
                }
            }
            if self.opts.dwarf_version >= 3 && (!bitfield || self.opts.dwarf2_bitfields) {
                attrs.set_const(ConstAttr::DataMemberLocation, offset_bytes);
            }
        }
        if let Some(a) = access(dt.flags) {
            attrs.set_const(ConstAttr::Accessibility, a);
        }
        let e = self.add(parent, dt.tag as u16, &attrs);
        self.annotations(e, dt.annotations);
        if let Some(b) = self.type_entry(dt.base_type)? {
            self.d.set_type_ref(e, b);
        }
        Ok(e)
    }

    /// `getOrCreateStaticMemberDIE`: a declaration in its class.
    fn static_member(&mut self, parent: DieId, dt: &'m DIDerivedType<'a>) -> LResult<()> {
        let name = text(dt.name);
        let mut attrs = DieAttrs::with_name(name.as_deref());
        attrs.declaration = true;
        self.source_line(&mut attrs, dt.file, dt.line);
        let t = if self.opts.dwarf_version >= 5 {
            tag::VARIABLE
        } else {
            tag::MEMBER
        };
        let e = self.add(parent, t, &attrs);
        if let Some(b) = self.type_entry(dt.base_type)? {
            self.d.set_type_ref(e, b);
        }
        Ok(())
    }

    /// `addTemplateParams`.
    fn template_params(&mut self, parent: DieId, params: MdRef) -> LResult<()> {
        let m = self.m;
        for &p in m.tuple(params) {
            let Some(p) = p else { continue };
            match m.md(p) {
                Some(Metadata::TemplateTypeParameter(tp)) => {
                    let name = text(tp.name);
                    let attrs = DieAttrs::with_name(name.as_deref());
                    let e = self.add(parent, tag::TEMPLATE_TYPE_PARAMETER, &attrs);
                    if let Some(t) = self.type_entry(tp.ty)? {
                        self.d.set_type_ref(e, t);
                    }
                }
                Some(Metadata::TemplateValueParameter(tp)) => {
                    let name = text(tp.name);
                    let mut attrs = DieAttrs::with_name(name.as_deref());
                    if let Some(v) = tp.value {
                        if let Some(Metadata::Value {
                            value: ValueRef::Int(_) | ValueRef::Null,
                            ..
                        }) = m.md(v)
                        {
                            let unsigned = self.is_unsigned(tp.ty, 0);
                            if let Some(c) = self.discriminant(v, unsigned) {
                                attrs.set_const(ConstAttr::ConstValue, c);
                            }
                        }
                    }
                    let t = if tp.tag == 0 {
                        TAG_TEMPLATE_VALUE_PARAMETER
                    } else {
                        tp.tag as u16
                    };
                    let e = self.add(parent, t, &attrs);
                    if let Some(ty) = self.type_entry(tp.ty)? {
                        self.d.set_type_ref(e, ty);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `addAnnotation`: `btf_type_tag`/`btf_decl_tag` as
    /// `DW_TAG_LLVM_annotation` children (their string values are not
    /// constants to libdw).
    fn annotations(&mut self, parent: DieId, list: MdRef) {
        let m = self.m;
        for &a in m.tuple(list) {
            let ops = m.tuple(a);
            let Some(name) = ops.first().copied().flatten().and_then(|s| m.string(s)) else {
                continue;
            };
            let name = String::from_utf8_lossy(name).into_owned();
            self.add(parent, TAG_LLVM_ANNOTATION, &DieAttrs::named(&name));
        }
    }

    /// `constructSubprogramArguments`: parameter types, `...` last.
    fn arguments(&mut self, parent: DieId, types: &[MdRef]) -> LResult<()> {
        for &t in types.iter().skip(1) {
            match t {
                None => {
                    self.add(parent, tag::UNSPECIFIED_PARAMETERS, &DieAttrs::default());
                }
                Some(_) => {
                    let e = self.add(parent, tag::FORMAL_PARAMETER, &DieAttrs::default());
                    if let Some(ty) = self.type_entry(t)? {
                        self.d.set_type_ref(e, ty);
                    }
                }
            }
        }
        Ok(())
    }

    fn subprogram_node(&self, sp: MdId) -> LResult<&'m DISubprogram<'a>> {
        match self.m.md(sp) {
            Some(Metadata::Subprogram(s)) => Ok(s),
            _ => err(sp, "not a DISubprogram"),
        }
    }

    /// `getOrCreateSubprogramDIE` + `applySubprogramAttributes`, and for a
    /// definition the parameters `constructSubprogramScopeDIE` adds.
    fn subprogram(&mut self, sp: MdId) -> LResult<DieId> {
        if let Some(&e) = self.entries.get(&sp) {
            return Ok(e);
        }
        let s = self.subprogram_node(sp)?;
        let mut parent = self.nested(|u| u.context(s.scope))?;
        if let Some(&e) = self.entries.get(&sp) {
            return Ok(e);
        }
        let mut decl_linkage: Option<&[u8]> = None;
        let has_decl = match s.declaration {
            Some(decl) => {
                // Definitions go to the unit; the declaration first.
                parent = self.root;
                self.nested(|u| u.subprogram(decl))?;
                decl_linkage = self.subprogram_node(decl)?.linkage_name;
                true
            }
            None => false,
        };
        let definition = s.sp_flags & SPFLAG_DEFINITION != 0;
        let name = if has_decl { None } else { text(s.name) };
        let linkage = match text(s.linkage_name) {
            Some(l) if self.opts.dwarf_version >= 4 && decl_linkage != s.linkage_name => Some(l),
            _ => None,
        };
        let mut attrs = DieAttrs::with_name(name.as_deref());
        attrs.linkage_name = linkage.as_deref();
        attrs.declaration = !definition && !has_decl;
        // applySubprogramAttributes: not on a definition that points at
        // its declaration.
        attrs.external = !has_decl && s.sp_flags & SPFLAG_LOCAL_TO_UNIT == 0;
        if !has_decl {
            self.source_line(&mut attrs, s.file, s.line);
        }
        let e = self.add(parent, tag::SUBPROGRAM, &attrs);
        self.entries.insert(sp, e);
        self.template_params(e, s.template_params)?;
        self.annotations(e, s.annotations);
        let types: Vec<MdRef> = match s.ty.and_then(|t| self.m.md(t)) {
            Some(Metadata::SubroutineType(st)) => self.m.tuple(st.types).to_vec(),
            _ => Vec::new(),
        };
        if !has_decl {
            if let Some(&ret) = types.first() {
                if let Some(r) = self.type_entry(ret)? {
                    self.d.set_type_ref(e, r);
                }
            }
        }
        if !definition {
            if !has_decl {
                self.arguments(e, &types)?;
            }
            return Ok(e);
        }
        // The parameters: retained variables with an argument number, in
        // argument order.
        let mut params: Vec<(u64, MdId)> = Vec::new();
        for &n in self.m.tuple(s.retained_nodes) {
            let Some(n) = n else { continue };
            if let Some(Metadata::LocalVariable(v)) = self.m.md(n) {
                if v.arg > 0 && !params.iter().any(|&(a, _)| a == v.arg) {
                    params.push((v.arg, n));
                }
            }
        }
        params.sort_by_key(|&(a, _)| a);
        for (_, n) in params {
            let Some(Metadata::LocalVariable(v)) = self.m.md(n) else {
                continue;
            };
            let name = text(v.name);
            let mut attrs = DieAttrs::with_name(name.as_deref());
            self.source_line(&mut attrs, v.file, v.line);
            let pe = self.add(e, tag::FORMAL_PARAMETER, &attrs);
            if let Some(t) = self.type_entry(v.ty)? {
                self.d.set_type_ref(pe, t);
            }
        }
        if types.len() > 1 && types.last() == Some(&None) {
            self.add(e, tag::UNSPECIFIED_PARAMETERS, &DieAttrs::default());
        }
        Ok(e)
    }

    /// `getOrCreateGlobalVariableDIE`.
    fn global_variable(&mut self, v: MdId) -> LResult<DieId> {
        if let Some(&e) = self.entries.get(&v) {
            return Ok(e);
        }
        let Some(Metadata::GlobalVariable(g)) = self.m.md(v) else {
            return err(v, "not a DIGlobalVariable");
        };
        let parent = self.nested(|u| u.context(g.scope))?;
        let name = text(g.name);
        let linkage = text(g.linkage_name).filter(|_| self.opts.dwarf_version >= 4);
        let mut attrs = DieAttrs::with_name(name.as_deref());
        attrs.linkage_name = linkage.as_deref();
        attrs.declaration = !g.is_definition;
        attrs.external = !g.is_local;
        if g.static_data_member_declaration.is_none() {
            self.source_line(&mut attrs, g.file, g.line);
        }
        if g.align >= 8 {
            attrs.set_const(ConstAttr::Alignment, g.align / 8);
        }
        let e = self.add(parent, tag::VARIABLE, &attrs);
        self.entries.insert(v, e);
        if let Some(t) = self.type_entry(g.ty)? {
            self.d.set_type_ref(e, t);
        }
        self.annotations(e, g.annotations);
        self.template_params(e, g.template_params)?;
        Ok(e)
    }
}

/// `addAccess`: `DW_ACCESS_public` 1, `protected` 2, `private` 3.
fn access(flags: u64) -> Option<u64> {
    match flags & flag::ACCESSIBILITY {
        flag::PROTECTED => Some(2),
        flag::PRIVATE => Some(3),
        flag::PUBLIC => Some(1),
        _ => None,
    }
}

fn is_type(md: Option<&Metadata<'_>>) -> bool {
    matches!(
        md,
        Some(
            Metadata::BasicType(_)
                | Metadata::DerivedType(_)
                | Metadata::CompositeType(_)
                | Metadata::SubroutineType(_)
                | Metadata::StringType(_)
        )
    )
}

/// Why a bitcode object's debug information could not be produced
/// natively.
#[derive(Debug)]
pub enum NativeFailure {
    /// Bitcode whose metadata this reader does not know (an unknown record
    /// or layout: a newer LLVM): generate code with the producing LLVM
    /// (`clang -c -x ir`) and read its DWARF instead.
    Unsupported(crate::error::Error),
    /// Broken input: a positioned error.
    Invalid(crate::error::Error),
}

impl fmt::Display for NativeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NativeFailure::Unsupported(e) | NativeFailure::Invalid(e) => write!(f, "{e}"),
        }
    }
}

/// Each module of a bitcode object (raw or wrapped) as gendwarfksyms would
/// see the ELF object its code generation makes: the lowered debug
/// information, the global symbols (every defined, non-local global
/// value; an alias at its target's address) and the kABI rules section.
/// `display` names the object in errors.
pub fn module_inputs(
    data: &[u8],
    display: &str,
) -> std::result::Result<Vec<crate::dwarfksyms::ModuleInput>, NativeFailure> {
    use crate::error::{Error, Position};
    let modules = crate::bitcode::metadata::read(data).map_err(|e| {
        let err = Error::malformed(display, Position::Offset(e.offset()), e.to_string());
        if e.is_unsupported() {
            NativeFailure::Unsupported(err)
        } else {
            NativeFailure::Invalid(err)
        }
    })?;
    let mut out = Vec::with_capacity(modules.len());
    for m in &modules {
        let info = lower(m, Lowering::for_module(m)).map_err(|e| {
            NativeFailure::Invalid(Error::malformed(display, Position::File, e.to_string()))
        })?;
        let kabi_rules = match m.section_bytes(crate::dwarf::KABI_RULES_SECTION.as_bytes()) {
            None => None,
            Some(Ok(b)) => Some(b),
            Some(Err(var)) => {
                return Err(NativeFailure::Unsupported(Error::malformed(
                    display,
                    Position::File,
                    format!(
                        "{} holds {}, whose initializer is not a string constant",
                        crate::dwarf::KABI_RULES_SECTION,
                        String::from_utf8_lossy(var)
                    ),
                )))
            }
        };
        out.push(crate::dwarfksyms::ModuleInput {
            name: display.to_string(),
            info,
            symbols: global_symbols(m),
            kabi_rules,
        });
    }
    Ok(out)
}

/// `GlobalValue` linkages (as encoded) that give no symbol table entry a
/// linker outside the object sees: internal and private.
const LINKAGE_INTERNAL: u64 = 3;
const LINKAGE_PRIVATE: u64 = 9;

/// The global symbols the object code of `m` will define, as
/// gendwarfksyms' `elf_for_each_global` uses them: a name and an address
/// that identifies aliases (an alias has its target's).
pub fn global_symbols(m: &ModuleMetadata<'_>) -> Vec<crate::dwarf::ElfGlobal> {
    m.globals
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            !g.declaration
                && !matches!(g.linkage, LINKAGE_INTERNAL | LINKAGE_PRIVATE)
                && g.linkage != LINKAGE_AVAILABLE_EXTERNALLY
                && !g.name.starts_with(b"llvm.")
        })
        .map(|(i, g)| crate::dwarf::ElfGlobal {
            name: String::from_utf8_lossy(g.name).into_owned(),
            section: 1,
            value: g.aliasee.unwrap_or(i) as u64 * 16,
        })
        .collect()
}
