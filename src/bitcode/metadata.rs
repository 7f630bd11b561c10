//! LLVM debug-info metadata read natively from bitcode: what LLVM's
//! `MetadataLoader` builds from a module's `METADATA_BLOCK`s, and which
//! function or global variable each `DISubprogram` / `DIGlobalVariable`
//! describes — the input gendwarfksyms' logic needs, before code generation
//! turns it into DWARF.
//!
//! A module holds one module-level `METADATA_BLOCK` (first a
//! `METADATA_STRINGS` record: count, offset of the characters, and a blob of
//! vbr6 lengths followed by the characters; then one record per node, an
//! optional `METADATA_INDEX_OFFSET`/`METADATA_INDEX` pair giving each node
//! record's bit position, the named metadata, and the
//! `METADATA_GLOBAL_DECL_ATTACHMENT`s of global variables and function
//! declarations). Every `FUNCTION_BLOCK` may add a function-local
//! `METADATA_BLOCK` (nodes reachable only from that function, numbered on
//! from the module's: `ValueEnumerator::incorporateFunctionMetadata`) and a
//! `METADATA_ATTACHMENT` block whose even-length records are the function's
//! own attachments (`!dbg`). Attachment kinds are named by the module's
//! `METADATA_KIND_BLOCK`; global names come from the `STRTAB` blob.
//!
//! Record layouts follow LLVM's `BitcodeWriter.cpp` (written) and
//! `MetadataLoader.cpp` (accepted) from LLVM 15 to 22; the fields that
//! versions added are optional exactly where the loader makes them so.
//! Anything else — a record code this reader does not know, an operand
//! count or layout version outside those — is a [`MetadataError`] that
//! [`MetadataError::is_unsupported`] flags, so that a caller can fall back
//! to code generation (`clang -c -x ir`) and read DWARF instead. Nothing
//! here panics on any input.

use super::bitstream::{
    BitstreamError, BlockHeader, BlockInfo, Cursor, Entry, Record, BLOCKINFO_BLOCK_ID,
    ENTER_SUBBLOCK,
};
use super::{unwrap, BITCODE_MAGIC, IDENTIFICATION_BLOCK_ID, MODULE_BLOCK_ID, STRTAB_BLOCK_ID};
use std::fmt;

/// `CONSTANTS_BLOCK_ID`.
const CONSTANTS_BLOCK_ID: u64 = 11;
/// `FUNCTION_BLOCK_ID`.
const FUNCTION_BLOCK_ID: u64 = 12;
/// `METADATA_BLOCK_ID`.
pub const METADATA_BLOCK_ID: u64 = 15;
/// `METADATA_ATTACHMENT_ID`.
const METADATA_ATTACHMENT_ID: u64 = 16;
/// `METADATA_KIND_BLOCK_ID`.
const METADATA_KIND_BLOCK_ID: u64 = 22;
/// `TYPE_BLOCK_ID_NEW`.
const TYPE_BLOCK_ID: u64 = 17;
/// `TYPE_CODE_NUMENTRY` and `TYPE_CODE_STRUCT_NAME` define no type.
const TYPE_NUMENTRY: u64 = 1;
const TYPE_STRUCT_NAME: u64 = 19;
/// `TYPE_CODE_INTEGER [width]`.
const TYPE_INTEGER: u64 = 7;

/// `MODULE_CODE_*` records read here.
mod module_code {
    pub const VERSION: u64 = 1;
    pub const TRIPLE: u64 = 2;
    pub const SECTIONNAME: u64 = 5;
    pub const GLOBALVAR: u64 = 7;
    pub const FUNCTION: u64 = 8;
    pub const ALIAS: u64 = 14;
    pub const SOURCE_FILENAME: u64 = 16;
    pub const IFUNC: u64 = 18;
}

/// `CST_CODE_*` records read here.
mod cst_code {
    pub const SETTYPE: u64 = 1;
    pub const NULL: u64 = 2;
    pub const INTEGER: u64 = 4;
    pub const WIDE_INTEGER: u64 = 5;
    pub const STRING: u64 = 8;
    pub const CSTRING: u64 = 9;
}

/// `METADATA_*` record codes (`LLVMBitCodes.h`, `MetadataCodes`).
pub mod code {
    #![allow(missing_docs)]
    pub const STRING_OLD: u64 = 1;
    pub const VALUE: u64 = 2;
    pub const NODE: u64 = 3;
    pub const NAME: u64 = 4;
    pub const DISTINCT_NODE: u64 = 5;
    pub const KIND: u64 = 6;
    pub const LOCATION: u64 = 7;
    pub const OLD_NODE: u64 = 8;
    pub const OLD_FN_NODE: u64 = 9;
    pub const NAMED_NODE: u64 = 10;
    pub const ATTACHMENT: u64 = 11;
    pub const GENERIC_DEBUG: u64 = 12;
    pub const SUBRANGE: u64 = 13;
    pub const ENUMERATOR: u64 = 14;
    pub const BASIC_TYPE: u64 = 15;
    pub const FILE: u64 = 16;
    pub const DERIVED_TYPE: u64 = 17;
    pub const COMPOSITE_TYPE: u64 = 18;
    pub const SUBROUTINE_TYPE: u64 = 19;
    pub const COMPILE_UNIT: u64 = 20;
    pub const SUBPROGRAM: u64 = 21;
    pub const LEXICAL_BLOCK: u64 = 22;
    pub const LEXICAL_BLOCK_FILE: u64 = 23;
    pub const NAMESPACE: u64 = 24;
    pub const TEMPLATE_TYPE: u64 = 25;
    pub const TEMPLATE_VALUE: u64 = 26;
    pub const GLOBAL_VAR: u64 = 27;
    pub const LOCAL_VAR: u64 = 28;
    pub const EXPRESSION: u64 = 29;
    pub const OBJC_PROPERTY: u64 = 30;
    pub const IMPORTED_ENTITY: u64 = 31;
    pub const MODULE: u64 = 32;
    pub const MACRO: u64 = 33;
    pub const MACRO_FILE: u64 = 34;
    pub const STRINGS: u64 = 35;
    pub const GLOBAL_DECL_ATTACHMENT: u64 = 36;
    pub const GLOBAL_VAR_EXPR: u64 = 37;
    pub const INDEX_OFFSET: u64 = 38;
    pub const INDEX: u64 = 39;
    pub const LABEL: u64 = 40;
    pub const STRING_TYPE: u64 = 41;
    pub const COMMON_BLOCK: u64 = 44;
    pub const GENERIC_SUBRANGE: u64 = 45;
    pub const ARG_LIST: u64 = 46;
    pub const ASSIGN_ID: u64 = 47;
    pub const SUBRANGE_TYPE: u64 = 48;
    pub const FIXED_POINT_TYPE: u64 = 49;
}

/// Why the metadata of a bitcode file could not be read. Offsets are bytes
/// from the start of the input (wrapper header included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataError {
    /// The bitstream container itself is broken.
    Bitstream(BitstreamError),
    /// A record code this reader does not know in a block whose records it
    /// must all understand (node numbering depends on every record).
    UnknownRecord {
        /// Offset of the record.
        offset: u64,
        /// The block id.
        block: u64,
        /// The record code.
        code: u64,
    },
    /// A known record in a layout (operand count, version bits) that no
    /// LLVM from 15 to 22 writes and this reader does not know.
    UnsupportedLayout {
        /// Offset of the record.
        offset: u64,
        /// The record code.
        code: u64,
        /// What was found.
        message: String,
    },
    /// Structurally inconsistent: a reference to a node that does not
    /// exist, a string that is not one, a strings blob that is cut.
    Malformed {
        /// Offset of the record.
        offset: u64,
        /// What was wrong.
        message: String,
    },
}

impl MetadataError {
    /// True when the input may be valid bitcode of an LLVM whose metadata
    /// layout this reader does not know: fall back to code generation.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            MetadataError::UnknownRecord { .. } | MetadataError::UnsupportedLayout { .. }
        )
    }

    /// Byte offset of the problem in the input.
    pub fn offset(&self) -> u64 {
        match self {
            MetadataError::Bitstream(e) => e.offset,
            MetadataError::UnknownRecord { offset, .. }
            | MetadataError::UnsupportedLayout { offset, .. }
            | MetadataError::Malformed { offset, .. } => *offset,
        }
    }

    fn shifted(self, base: u64) -> Self {
        match self {
            MetadataError::Bitstream(e) => MetadataError::Bitstream(BitstreamError {
                offset: e.offset + base,
                message: e.message,
            }),
            MetadataError::UnknownRecord {
                offset,
                block,
                code,
            } => MetadataError::UnknownRecord {
                offset: offset + base,
                block,
                code,
            },
            MetadataError::UnsupportedLayout {
                offset,
                code,
                message,
            } => MetadataError::UnsupportedLayout {
                offset: offset + base,
                code,
                message,
            },
            MetadataError::Malformed { offset, message } => MetadataError::Malformed {
                offset: offset + base,
                message,
            },
        }
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataError::Bitstream(e) => write!(f, "{e}"),
            MetadataError::UnknownRecord {
                offset,
                block,
                code,
            } => write!(
                f,
                "offset {offset}: unknown record code {code} in block {block} (metadata of an LLVM this reader does not know)"
            ),
            MetadataError::UnsupportedLayout {
                offset,
                code,
                message,
            } => write!(
                f,
                "offset {offset}: metadata record {code}: {message} (a layout this reader does not know)"
            ),
            MetadataError::Malformed { offset, message } => {
                write!(f, "offset {offset}: {message}")
            }
        }
    }
}

impl From<BitstreamError> for MetadataError {
    fn from(e: BitstreamError) -> Self {
        MetadataError::Bitstream(e)
    }
}

type MdResult<T> = std::result::Result<T, MetadataError>;

/// Index of a metadata node in [`ModuleMetadata::nodes`]: module-level
/// nodes keep their bitcode numbers; function-local ones follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MdId(pub u32);

/// An optional node operand (`null` in LLVM's textual IR when `None`).
pub type MdRef = Option<MdId>;
/// An optional `MDString` operand, resolved to its bytes.
pub type MdStr<'a> = Option<&'a [u8]>;

/// A size or offset in bits: a constant, or since LLVM 21 (records with the
/// `SizeIsMetadata` bit) a node, usually a constant as metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdInt {
    /// A constant.
    Const(u64),
    /// A node (or null).
    Node(MdRef),
}

/// A bound of a `DISubrange`: a constant (old layouts) or a node, which
/// for C arrays is a constant integer as metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A signed constant.
    Const(i64),
    /// A node (`DIVariable`, `DIExpression`, constant) or null.
    Node(MdRef),
}

/// What a `ValueAsMetadata` refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef {
    /// A global value: index into [`ModuleMetadata::globals`].
    Global(usize),
    /// An integer constant (sign-extended).
    Int(i128),
    /// A null or zero constant of any type.
    Null,
    /// Another module-level constant (by value id).
    Constant(u64),
    /// A function-local value (argument or instruction) by value id.
    Local(u64),
}

/// The value of a `DIEnumerator`: an `APInt` of `bit_width` bits as
/// little-endian 64-bit words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Width in bits (64 for the plain encoding).
    pub bit_width: u32,
    /// The words, least significant first.
    pub words: Vec<u64>,
}

impl EnumValue {
    /// The value as a 128-bit integer, sign- or zero-extended from
    /// `bit_width` as `is_unsigned` says, if it fits.
    pub fn to_i128(&self, is_unsigned: bool) -> Option<i128> {
        let bw = self.bit_width;
        if bw == 0 || self.words.len() as u64 != u64::from(bw).div_ceil(64) {
            return None;
        }
        let word = |i: usize| u128::from(self.words.get(i).copied().unwrap_or(0));
        let raw = word(0) | word(1) << 64;
        if bw <= 128 {
            let raw = if bw == 128 {
                raw
            } else {
                raw & ((1u128 << bw) - 1)
            };
            if is_unsigned {
                return i128::try_from(raw).ok();
            }
            let shift = 128 - bw;
            return Some(((raw << shift) as i128) >> shift);
        }
        // Wider: every bit above 127 must repeat bit 127 (signed) or be 0.
        let v = raw as i128;
        let fill = if !is_unsigned && v < 0 { u64::MAX } else { 0 };
        let last = self.words.len() - 1;
        for (i, &w) in self.words.iter().enumerate().skip(2) {
            let mask = if i == last && bw % 64 != 0 {
                (1u64 << (bw % 64)) - 1
            } else {
                u64::MAX
            };
            if w & mask != fill & mask {
                return None;
            }
        }
        (!is_unsigned || v >= 0).then_some(v)
    }
}

/// `DIBasicType` (`METADATA_BASIC_TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIBasicType<'a> {
    pub tag: u64,
    pub name: MdStr<'a>,
    pub size: MdInt,
    pub align: u64,
    pub encoding: u64,
    pub flags: u64,
    /// LLVM 20+.
    pub num_extra_inhabitants: u64,
    /// LLVM 21+.
    pub data_size: u64,
    /// LLVM 21+.
    pub file: MdRef,
    pub line: u64,
    pub scope: MdRef,
}

/// `DIDerivedType` (`METADATA_DERIVED_TYPE`): typedefs, pointers,
/// qualifiers, members, inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIDerivedType<'a> {
    pub tag: u64,
    pub name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub scope: MdRef,
    pub base_type: MdRef,
    pub size: MdInt,
    pub align: u64,
    pub offset: MdInt,
    pub flags: u64,
    /// Bitfield storage offset, static member constant, ...
    pub extra_data: MdRef,
    pub dwarf_address_space: Option<u64>,
    /// `btf_type_tag`/`btf_decl_tag` annotations (LLVM 14+).
    pub annotations: MdRef,
    /// Pointer authentication (LLVM 19+), packed as the writer packs it.
    pub ptr_auth_data: Option<u64>,
}

/// `DICompositeType` (`METADATA_COMPOSITE_TYPE`): structs, unions, enums,
/// arrays, Rust variant parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DICompositeType<'a> {
    pub tag: u64,
    pub name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub scope: MdRef,
    pub base_type: MdRef,
    pub size: MdInt,
    pub align: u64,
    pub offset: MdInt,
    pub flags: u64,
    pub elements: MdRef,
    pub runtime_lang: u64,
    pub vtable_holder: MdRef,
    pub template_params: MdRef,
    pub identifier: MdStr<'a>,
    pub discriminator: MdRef,
    pub data_location: MdRef,
    pub associated: MdRef,
    pub allocated: MdRef,
    pub rank: MdRef,
    pub annotations: MdRef,
    pub num_extra_inhabitants: u64,
    pub specification: MdRef,
    pub enum_kind: Option<u64>,
    pub bit_stride: MdRef,
}

/// `DISubroutineType` (`METADATA_SUBROUTINE_TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DISubroutineType {
    pub flags: u64,
    pub cc: u64,
    /// A tuple: the return type (null for void), then the parameter types
    /// (a trailing null for `...`).
    pub types: MdRef,
}

/// `DIFile` (`METADATA_FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIFile<'a> {
    pub filename: MdStr<'a>,
    pub directory: MdStr<'a>,
    /// `DIFile::ChecksumKind` (1 MD5, 2 SHA1, 3 SHA256) and the checksum.
    pub checksum: Option<(u64, MdStr<'a>)>,
    pub source: MdStr<'a>,
}

/// `DICompileUnit` (`METADATA_COMPILE_UNIT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DICompileUnit<'a> {
    /// `DW_LANG_*` (or a versioned language name, LLVM 22).
    pub language: u64,
    pub language_versioned: bool,
    pub language_version: u64,
    pub file: MdRef,
    pub producer: MdStr<'a>,
    pub is_optimized: bool,
    pub flags: MdStr<'a>,
    pub runtime_version: u64,
    pub split_debug_filename: MdStr<'a>,
    pub emission_kind: u64,
    pub enums: MdRef,
    pub retained_types: MdRef,
    /// Only in pre-3.9 bitcode.
    pub subprograms: MdRef,
    pub globals: MdRef,
    pub imports: MdRef,
    pub dwo_id: u64,
    pub macros: MdRef,
    pub split_debug_inlining: bool,
    pub debug_info_for_profiling: bool,
    pub name_table_kind: u64,
    pub ranges_base_address: bool,
    pub sysroot: MdStr<'a>,
    pub sdk: MdStr<'a>,
}

/// `DISubprogram` (`METADATA_SUBPROGRAM`, the `DISPFlags` layout LLVM 8+
/// writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DISubprogram<'a> {
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub linkage_name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub ty: MdRef,
    pub scope_line: u64,
    pub containing_type: MdRef,
    pub sp_flags: u64,
    pub virtual_index: u64,
    pub flags: u64,
    pub unit: MdRef,
    pub template_params: MdRef,
    pub declaration: MdRef,
    pub retained_nodes: MdRef,
    pub this_adjustment: i64,
    pub thrown_types: MdRef,
    pub annotations: MdRef,
    pub target_func_name: MdStr<'a>,
    /// LLVM 21+.
    pub key_instructions: bool,
}

/// `DIGlobalVariable` (`METADATA_GLOBAL_VAR`, versions 1 and 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIGlobalVariable<'a> {
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub linkage_name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub ty: MdRef,
    pub is_local: bool,
    pub is_definition: bool,
    pub static_data_member_declaration: MdRef,
    pub template_params: MdRef,
    pub align: u64,
    pub annotations: MdRef,
}

/// `DIGlobalVariableExpression` (`METADATA_GLOBAL_VAR_EXPR`): what a global
/// variable's `!dbg` attachment points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIGlobalVariableExpression {
    pub variable: MdRef,
    pub expression: MdRef,
}

/// `DIExpression` (`METADATA_EXPRESSION`, version 3): DWARF expression
/// operations, `DW_OP_LLVM_*` included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIExpression {
    pub elements: Vec<u64>,
}

/// `DIEnumerator` (`METADATA_ENUMERATOR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIEnumerator<'a> {
    pub name: MdStr<'a>,
    pub value: EnumValue,
    pub is_unsigned: bool,
}

/// `DISubrange` (`METADATA_SUBRANGE`, versions 0 to 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DISubrange {
    pub count: Bound,
    pub lower_bound: Bound,
    pub upper_bound: Bound,
    pub stride: Bound,
}

/// `DIGenericSubrange` (`METADATA_GENERIC_SUBRANGE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIGenericSubrange {
    pub count: MdRef,
    pub lower_bound: MdRef,
    pub upper_bound: MdRef,
    pub stride: MdRef,
}

/// `DIStringType` (`METADATA_STRING_TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIStringType<'a> {
    pub tag: u64,
    pub name: MdStr<'a>,
    pub string_length: MdRef,
    pub string_length_expression: MdRef,
    pub string_location_expression: MdRef,
    pub size: MdInt,
    pub align: u64,
    pub encoding: u64,
}

/// `DILocalVariable` (`METADATA_LOCAL_VAR`): parameters and locals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DILocalVariable<'a> {
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub ty: MdRef,
    /// 1-based argument number, 0 for a local.
    pub arg: u64,
    pub flags: u64,
    pub align: u64,
    pub annotations: MdRef,
}

/// `DILabel` (`METADATA_LABEL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DILabel<'a> {
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
    pub column: u64,
    pub is_artificial: bool,
    pub coro_suspend_idx: Option<u64>,
}

/// `DITemplateTypeParameter` (`METADATA_TEMPLATE_TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DITemplateTypeParameter<'a> {
    pub name: MdStr<'a>,
    pub ty: MdRef,
    pub is_default: bool,
}

/// `DITemplateValueParameter` (`METADATA_TEMPLATE_VALUE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DITemplateValueParameter<'a> {
    pub tag: u64,
    pub name: MdStr<'a>,
    pub ty: MdRef,
    pub is_default: bool,
    pub value: MdRef,
}

/// `DIImportedEntity` (`METADATA_IMPORTED_ENTITY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIImportedEntity<'a> {
    pub tag: u64,
    pub scope: MdRef,
    pub entity: MdRef,
    pub file: MdRef,
    pub line: u64,
    pub name: MdStr<'a>,
    pub elements: MdRef,
}

/// `DINamespace` (`METADATA_NAMESPACE`): Rust modules, C++ namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DINamespace<'a> {
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub export_symbols: bool,
}

/// `DIModule` (`METADATA_MODULE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DIModule<'a> {
    pub file: MdRef,
    pub scope: MdRef,
    pub name: MdStr<'a>,
    pub configuration_macros: MdStr<'a>,
    pub include_path: MdStr<'a>,
    pub api_notes_file: MdStr<'a>,
    pub line: u64,
    pub is_decl: bool,
}

/// `DILexicalBlock` (`METADATA_LEXICAL_BLOCK`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DILexicalBlock {
    pub scope: MdRef,
    pub file: MdRef,
    pub line: u64,
    pub column: u64,
}

/// `DILexicalBlockFile` (`METADATA_LEXICAL_BLOCK_FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DILexicalBlockFile {
    pub scope: MdRef,
    pub file: MdRef,
    pub discriminator: u64,
}

/// `DILocation` (`METADATA_LOCATION`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DILocation {
    pub line: u64,
    pub column: u64,
    pub scope: MdRef,
    pub inlined_at: MdRef,
    pub implicit_code: bool,
    /// Key instructions (LLVM 21+).
    pub atom_group: u64,
    pub atom_rank: u64,
}

/// `DICommonBlock` (`METADATA_COMMON_BLOCK`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DICommonBlock<'a> {
    pub scope: MdRef,
    pub decl: MdRef,
    pub name: MdStr<'a>,
    pub file: MdRef,
    pub line: u64,
}

/// One metadata node as `MetadataLoader` builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metadata<'a> {
    /// `MDString`.
    String(&'a [u8]),
    /// `ValueAsMetadata` (`METADATA_VALUE`): a typed value.
    Value {
        /// The value's type id in the module's type table.
        type_id: u64,
        /// The value.
        value: ValueRef,
    },
    /// A generic tuple `!{...}` (`METADATA_NODE`/`METADATA_DISTINCT_NODE`).
    Tuple(Vec<MdRef>),
    BasicType(Box<DIBasicType<'a>>),
    DerivedType(Box<DIDerivedType<'a>>),
    CompositeType(Box<DICompositeType<'a>>),
    SubroutineType(DISubroutineType),
    File(Box<DIFile<'a>>),
    CompileUnit(Box<DICompileUnit<'a>>),
    Subprogram(Box<DISubprogram<'a>>),
    GlobalVariable(Box<DIGlobalVariable<'a>>),
    GlobalVariableExpression(DIGlobalVariableExpression),
    Expression(DIExpression),
    Enumerator(DIEnumerator<'a>),
    Subrange(DISubrange),
    GenericSubrange(DIGenericSubrange),
    StringType(Box<DIStringType<'a>>),
    LocalVariable(Box<DILocalVariable<'a>>),
    Label(Box<DILabel<'a>>),
    TemplateTypeParameter(DITemplateTypeParameter<'a>),
    TemplateValueParameter(DITemplateValueParameter<'a>),
    ImportedEntity(DIImportedEntity<'a>),
    Namespace(DINamespace<'a>),
    Module(Box<DIModule<'a>>),
    LexicalBlock(DILexicalBlock),
    LexicalBlockFile(DILexicalBlockFile),
    Location(DILocation),
    CommonBlock(DICommonBlock<'a>),
    /// A node kind that does not describe C or Rust types (`GenericDINode`,
    /// `DIMacro`, `DIMacroFile`, `DIObjCProperty`, `DIArgList`,
    /// `DIAssignID`, `DIFixedPointType`, `DISubrangeType`): kept as its
    /// record code and raw operands.
    Other {
        /// The `METADATA_*` code.
        code: u64,
        /// The operands as written.
        ops: Vec<u64>,
    },
}

/// One field of a node as LLVM's assembly writer names it (`tag:`,
/// `baseType:`, ...), for dumps and for comparing with `llvm-dis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// A number (tags, flags, sizes, enumerator values, ...).
    Int(i128),
    /// A string operand.
    Str(MdStr<'a>),
    /// A node operand.
    Ref(MdRef),
}

struct FieldList<'a>(Vec<(&'static str, Field<'a>)>);

impl<'a> FieldList<'a> {
    fn int(mut self, name: &'static str, v: impl Into<i128>) -> Self {
        self.0.push((name, Field::Int(v.into())));
        self
    }
    fn str(mut self, name: &'static str, v: MdStr<'a>) -> Self {
        self.0.push((name, Field::Str(v)));
        self
    }
    fn r(mut self, name: &'static str, v: MdRef) -> Self {
        self.0.push((name, Field::Ref(v)));
        self
    }
    fn size(self, name: &'static str, v: MdInt) -> Self {
        match v {
            MdInt::Const(c) => self.int(name, c),
            MdInt::Node(r) => self.r(name, r),
        }
    }
    fn bound(self, name: &'static str, v: Bound) -> Self {
        match v {
            Bound::Const(c) => self.int(name, c),
            Bound::Node(r) => self.r(name, r),
        }
    }
}

impl<'a> Metadata<'a> {
    /// The node's class name in LLVM's assembly (`DICompositeType`, ...)
    /// and its fields named as the assembly writer names them; `None` for
    /// strings, values, tuples and expressions, which it prints inline.
    pub fn fields(&self) -> Option<(&'static str, Vec<(&'static str, Field<'a>)>)> {
        let f = FieldList(Vec::new());
        let (kind, f) = match self {
            Metadata::String(_)
            | Metadata::Value { .. }
            | Metadata::Tuple(_)
            | Metadata::Expression(_)
            | Metadata::Other { .. } => return None,
            Metadata::BasicType(b) => (
                "DIBasicType",
                f.int("tag", b.tag)
                    .str("name", b.name)
                    .size("size", b.size)
                    .int("align", b.align)
                    .int("encoding", b.encoding)
                    .int("num_extra_inhabitants", b.num_extra_inhabitants)
                    .int("dataSize", b.data_size)
                    .int("flags", b.flags)
                    .r("file", b.file)
                    .int("line", b.line)
                    .r("scope", b.scope),
            ),
            Metadata::DerivedType(d) => (
                "DIDerivedType",
                f.int("tag", d.tag)
                    .str("name", d.name)
                    .r("scope", d.scope)
                    .r("file", d.file)
                    .int("line", d.line)
                    .r("baseType", d.base_type)
                    .size("size", d.size)
                    .int("align", d.align)
                    .size("offset", d.offset)
                    .int("flags", d.flags)
                    .r("extraData", d.extra_data)
                    .int("dwarfAddressSpace", d.dwarf_address_space.unwrap_or(0))
                    .r("annotations", d.annotations)
                    .int("ptrAuthData", d.ptr_auth_data.unwrap_or(0)),
            ),
            Metadata::CompositeType(c) => (
                "DICompositeType",
                f.int("tag", c.tag)
                    .str("name", c.name)
                    .r("scope", c.scope)
                    .r("file", c.file)
                    .int("line", c.line)
                    .r("baseType", c.base_type)
                    .size("size", c.size)
                    .int("align", c.align)
                    .size("offset", c.offset)
                    .int("flags", c.flags)
                    .r("elements", c.elements)
                    .int("runtimeLang", c.runtime_lang)
                    .r("vtableHolder", c.vtable_holder)
                    .r("templateParams", c.template_params)
                    .str("identifier", c.identifier)
                    .r("discriminator", c.discriminator)
                    .r("dataLocation", c.data_location)
                    .r("associated", c.associated)
                    .r("allocated", c.allocated)
                    .r("rank", c.rank)
                    .r("annotations", c.annotations)
                    .int("num_extra_inhabitants", c.num_extra_inhabitants)
                    .r("specification", c.specification)
                    .int("enumKind", c.enum_kind.unwrap_or(0))
                    .r("bitStride", c.bit_stride),
            ),
            Metadata::SubroutineType(s) => (
                "DISubroutineType",
                f.int("flags", s.flags).int("cc", s.cc).r("types", s.types),
            ),
            Metadata::File(d) => (
                "DIFile",
                f.str("filename", d.filename)
                    .str("directory", d.directory)
                    .int("checksumkind", d.checksum.map_or(0, |c| c.0))
                    .str("checksum", d.checksum.and_then(|c| c.1))
                    .str("source", d.source),
            ),
            Metadata::CompileUnit(c) => (
                "DICompileUnit",
                f.int("language", c.language)
                    .r("file", c.file)
                    .str("producer", c.producer)
                    .int("isOptimized", c.is_optimized)
                    .str("flags", c.flags)
                    .int("runtimeVersion", c.runtime_version)
                    .str("splitDebugFilename", c.split_debug_filename)
                    .int("emissionKind", c.emission_kind)
                    .r("enums", c.enums)
                    .r("retainedTypes", c.retained_types)
                    .r("globals", c.globals)
                    .r("imports", c.imports)
                    .r("macros", c.macros)
                    .int("dwoId", c.dwo_id)
                    .int("splitDebugInlining", c.split_debug_inlining)
                    .int("debugInfoForProfiling", c.debug_info_for_profiling)
                    .int("nameTableKind", c.name_table_kind)
                    .int("rangesBaseAddress", c.ranges_base_address)
                    .str("sysroot", c.sysroot)
                    .str("sdk", c.sdk),
            ),
            Metadata::Subprogram(s) => (
                "DISubprogram",
                f.r("scope", s.scope)
                    .str("name", s.name)
                    .str("linkageName", s.linkage_name)
                    .r("file", s.file)
                    .int("line", s.line)
                    .r("type", s.ty)
                    .int("scopeLine", s.scope_line)
                    .r("containingType", s.containing_type)
                    .int("virtualIndex", s.virtual_index)
                    .int("thisAdjustment", s.this_adjustment)
                    .int("flags", s.flags)
                    .int("spFlags", s.sp_flags)
                    .r("unit", s.unit)
                    .r("templateParams", s.template_params)
                    .r("declaration", s.declaration)
                    .r("retainedNodes", s.retained_nodes)
                    .r("thrownTypes", s.thrown_types)
                    .r("annotations", s.annotations)
                    .str("targetFuncName", s.target_func_name)
                    .int("keyInstructions", s.key_instructions),
            ),
            Metadata::GlobalVariable(g) => (
                "DIGlobalVariable",
                f.str("name", g.name)
                    .str("linkageName", g.linkage_name)
                    .r("scope", g.scope)
                    .r("file", g.file)
                    .int("line", g.line)
                    .r("type", g.ty)
                    .int("isLocal", g.is_local)
                    .int("isDefinition", g.is_definition)
                    .r("declaration", g.static_data_member_declaration)
                    .r("templateParams", g.template_params)
                    .int("align", g.align)
                    .r("annotations", g.annotations),
            ),
            Metadata::GlobalVariableExpression(g) => (
                "DIGlobalVariableExpression",
                f.r("var", g.variable).r("expr", g.expression),
            ),
            Metadata::Enumerator(e) => {
                let v = e.value.to_i128(e.is_unsigned).unwrap_or(i128::MIN);
                (
                    "DIEnumerator",
                    f.str("name", e.name)
                        .int("value", v)
                        .int("isUnsigned", e.is_unsigned),
                )
            }
            Metadata::Subrange(s) => (
                "DISubrange",
                f.bound("count", s.count)
                    .bound("lowerBound", s.lower_bound)
                    .bound("upperBound", s.upper_bound)
                    .bound("stride", s.stride),
            ),
            Metadata::GenericSubrange(s) => (
                "DIGenericSubrange",
                f.r("count", s.count)
                    .r("lowerBound", s.lower_bound)
                    .r("upperBound", s.upper_bound)
                    .r("stride", s.stride),
            ),
            Metadata::StringType(s) => (
                "DIStringType",
                f.int("tag", s.tag)
                    .str("name", s.name)
                    .r("stringLength", s.string_length)
                    .r("stringLengthExpression", s.string_length_expression)
                    .r("stringLocationExpression", s.string_location_expression)
                    .size("size", s.size)
                    .int("align", s.align)
                    .int("encoding", s.encoding),
            ),
            Metadata::LocalVariable(v) => (
                "DILocalVariable",
                f.str("name", v.name)
                    .int("arg", v.arg)
                    .r("scope", v.scope)
                    .r("file", v.file)
                    .int("line", v.line)
                    .r("type", v.ty)
                    .int("flags", v.flags)
                    .int("align", v.align)
                    .r("annotations", v.annotations),
            ),
            Metadata::Label(l) => (
                "DILabel",
                f.r("scope", l.scope)
                    .str("name", l.name)
                    .r("file", l.file)
                    .int("line", l.line)
                    .int("column", l.column)
                    .int("isArtificial", l.is_artificial)
                    .int("coroSuspendIdx", l.coro_suspend_idx.unwrap_or(0)),
            ),
            Metadata::TemplateTypeParameter(t) => (
                "DITemplateTypeParameter",
                f.str("name", t.name)
                    .r("type", t.ty)
                    .int("defaulted", t.is_default),
            ),
            Metadata::TemplateValueParameter(t) => (
                "DITemplateValueParameter",
                f.int("tag", t.tag)
                    .str("name", t.name)
                    .r("type", t.ty)
                    .int("defaulted", t.is_default)
                    .r("value", t.value),
            ),
            Metadata::ImportedEntity(e) => (
                "DIImportedEntity",
                f.int("tag", e.tag)
                    .str("name", e.name)
                    .r("scope", e.scope)
                    .r("entity", e.entity)
                    .r("file", e.file)
                    .int("line", e.line)
                    .r("elements", e.elements),
            ),
            Metadata::Namespace(n) => (
                "DINamespace",
                f.str("name", n.name)
                    .r("scope", n.scope)
                    .int("exportSymbols", n.export_symbols),
            ),
            Metadata::Module(m) => (
                "DIModule",
                f.r("scope", m.scope)
                    .str("name", m.name)
                    .str("configMacros", m.configuration_macros)
                    .str("includePath", m.include_path)
                    .str("apinotes", m.api_notes_file)
                    .r("file", m.file)
                    .int("line", m.line)
                    .int("isDecl", m.is_decl),
            ),
            Metadata::LexicalBlock(b) => (
                "DILexicalBlock",
                f.r("scope", b.scope)
                    .r("file", b.file)
                    .int("line", b.line)
                    .int("column", b.column),
            ),
            Metadata::LexicalBlockFile(b) => (
                "DILexicalBlockFile",
                f.r("scope", b.scope)
                    .r("file", b.file)
                    .int("discriminator", b.discriminator),
            ),
            Metadata::Location(l) => (
                "DILocation",
                f.int("line", l.line)
                    .int("column", l.column)
                    .r("scope", l.scope)
                    .r("inlinedAt", l.inlined_at)
                    .int("isImplicitCode", l.implicit_code)
                    .int("atomGroup", l.atom_group)
                    .int("atomRank", l.atom_rank),
            ),
            Metadata::CommonBlock(b) => (
                "DICommonBlock",
                f.r("scope", b.scope)
                    .r("declaration", b.decl)
                    .str("name", b.name)
                    .r("file", b.file)
                    .int("line", b.line),
            ),
        };
        Some((kind, f.0))
    }
}

// Kernel objects have tens of thousands of nodes, half of them
// DILocations: kinds larger than these are boxed.
const _: () = assert!(std::mem::size_of::<Node>() <= 96);

/// A node and whether it is `distinct`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// `distinct !...`.
    pub distinct: bool,
    /// The node.
    pub md: Metadata<'a>,
}

/// What kind of global value a [`GlobalObject`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalKind {
    /// `MODULE_CODE_GLOBALVAR`.
    Variable,
    /// `MODULE_CODE_FUNCTION`.
    Function,
    /// `MODULE_CODE_ALIAS`.
    Alias,
    /// `MODULE_CODE_IFUNC`.
    IFunc,
}

/// A global value of the module, in value-id order, with its metadata
/// attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalObject<'a> {
    /// The IR name from the string table (the symbol name).
    pub name: &'a [u8],
    /// Variable, function, alias or ifunc.
    pub kind: GlobalKind,
    /// A declaration (no initializer / no body).
    pub declaration: bool,
    /// The linkage as encoded in the record (`getEncodedLinkage`: 0
    /// external, 3 internal, 9 private, ...).
    pub linkage: u64,
    /// Attachments: metadata kind id and node.
    pub attachments: Vec<(u64, MdId)>,
    /// For an alias or ifunc: the global value it resolves to, when that
    /// is a global value itself (not a constant expression).
    pub aliasee: Option<usize>,
    /// A variable's explicit section: index into
    /// [`ModuleMetadata::sections`].
    pub section: Option<usize>,
    /// A variable in an explicit section whose initializer is a string
    /// constant (`c"..."`): its bytes.
    pub initializer: Option<Vec<u8>>,
    /// `log2(alignment) + 1` as the record encodes it (0: none).
    pub align_log2_plus_1: u64,
    init_value: Option<u64>,
}

/// A named metadata list (`!llvm.dbg.cu = !{...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedMetadata {
    /// The name.
    pub name: Vec<u8>,
    /// The operands.
    pub operands: Vec<MdId>,
}

/// The debug-info metadata of one module of a bitcode file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleMetadata<'a> {
    /// The producer from the module's `IDENTIFICATION_BLOCK`.
    pub producer: Option<String>,
    /// `MODULE_CODE_SOURCE_FILENAME`.
    pub source_file_name: Vec<u8>,
    /// `MODULE_CODE_TRIPLE`: the target triple.
    pub target_triple: Vec<u8>,
    /// Width of each integer type of the type table, by type id (0 for
    /// types that are not integers).
    pub int_type_widths: Vec<u32>,
    /// `MODULE_CODE_SECTIONNAME`s: the explicit section names.
    pub sections: Vec<Vec<u8>>,
    /// Every node: module-level ones first (their bitcode numbers), then
    /// each function's local ones.
    pub nodes: Vec<Node<'a>>,
    /// How many of [`Self::nodes`] are module-level.
    pub module_nodes: usize,
    /// Named metadata.
    pub named: Vec<NamedMetadata>,
    /// Attachment kinds: id and name (`dbg` is 0 in every LLVM).
    pub kinds: Vec<(u64, Vec<u8>)>,
    /// Global variables, functions, aliases and ifuncs in value-id order.
    pub globals: Vec<GlobalObject<'a>>,
}

impl<'a> ModuleMetadata<'a> {
    /// The node `id`.
    pub fn node(&self, id: MdId) -> Option<&Node<'a>> {
        self.nodes.get(id.0 as usize)
    }

    /// The node `id`, without its `distinct` bit.
    pub fn md(&self, id: MdId) -> Option<&Metadata<'a>> {
        self.node(id).map(|n| &n.md)
    }

    /// The attachment kind id named `name` (`dbg`, `type`, ...).
    pub fn kind_id(&self, name: &[u8]) -> Option<u64> {
        self.kinds
            .iter()
            .find(|(_, n)| n.as_slice() == name)
            .map(|(id, _)| *id)
    }

    /// The `!dbg` attachments of `global`: its `DISubprogram` (a function)
    /// or its `DIGlobalVariableExpression`s (a variable).
    pub fn dbg(&self, global: &GlobalObject<'a>) -> Vec<MdId> {
        let dbg = self.kind_id(b"dbg").unwrap_or(0);
        global
            .attachments
            .iter()
            .filter(|(k, _)| *k == dbg)
            .map(|(_, id)| *id)
            .collect()
    }

    /// The global value named `name`, if any.
    pub fn global(&self, name: &[u8]) -> Option<&GlobalObject<'a>> {
        self.globals.iter().find(|g| g.name == name)
    }

    /// What the object file's section `name` will hold from this module's
    /// variables placed there with string initializers, in module order
    /// and aligned as declared — e.g. the kABI rules gendwarfksyms reads
    /// from `.discard.gendwarfksyms.kabi_rules`. `None` when no variable is
    /// in that section; `Err(variable name)` when one is but its
    /// initializer is not a string constant.
    pub fn section_bytes(&self, name: &[u8]) -> Option<Result<Vec<u8>, &'a [u8]>> {
        let idx = self.sections.iter().position(|s| s == name)?;
        let mut out = Vec::new();
        let mut any = false;
        for g in &self.globals {
            if g.section != Some(idx) || g.kind != GlobalKind::Variable || g.declaration {
                continue;
            }
            any = true;
            let Some(init) = &g.initializer else {
                return Some(Err(g.name));
            };
            let align = match g.align_log2_plus_1 {
                0 => 1,
                a => 1usize << (a - 1).min(16),
            };
            out.resize(out.len().div_ceil(align) * align, 0);
            out.extend_from_slice(init);
        }
        any.then_some(Ok(out))
    }

    /// The integer a node holds if it is a constant integer as metadata
    /// (`i64 3`), as `DISubrange` counts and LLVM 21+ sizes are.
    pub fn constant_int(&self, id: MdId) -> Option<i128> {
        match self.md(id)? {
            Metadata::Value {
                value: ValueRef::Int(v),
                ..
            } => Some(*v),
            Metadata::Value {
                value: ValueRef::Null,
                ..
            } => Some(0),
            _ => None,
        }
    }

    /// The integer a constant-as-metadata node holds, zero-extended from
    /// its type's width (LLVM's `ConstantInt::getZExtValue`).
    pub fn constant_uint(&self, id: MdId) -> Option<u128> {
        let v = self.constant_int(id)?;
        let width = match self.md(id)? {
            Metadata::Value { type_id, .. } => self
                .int_type_widths
                .get(*type_id as usize)
                .copied()
                .unwrap_or(0),
            _ => 0,
        };
        Some(match width {
            1..=127 => (v as u128) & ((1u128 << width) - 1),
            _ => v as u128,
        })
    }

    /// The constant value of a size or offset field, if it is constant.
    pub fn int_value(&self, v: MdInt) -> Option<i128> {
        match v {
            MdInt::Const(c) => Some(i128::from(c)),
            MdInt::Node(None) => Some(0),
            MdInt::Node(Some(id)) => self.constant_int(id),
        }
    }

    /// The string a node is, if it is an `MDString`.
    pub fn string(&self, id: MdId) -> Option<&'a [u8]> {
        match self.md(id)? {
            Metadata::String(s) => Some(s),
            _ => None,
        }
    }

    /// The operands of a tuple node (empty for null or a non-tuple).
    pub fn tuple(&self, id: MdRef) -> &[MdRef] {
        match id.and_then(|i| self.md(i)) {
            Some(Metadata::Tuple(ops)) => ops,
            _ => &[],
        }
    }
}

/// Reads the debug-info metadata of every module of a bitcode file (raw or
/// wrapped), with each global value's attachments.
pub fn read(data: &[u8]) -> MdResult<Vec<ModuleMetadata<'_>>> {
    let (bc, base) = unwrap(data)?;
    read_bitcode(bc).map_err(|e| e.shifted(base))
}

fn malformed(offset_bits: u64, message: impl Into<String>) -> MetadataError {
    MetadataError::Malformed {
        offset: offset_bits / 8,
        message: message.into(),
    }
}

fn read_bitcode(bc: &[u8]) -> MdResult<Vec<ModuleMetadata<'_>>> {
    if !bc.starts_with(&BITCODE_MAGIC) {
        return Err(malformed(0, "expected the bitcode magic BC\\xC0\\xDE"));
    }
    let mut cur = Cursor::new(bc);
    cur.seek(32)?;
    let mut out: Vec<ModuleMetadata<'_>> = Vec::new();
    // Modules whose names wait for the next STRTAB: (index in out, names).
    let mut pending: Vec<(usize, Vec<(u64, u64)>)> = Vec::new();
    let mut producer: Option<String> = None;
    let info = BlockInfo::default();
    loop {
        if cur.byte_pos() + 8 >= bc.len() as u64 {
            break;
        }
        let at = cur.bit_pos();
        match cur.fixed(2)? {
            ENTER_SUBBLOCK => {}
            _ => return Err(malformed(at, "expected a block at the top level")),
        }
        let hdr = cur.enter_subblock()?;
        match hdr.id {
            IDENTIFICATION_BLOCK_ID => {
                let mut block = cur.enter_block(hdr, &info);
                let mut ident = String::new();
                loop {
                    match cur.next_entry(&mut block)? {
                        Entry::EndBlock => break,
                        Entry::SubBlock(h) => cur.skip_block(&h)?,
                        Entry::Record(r) if r.code == 1 => {
                            ident = r.ops.iter().map(|&v| char::from(v as u8)).collect()
                        }
                        Entry::Record(_) => {}
                    }
                }
                producer = Some(ident);
            }
            MODULE_BLOCK_ID => {
                let mut reader = ModuleReader::new(&mut cur);
                reader.module(hdr)?;
                let (mut m, names) = reader.finish();
                m.producer = producer.take();
                out.push(m);
                pending.push((out.len() - 1, names));
            }
            STRTAB_BLOCK_ID => {
                let mut block = cur.enter_block(hdr, &info);
                let mut blob: &[u8] = &[];
                loop {
                    match cur.next_entry(&mut block)? {
                        Entry::EndBlock => break,
                        Entry::SubBlock(h) => cur.skip_block(&h)?,
                        Entry::Record(r) => {
                            if let (1, Some(b)) = (r.code, r.blob) {
                                blob = b;
                            }
                        }
                    }
                }
                for (i, names) in pending.drain(..) {
                    for (g, &(off, size)) in out[i].globals.iter_mut().zip(&names) {
                        g.name = off
                            .checked_add(size)
                            .and_then(|end| blob.get(off as usize..end as usize))
                            .ok_or_else(|| {
                                malformed(
                                    hdr.body_start,
                                    format!(
                                        "global name at {off}+{size} is past the end of the string table ({} bytes)",
                                        blob.len()
                                    ),
                                )
                            })?;
                    }
                }
            }
            _ => cur.skip_block(&hdr)?,
        }
    }
    if let Some((i, names)) = pending.first() {
        if names.iter().any(|&(_, size)| size > 0) {
            return Err(malformed(
                0,
                format!("module {i} names its globals in a string table the file does not have"),
            ));
        }
    }
    Ok(out)
}

/// How raw metadata ids of the block being read map to [`MdId`]s.
#[derive(Debug, Clone, Copy)]
struct Numbering {
    /// Module-level node count (ids below it are module-level).
    module: u64,
    /// Where this function's local nodes start in the arena.
    base: u64,
}

impl Numbering {
    fn map(&self, raw: u64) -> MdResult<MdId> {
        let idx = if raw < self.module {
            raw
        } else {
            self.base.saturating_add(raw - self.module)
        };
        u32::try_from(idx)
            .map(MdId)
            .map_err(|_| malformed(0, format!("metadata id {raw} is out of range")))
    }
}

struct ModuleReader<'c, 'a> {
    cur: &'c mut Cursor<'a>,
    info: BlockInfo,
    m: ModuleMetadata<'a>,
    names: Vec<(u64, u64)>,
    /// Module-level constants after the globals (value ids on from
    /// `globals.len()`).
    constants: Vec<ValueRef>,
    /// Value ids of the initializers of variables in explicit sections,
    /// and the string constants among them.
    wanted_strings: std::collections::HashSet<u64>,
    strings: Vec<(u64, Vec<u8>)>,
    version: Option<u64>,
    /// Defined functions whose FUNCTION_BLOCK has not been read yet.
    bodies: std::collections::VecDeque<usize>,
    /// The highest raw metadata id referenced in the block being read.
    max_ref: Option<(u64, u64)>,
}

impl<'c, 'a> ModuleReader<'c, 'a> {
    fn new(cur: &'c mut Cursor<'a>) -> Self {
        ModuleReader {
            cur,
            info: BlockInfo::default(),
            m: ModuleMetadata::default(),
            names: Vec::new(),
            constants: Vec::new(),
            wanted_strings: Default::default(),
            strings: Vec::new(),
            version: None,
            bodies: Default::default(),
            max_ref: None,
        }
    }

    fn finish(mut self) -> (ModuleMetadata<'a>, Vec<(u64, u64)>) {
        let n = self.m.globals.len();
        let strings: std::collections::HashMap<u64, Vec<u8>> = self.strings.drain(..).collect();
        for g in &mut self.m.globals {
            g.aliasee = g.aliasee.filter(|&a| a < n);
            if g.section.is_some() {
                g.initializer = g.init_value.and_then(|v| strings.get(&v).cloned());
            }
        }
        (self.m, self.names)
    }

    fn module(&mut self, hdr: BlockHeader) -> MdResult<()> {
        let mut block = self.cur.enter_block(hdr, &self.info);
        loop {
            let at = self.cur.bit_pos();
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => break,
                Entry::SubBlock(h) => match h.id {
                    BLOCKINFO_BLOCK_ID => self.cur.read_block_info(h, &mut self.info)?,
                    CONSTANTS_BLOCK_ID => self.constants_block(h)?,
                    TYPE_BLOCK_ID => self.type_block(h)?,
                    METADATA_KIND_BLOCK_ID => self.kind_block(h)?,
                    METADATA_BLOCK_ID => {
                        let n = Numbering {
                            module: u64::MAX,
                            base: 0,
                        };
                        self.metadata_block(h, n, true)?;
                        self.m.module_nodes = self.m.nodes.len();
                    }
                    FUNCTION_BLOCK_ID => self.function_block(h)?,
                    _ => self.cur.skip_block(&h)?,
                },
                Entry::Record(r) => self.module_record(r, at)?,
            }
        }
        Ok(())
    }

    fn module_record(&mut self, r: Record<'a>, at: u64) -> MdResult<()> {
        let kind = match r.code {
            module_code::VERSION => {
                let v = r.ops.first().copied().unwrap_or(0);
                if v != 2 {
                    return Err(MetadataError::UnsupportedLayout {
                        offset: at / 8,
                        code: r.code,
                        message: format!(
                            "module version {v} (names outside the string table, before LLVM 5)"
                        ),
                    });
                }
                self.version = Some(v);
                return Ok(());
            }
            module_code::SOURCE_FILENAME => {
                self.m.source_file_name = r.ops.iter().map(|&v| v as u8).collect();
                return Ok(());
            }
            module_code::TRIPLE => {
                self.m.target_triple = r.ops.iter().map(|&v| v as u8).collect();
                return Ok(());
            }
            module_code::SECTIONNAME => {
                self.m
                    .sections
                    .push(r.ops.iter().map(|&v| v as u8).collect());
                return Ok(());
            }
            module_code::GLOBALVAR => GlobalKind::Variable,
            module_code::FUNCTION => GlobalKind::Function,
            module_code::ALIAS => GlobalKind::Alias,
            module_code::IFUNC => GlobalKind::IFunc,
            _ => return Ok(()),
        };
        if self.version != Some(2) {
            return Err(malformed(
                at,
                "global value record before MODULE_CODE_VERSION 2",
            ));
        }
        if !self.constants.is_empty() {
            return Err(malformed(
                at,
                "global value record after the module constants",
            ));
        }
        let op = |i: usize| -> MdResult<u64> {
            r.ops
                .get(i)
                .copied()
                .ok_or_else(|| MetadataError::UnsupportedLayout {
                    offset: at / 8,
                    code: r.code,
                    message: format!("module record with {} operands", r.ops.len()),
                })
        };
        let (off, size) = (op(0)?, op(1)?);
        let (declaration, linkage) = match kind {
            // [strtab offset, size, type, isconst, initid, linkage, ...]
            GlobalKind::Variable => (op(4)? == 0, op(5)?),
            // [strtab offset, size, type, cc, isproto, linkage, ...]
            GlobalKind::Function => (op(4)? != 0, op(5)?),
            // [strtab offset, size, type, addrspace, aliasee, linkage, ...]
            GlobalKind::Alias | GlobalKind::IFunc => (false, op(5)?),
        };
        if kind == GlobalKind::Function && !declaration {
            self.bodies.push_back(self.m.globals.len());
        }
        let aliasee = match kind {
            GlobalKind::Alias | GlobalKind::IFunc => Some(op(4)? as usize),
            _ => None,
        };
        // [.., initid, linkage, alignment, section, ...]
        let (init_value, align_log2_plus_1, section) = match kind {
            GlobalKind::Variable => (
                op(4)?.checked_sub(1),
                r.ops.get(6).copied().unwrap_or(0),
                r.ops
                    .get(7)
                    .and_then(|&s| s.checked_sub(1))
                    .map(|s| s as usize),
            ),
            _ => (None, 0, None),
        };
        self.m.globals.push(GlobalObject {
            name: &[],
            kind,
            declaration,
            linkage,
            attachments: Vec::new(),
            aliasee,
            section,
            initializer: None,
            align_log2_plus_1,
            init_value,
        });
        self.names.push((off, size));
        Ok(())
    }

    /// Module constants: each record but SETTYPE defines the next value.
    fn constants_block(&mut self, hdr: BlockHeader) -> MdResult<()> {
        self.wanted_strings = self
            .m
            .globals
            .iter()
            .filter(|g| g.section.is_some())
            .filter_map(|g| g.init_value)
            .collect();
        let mut block = self.cur.enter_block(hdr, &self.info);
        loop {
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => return Ok(()),
                Entry::SubBlock(h) => self.cur.skip_block(&h)?,
                Entry::Record(r) if r.code == cst_code::SETTYPE => self.cur.recycle(r),
                Entry::Record(r) => {
                    let id = (self.m.globals.len() + self.constants.len()) as u64;
                    let v = match r.code {
                        cst_code::NULL => ValueRef::Null,
                        cst_code::INTEGER => match r.ops.first() {
                            Some(&w) => ValueRef::Int(i128::from(unrotate_sign(w))),
                            None => ValueRef::Constant(id),
                        },
                        cst_code::WIDE_INTEGER => {
                            wide_constant(&r.ops).unwrap_or(ValueRef::Constant(id))
                        }
                        cst_code::STRING | cst_code::CSTRING => {
                            if self.wanted_strings.contains(&id) {
                                let mut b: Vec<u8> = r.ops.iter().map(|&c| c as u8).collect();
                                if r.code == cst_code::CSTRING {
                                    b.push(0);
                                }
                                self.strings.push((id, b));
                            }
                            ValueRef::Constant(id)
                        }
                        _ => ValueRef::Constant(id),
                    };
                    self.constants.push(v);
                    self.cur.recycle(r);
                }
            }
        }
    }

    /// The type table, for the widths of integer constants.
    fn type_block(&mut self, hdr: BlockHeader) -> MdResult<()> {
        let mut block = self.cur.enter_block(hdr, &self.info);
        loop {
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => return Ok(()),
                Entry::SubBlock(h) => self.cur.skip_block(&h)?,
                Entry::Record(r) => {
                    match r.code {
                        TYPE_NUMENTRY | TYPE_STRUCT_NAME => {}
                        TYPE_INTEGER => {
                            let w = r.ops.first().copied().unwrap_or(0);
                            self.m.int_type_widths.push(u32::try_from(w).unwrap_or(0));
                        }
                        _ => self.m.int_type_widths.push(0),
                    }
                    self.cur.recycle(r);
                }
            }
        }
    }

    fn kind_block(&mut self, hdr: BlockHeader) -> MdResult<()> {
        let mut block = self.cur.enter_block(hdr, &self.info);
        loop {
            let at = self.cur.bit_pos();
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => return Ok(()),
                Entry::SubBlock(h) => self.cur.skip_block(&h)?,
                Entry::Record(r) if r.code == code::KIND => self.kind_record(&r, at)?,
                Entry::Record(_) => {}
            }
        }
    }

    fn kind_record(&mut self, r: &Record<'a>, at: u64) -> MdResult<()> {
        let Some((&id, name)) = r.ops.split_first() else {
            return Err(malformed(at, "METADATA_KIND without a kind id"));
        };
        if self.m.kinds.iter().any(|(k, _)| *k == id) {
            return Err(malformed(
                at,
                format!("conflicting METADATA_KIND records for kind {id}"),
            ));
        }
        self.m
            .kinds
            .push((id, name.iter().map(|&c| c as u8).collect()));
        Ok(())
    }

    /// A function body: its local metadata and its attachments; the
    /// instructions are read past.
    fn function_block(&mut self, hdr: BlockHeader) -> MdResult<()> {
        let func = self.bodies.pop_front().ok_or_else(|| {
            malformed(
                hdr.body_start,
                "more function bodies than defined functions",
            )
        })?;
        let numbering = Numbering {
            module: self.m.module_nodes as u64,
            base: self.m.nodes.len() as u64,
        };
        let mut block = self.cur.enter_block(hdr, &self.info);
        block.read_past_operands();
        loop {
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => return Ok(()),
                Entry::Record(r) => self.cur.recycle(r),
                Entry::SubBlock(h) => match h.id {
                    METADATA_BLOCK_ID => self.metadata_block(h, numbering, false)?,
                    METADATA_ATTACHMENT_ID => self.attachment_block(h, func, numbering)?,
                    _ => self.cur.skip_block(&h)?,
                },
            }
        }
    }

    fn attachment_block(&mut self, hdr: BlockHeader, func: usize, n: Numbering) -> MdResult<()> {
        let mut block = self.cur.enter_block(hdr, &self.info);
        let local_end = self.m.nodes.len() as u64;
        loop {
            let at = self.cur.bit_pos();
            match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => return Ok(()),
                Entry::SubBlock(h) => self.cur.skip_block(&h)?,
                Entry::Record(r) if r.code == code::ATTACHMENT => {
                    if r.ops.is_empty() {
                        return Err(malformed(at, "empty METADATA_ATTACHMENT"));
                    }
                    // Odd length: an instruction's attachments.
                    if r.ops.len() % 2 == 1 {
                        continue;
                    }
                    for pair in r.ops.chunks_exact(2) {
                        let id = n.map(pair[1]).map_err(|e| e.shifted(at / 8))?;
                        if u64::from(id.0) >= local_end {
                            return Err(malformed(
                                at,
                                format!("function attachment refers to metadata !{} that does not exist", pair[1]),
                            ));
                        }
                        self.m.globals[func].attachments.push((pair[0], id));
                    }
                }
                Entry::Record(_) => {}
            }
        }
    }

    /// A `METADATA_BLOCK`, module-level or a function's.
    fn metadata_block(
        &mut self,
        hdr: BlockHeader,
        n: Numbering,
        module_level: bool,
    ) -> MdResult<()> {
        let mut block = self.cur.enter_block(hdr, &self.info);
        self.max_ref = None;
        let first = self.m.nodes.len();
        let mut index = IndexCheck::default();
        let mut global_attachments: Vec<(u64, Vec<u64>)> = Vec::new();
        loop {
            let at = self.cur.bit_pos();
            let r = match self.cur.next_entry(&mut block)? {
                Entry::EndBlock => break,
                Entry::SubBlock(h) => {
                    self.cur.skip_block(&h)?;
                    continue;
                }
                Entry::Record(r) => r,
            };
            match r.code {
                code::NAME => {
                    // The name, then a METADATA_NAMED_NODE record.
                    let name: Vec<u8> = r.ops.iter().map(|&c| c as u8).collect();
                    let at2 = self.cur.bit_pos();
                    let next = match self.cur.next_entry(&mut block)? {
                        Entry::Record(r2) if r2.code == code::NAMED_NODE => r2,
                        _ => {
                            return Err(malformed(
                                at2,
                                "METADATA_NAME not followed by METADATA_NAMED_NODE",
                            ))
                        }
                    };
                    let mut operands = Vec::with_capacity(next.ops.len());
                    for &raw in &next.ops {
                        self.note_ref(raw, at2);
                        operands.push(n.map(raw).map_err(|e| e.shifted(at2 / 8))?);
                    }
                    self.m.named.push(NamedMetadata { name, operands });
                }
                code::KIND => self.kind_record(&r, at)?,
                code::INDEX_OFFSET => {
                    if r.ops.len() != 2 {
                        return Err(MetadataError::UnsupportedLayout {
                            offset: at / 8,
                            code: r.code,
                            message: format!("index offset with {} operands", r.ops.len()),
                        });
                    }
                    index.after_offset = Some(self.cur.bit_pos());
                    index.offset = r.ops[0] | r.ops[1] << 32;
                }
                code::INDEX => index.check(&r.ops, at)?,
                code::GLOBAL_DECL_ATTACHMENT => {
                    if r.ops.len() % 2 == 0 {
                        return Err(malformed(
                            at,
                            "METADATA_GLOBAL_DECL_ATTACHMENT of even length",
                        ));
                    }
                    for pair in r.ops[1..].chunks_exact(2) {
                        self.note_ref(pair[1], at);
                    }
                    global_attachments.push((r.ops[0], r.ops[1..].to_vec()));
                }
                _ => {
                    let before = self.m.nodes.len();
                    self.node_record(&r, at, n)?;
                    if self.m.nodes.len() > before && index.after_offset.is_some() {
                        index.positions.push(at);
                    }
                }
            }
            self.cur.recycle(r);
        }
        let count = (self.m.nodes.len() - first) as u64;
        let limit = if module_level {
            count + first as u64
        } else {
            n.module + count
        };
        if let Some((raw, at)) = self.max_ref {
            if raw >= limit {
                return Err(malformed(
                    at,
                    format!("reference to metadata !{raw}, but only {limit} exist"),
                ));
            }
        }
        for (value, pairs) in global_attachments {
            let g = self.m.globals.get_mut(value as usize).ok_or_else(|| {
                malformed(
                    hdr.body_start,
                    format!("attachment to value {value}, not a global"),
                )
            })?;
            for pair in pairs.chunks_exact(2) {
                g.attachments.push((pair[0], MdId(pair[1] as u32)));
            }
        }
        Ok(())
    }

    fn note_ref(&mut self, raw: u64, at: u64) {
        if self.max_ref.map_or(true, |(m, _)| raw > m) {
            self.max_ref = Some((raw, at));
        }
    }

    fn value_ref(&self, value_id: u64) -> ValueRef {
        let globals = self.m.globals.len() as u64;
        if value_id < globals {
            return ValueRef::Global(value_id as usize);
        }
        match self.constants.get((value_id - globals) as usize) {
            Some(v) => *v,
            None => ValueRef::Local(value_id),
        }
    }

    fn push(&mut self, distinct: bool, md: Metadata<'a>) {
        self.m.nodes.push(Node { distinct, md });
    }

    /// One node record: appends exactly one node (or, for METADATA_STRINGS,
    /// one per string).
    fn node_record(&mut self, r: &Record<'a>, at: u64, n: Numbering) -> MdResult<()> {
        let mut f = Fields {
            r,
            at,
            n,
            nodes: &self.m.nodes,
            max_ref: self.max_ref,
        };
        let ops = &r.ops;
        let (distinct, md) = match r.code {
            code::STRINGS => {
                return self.strings(r, at);
            }
            code::STRING_OLD => {
                return Err(f.unsupported("METADATA_STRING_OLD (strings before LLVM 4)"));
            }
            code::VALUE => {
                f.len(2, 2)?;
                let v = self.value_ref(ops[1]);
                (
                    false,
                    Metadata::Value {
                        type_id: ops[0],
                        value: v,
                    },
                )
            }
            code::NODE | code::DISTINCT_NODE => {
                let mut elts = Vec::with_capacity(ops.len());
                for i in 0..ops.len() {
                    elts.push(f.md(i)?);
                }
                (r.code == code::DISTINCT_NODE, Metadata::Tuple(elts))
            }
            code::OLD_NODE | code::OLD_FN_NODE => {
                return Err(f.unsupported("pre-3.6 metadata node layout"));
            }
            code::LOCATION => {
                if !matches!(ops.len(), 5 | 6 | 8) {
                    return Err(f.bad_len());
                }
                let loc = DILocation {
                    line: ops[1],
                    column: ops[2],
                    scope: Some(f.md_raw(3)?),
                    inlined_at: f.md(4)?,
                    implicit_code: f.opt(5) != 0,
                    atom_group: if ops.len() == 8 { ops[6] } else { 0 },
                    atom_rank: if ops.len() == 8 { ops[7] } else { 0 },
                };
                (ops[0] != 0, Metadata::Location(loc))
            }
            code::GENERIC_DEBUG
            | code::MACRO
            | code::MACRO_FILE
            | code::OBJC_PROPERTY
            | code::ARG_LIST
            | code::ASSIGN_ID
            | code::FIXED_POINT_TYPE
            | code::SUBRANGE_TYPE => {
                let distinct = match r.code {
                    code::ARG_LIST => false,
                    _ => ops.first().is_some_and(|&d| d & 1 == 1),
                };
                (
                    distinct,
                    Metadata::Other {
                        code: r.code,
                        ops: ops.clone(),
                    },
                )
            }
            code::SUBRANGE => {
                f.len(3, 5)?;
                let version = ops[0] >> 1;
                let s = match version {
                    0 => DISubrange {
                        count: Bound::Const(ops[1] as i64),
                        lower_bound: Bound::Const(unrotate_sign(ops[2])),
                        upper_bound: Bound::Node(None),
                        stride: Bound::Node(None),
                    },
                    1 => DISubrange {
                        count: Bound::Node(f.md(1)?),
                        lower_bound: Bound::Const(unrotate_sign(ops[2])),
                        upper_bound: Bound::Node(None),
                        stride: Bound::Node(None),
                    },
                    2 => {
                        f.len(5, 5)?;
                        DISubrange {
                            count: Bound::Node(f.md(1)?),
                            lower_bound: Bound::Node(f.md(2)?),
                            upper_bound: Bound::Node(f.md(3)?),
                            stride: Bound::Node(f.md(4)?),
                        }
                    }
                    v => return Err(f.unsupported(&format!("DISubrange version {v}"))),
                };
                (ops[0] & 1 == 1, Metadata::Subrange(s))
            }
            code::GENERIC_SUBRANGE => {
                f.len(5, 5)?;
                let s = DIGenericSubrange {
                    count: f.md(1)?,
                    lower_bound: f.md(2)?,
                    upper_bound: f.md(3)?,
                    stride: f.md(4)?,
                };
                (ops[0] & 1 == 1, Metadata::GenericSubrange(s))
            }
            code::ENUMERATOR => {
                f.len(3, usize::MAX)?;
                let is_unsigned = ops[0] & 2 != 0;
                let value = if ops[0] & 4 != 0 {
                    let width = ops[1];
                    // emitWideAPInt writes the active words only; the
                    // rest are zero.
                    let mut words: Vec<u64> =
                        ops[3..].iter().map(|&w| unrotate_sign(w) as u64).collect();
                    if width == 0 || width > 1 << 16 || words.len() as u64 > width.div_ceil(64) {
                        return Err(f.unsupported(&format!(
                            "enumerator of {width} bits in {} words",
                            words.len()
                        )));
                    }
                    words.resize(width.div_ceil(64) as usize, 0);
                    EnumValue {
                        bit_width: width as u32,
                        words,
                    }
                } else {
                    f.len(3, 3)?;
                    EnumValue {
                        bit_width: 64,
                        words: vec![unrotate_sign(ops[1]) as u64],
                    }
                };
                let e = DIEnumerator {
                    name: f.str(2)?,
                    value,
                    is_unsigned,
                };
                (ops[0] & 1 == 1, Metadata::Enumerator(e))
            }
            code::BASIC_TYPE => {
                f.len(6, 12)?;
                if ops.len() == 10 || ops.len() == 11 {
                    return Err(f.bad_len());
                }
                let size_md = ops[0] & 2 != 0;
                let b = DIBasicType {
                    tag: ops[1],
                    name: f.str(2)?,
                    size: f.size(size_md, 3)?,
                    align: ops[4],
                    encoding: ops[5],
                    flags: f.opt(6),
                    num_extra_inhabitants: f.opt(7),
                    data_size: f.opt(8),
                    file: f.md_opt(9)?,
                    line: f.opt(10),
                    scope: f.md_opt(11)?,
                };
                (ops[0] & 1 == 1, Metadata::BasicType(Box::new(b)))
            }
            code::STRING_TYPE => {
                f.len(8, 9)?;
                let size_md = ops[0] & 2 != 0;
                let eight = ops.len() == 8;
                let o = if eight { 5 } else { 6 };
                let s = DIStringType {
                    tag: ops[1],
                    name: f.str(2)?,
                    string_length: f.md(3)?,
                    string_length_expression: f.md(4)?,
                    string_location_expression: if eight { None } else { f.md(5)? },
                    size: f.size(size_md, o)?,
                    align: ops[o + 1],
                    encoding: ops[o + 2],
                };
                (ops[0] & 1 == 1, Metadata::StringType(Box::new(s)))
            }
            code::DERIVED_TYPE => {
                f.len(12, 15)?;
                let size_md = ops[0] & 2 != 0;
                // 13 operands (LLVM 15-18 without annotations is 14 with
                // a null), 14: annotations at 13 (LLVM 15-18), 15:
                // annotations at 13 and pointer authentication at 14.
                let d = DIDerivedType {
                    tag: ops[1],
                    name: f.str(2)?,
                    file: f.md(3)?,
                    line: ops[4],
                    scope: f.md(5)?,
                    base_type: f.md(6)?,
                    size: f.size(size_md, 7)?,
                    align: ops[8],
                    offset: f.size(size_md, 9)?,
                    flags: ops[10],
                    extra_data: f.md(11)?,
                    dwarf_address_space: match f.opt(12) {
                        0 => None,
                        v => Some(v - 1),
                    },
                    annotations: f.md_opt(13)?,
                    ptr_auth_data: match f.opt(14) {
                        0 => None,
                        v => Some(v),
                    },
                };
                (ops[0] & 1 == 1, Metadata::DerivedType(Box::new(d)))
            }
            code::COMPOSITE_TYPE => {
                f.len(16, 26)?;
                let size_md = ops[0] & 4 != 0;
                let c = DICompositeType {
                    tag: ops[1],
                    name: f.str(2)?,
                    file: f.md(3)?,
                    line: ops[4],
                    scope: f.md(5)?,
                    base_type: f.md(6)?,
                    size: f.size(size_md, 7)?,
                    align: ops[8],
                    offset: f.size(size_md, 9)?,
                    flags: ops[10],
                    elements: f.md(11)?,
                    runtime_lang: ops[12],
                    vtable_holder: f.md(13)?,
                    template_params: f.md(14)?,
                    identifier: f.str(15)?,
                    discriminator: f.md_opt(16)?,
                    data_location: f.md_opt(17)?,
                    associated: if ops.len() > 19 { f.md(18)? } else { None },
                    allocated: if ops.len() > 19 { f.md(19)? } else { None },
                    rank: f.md_opt(20)?,
                    annotations: f.md_opt(21)?,
                    num_extra_inhabitants: f.opt(22),
                    specification: f.md_opt(23)?,
                    // DW_APPLE_ENUM_KIND_invalid is ~0u32.
                    enum_kind: match ops.get(24) {
                        Some(&k) if k != u64::from(u32::MAX) => Some(k),
                        _ => None,
                    },
                    bit_stride: f.md_opt(25)?,
                };
                (ops[0] & 1 == 1, Metadata::CompositeType(Box::new(c)))
            }
            code::SUBROUTINE_TYPE => {
                f.len(3, 4)?;
                if ops[0] < 2 {
                    return Err(f.unsupported("subroutine type with old type references"));
                }
                let s = DISubroutineType {
                    flags: ops[1],
                    types: f.md(2)?,
                    cc: f.opt(3),
                };
                (ops[0] & 1 == 1, Metadata::SubroutineType(s))
            }
            code::MODULE => {
                f.len(5, 9)?;
                let o = if ops.len() >= 8 { 2 } else { 1 };
                let m = DIModule {
                    file: if ops.len() >= 8 { f.md(1)? } else { None },
                    scope: f.md(o)?,
                    name: f.str(o + 1)?,
                    configuration_macros: f.str(o + 2)?,
                    include_path: f.str(o + 3)?,
                    api_notes_file: f.str(o + 4)?,
                    line: if ops.len() <= 7 { 0 } else { ops[7] },
                    is_decl: ops.len() > 8 && ops[8] != 0,
                };
                (ops[0] != 0, Metadata::Module(Box::new(m)))
            }
            code::FILE => {
                if !matches!(ops.len(), 3 | 5 | 6) {
                    return Err(f.bad_len());
                }
                let checksum = if ops.len() > 4 && ops[3] != 0 && ops[4] != 0 {
                    Some((ops[3], f.str(4)?))
                } else {
                    None
                };
                let d = DIFile {
                    filename: f.str(1)?,
                    directory: f.str(2)?,
                    checksum,
                    source: if ops.len() > 5 { f.str(5)? } else { None },
                };
                (ops[0] != 0, Metadata::File(Box::new(d)))
            }
            code::COMPILE_UNIT => {
                f.len(14, 23)?;
                const VERSIONED: u64 = 1 << 63;
                let cu = DICompileUnit {
                    language: ops[1] & !VERSIONED,
                    language_versioned: ops[1] & VERSIONED != 0,
                    language_version: f.opt(22),
                    file: f.md(2)?,
                    producer: f.str(3)?,
                    is_optimized: ops[4] != 0,
                    flags: f.str(5)?,
                    runtime_version: ops[6],
                    split_debug_filename: f.str(7)?,
                    emission_kind: ops[8],
                    enums: f.md(9)?,
                    retained_types: f.md(10)?,
                    subprograms: f.md(11)?,
                    globals: f.md(12)?,
                    imports: f.md(13)?,
                    dwo_id: f.opt(14),
                    macros: f.md_opt(15)?,
                    split_debug_inlining: ops.get(16).map_or(true, |&v| v != 0),
                    debug_info_for_profiling: f.opt(17) != 0,
                    name_table_kind: f.opt(18),
                    ranges_base_address: f.opt(19) != 0,
                    sysroot: if ops.len() > 20 { f.str(20)? } else { None },
                    sdk: if ops.len() > 21 { f.str(21)? } else { None },
                };
                (true, Metadata::CompileUnit(Box::new(cu)))
            }
            code::SUBPROGRAM => {
                f.len(18, 22)?;
                if ops[0] & 4 == 0 || ops[0] & 2 == 0 {
                    return Err(
                        f.unsupported("subprogram without DISPFlags or unit (before LLVM 8)")
                    );
                }
                let sp_flags = ops[9];
                let mut flags = ops[11];
                let mut sp_flags_all = sp_flags;
                // Old DIFlagMainSubprogram (bit 21) moves to DISPFlags.
                if flags & (1 << 21) != 0 {
                    flags &= !(1 << 21);
                    sp_flags_all |= 1 << 8;
                }
                let s = DISubprogram {
                    scope: f.md(1)?,
                    name: f.str(2)?,
                    linkage_name: f.str(3)?,
                    file: f.md(4)?,
                    line: ops[5],
                    ty: f.md(6)?,
                    scope_line: ops[7],
                    containing_type: f.md(8)?,
                    sp_flags: sp_flags_all,
                    virtual_index: ops[10],
                    flags,
                    unit: f.md(12)?,
                    template_params: f.md(13)?,
                    declaration: f.md(14)?,
                    retained_nodes: f.md(15)?,
                    this_adjustment: ops[16] as i64,
                    thrown_types: f.md(17)?,
                    annotations: f.md_opt(18)?,
                    target_func_name: if ops.len() > 19 { f.str(19)? } else { None },
                    key_instructions: f.opt(20) != 0,
                };
                // All definitions are distinct (DISPFlagDefinition).
                (
                    ops[0] & 1 == 1 || sp_flags & 8 != 0,
                    Metadata::Subprogram(Box::new(s)),
                )
            }
            code::LEXICAL_BLOCK => {
                f.len(5, 5)?;
                let b = DILexicalBlock {
                    scope: f.md(1)?,
                    file: f.md(2)?,
                    line: ops[3],
                    column: ops[4],
                };
                (ops[0] != 0, Metadata::LexicalBlock(b))
            }
            code::LEXICAL_BLOCK_FILE => {
                f.len(4, 4)?;
                let b = DILexicalBlockFile {
                    scope: f.md(1)?,
                    file: f.md(2)?,
                    discriminator: ops[3],
                };
                (ops[0] != 0, Metadata::LexicalBlockFile(b))
            }
            code::COMMON_BLOCK => {
                f.len(6, 6)?;
                let b = DICommonBlock {
                    scope: f.md(1)?,
                    decl: f.md(2)?,
                    name: f.str(3)?,
                    file: f.md(4)?,
                    line: ops[5],
                };
                (ops[0] & 1 == 1, Metadata::CommonBlock(b))
            }
            code::NAMESPACE => {
                let name = match ops.len() {
                    3 => f.str(2)?,
                    5 => f.str(3)?,
                    _ => return Err(f.bad_len()),
                };
                let ns = DINamespace {
                    scope: f.md(1)?,
                    name,
                    export_symbols: ops[0] & 2 != 0,
                };
                (ops[0] & 1 == 1, Metadata::Namespace(ns))
            }
            code::TEMPLATE_TYPE => {
                f.len(3, 4)?;
                let t = DITemplateTypeParameter {
                    name: f.str(1)?,
                    ty: f.md(2)?,
                    is_default: f.opt(3) != 0,
                };
                (ops[0] != 0, Metadata::TemplateTypeParameter(t))
            }
            code::TEMPLATE_VALUE => {
                f.len(5, 6)?;
                let six = ops.len() == 6;
                let t = DITemplateValueParameter {
                    tag: ops[1],
                    name: f.str(2)?,
                    ty: f.md(3)?,
                    is_default: six && ops[4] != 0,
                    value: f.md(if six { 5 } else { 4 })?,
                };
                (ops[0] != 0, Metadata::TemplateValueParameter(t))
            }
            code::GLOBAL_VAR => {
                f.len(11, 13)?;
                let version = ops[0] >> 1;
                let g = match version {
                    1 | 2 => DIGlobalVariable {
                        scope: f.md(1)?,
                        name: f.str(2)?,
                        linkage_name: f.str(3)?,
                        file: f.md(4)?,
                        line: ops[5],
                        ty: f.md(6)?,
                        is_local: ops[7] != 0,
                        is_definition: ops[8] != 0,
                        static_data_member_declaration: if version == 2 {
                            f.md(9)?
                        } else {
                            f.md(10)?
                        },
                        template_params: if version == 2 { f.md(10)? } else { None },
                        align: f.opt(11),
                        annotations: if version == 2 { f.md_opt(12)? } else { None },
                    },
                    v => return Err(f.unsupported(&format!("DIGlobalVariable version {v}"))),
                };
                (ops[0] & 1 == 1, Metadata::GlobalVariable(Box::new(g)))
            }
            code::GLOBAL_VAR_EXPR => {
                f.len(3, 3)?;
                let g = DIGlobalVariableExpression {
                    variable: f.md(1)?,
                    expression: f.md(2)?,
                };
                (ops[0] != 0, Metadata::GlobalVariableExpression(g))
            }
            code::LOCAL_VAR => {
                f.len(8, 10)?;
                let has_align = ops[0] & 2 != 0;
                let t = usize::from(!has_align && ops.len() > 8);
                let v = DILocalVariable {
                    scope: f.md(1 + t)?,
                    name: f.str(2 + t)?,
                    file: f.md(3 + t)?,
                    line: ops[4 + t],
                    ty: f.md(5 + t)?,
                    arg: ops[6 + t],
                    flags: ops[7 + t],
                    align: if has_align { f.opt(8) } else { 0 },
                    annotations: if has_align { f.md_opt(9)? } else { None },
                };
                (ops[0] & 1 == 1, Metadata::LocalVariable(Box::new(v)))
            }
            code::LABEL => {
                f.len(5, 7)?;
                let l = DILabel {
                    scope: f.md(1)?,
                    name: f.str(2)?,
                    file: f.md(3)?,
                    line: ops[4],
                    column: f.opt(5),
                    is_artificial: ops[0] & 2 != 0,
                    coro_suspend_idx: match ops.get(6) {
                        Some(&v) if v != u64::MAX => Some(v),
                        _ => None,
                    },
                };
                (ops[0] & 1 == 1, Metadata::Label(Box::new(l)))
            }
            code::EXPRESSION => {
                f.len(1, usize::MAX)?;
                let version = ops[0] >> 1;
                if version != 3 {
                    return Err(f.unsupported(&format!("DIExpression version {version}")));
                }
                (
                    ops[0] & 1 == 1,
                    Metadata::Expression(DIExpression {
                        elements: ops[1..].to_vec(),
                    }),
                )
            }
            code::IMPORTED_ENTITY => {
                f.len(6, 8)?;
                let has_file = ops.len() >= 7;
                let e = DIImportedEntity {
                    tag: ops[1],
                    scope: f.md(2)?,
                    entity: f.md(3)?,
                    file: if has_file { f.md(6)? } else { None },
                    line: if has_file { ops[4] } else { 0 },
                    name: f.str(5)?,
                    elements: f.md_opt(7)?,
                };
                (ops[0] != 0, Metadata::ImportedEntity(e))
            }
            c => {
                return Err(MetadataError::UnknownRecord {
                    offset: at / 8,
                    block: METADATA_BLOCK_ID,
                    code: c,
                })
            }
        };
        self.max_ref = f.max_ref;
        self.push(distinct, md);
        Ok(())
    }

    /// `METADATA_STRINGS [count, offset] blob`: `count` vbr6 lengths, then
    /// at `offset` the characters.
    fn strings(&mut self, r: &Record<'a>, at: u64) -> MdResult<()> {
        let (Some(&count), Some(&offset), Some(blob), 2) =
            (r.ops.first(), r.ops.get(1), r.blob, r.ops.len())
        else {
            return Err(MetadataError::UnsupportedLayout {
                offset: at / 8,
                code: r.code,
                message: "strings record without [count, offset] and a blob".into(),
            });
        };
        if count == 0 {
            return Err(malformed(at, "METADATA_STRINGS with no strings"));
        }
        let offset = usize::try_from(offset)
            .ok()
            .filter(|&o| o <= blob.len())
            .ok_or_else(|| {
                malformed(
                    at,
                    format!("strings offset {offset} past the {}-byte blob", blob.len()),
                )
            })?;
        let mut lengths = Cursor::new(&blob[..offset]);
        let mut chars = &blob[offset..];
        // Each length takes at least 6 bits: refuse counts the blob cannot hold.
        if count > (offset as u64 * 8) / 6 {
            return Err(malformed(
                at,
                format!("{count} strings claimed, the lengths blob holds fewer"),
            ));
        }
        self.m.nodes.reserve(count as usize);
        for i in 0..count {
            let len = lengths
                .vbr(6)
                .map_err(|e| malformed(at, format!("string {i} of {count}: {}", e.message)))?;
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            if len > chars.len() {
                return Err(malformed(
                    at,
                    format!("string {i} of {count} runs past the blob"),
                ));
            }
            let (s, rest) = chars.split_at(len);
            chars = rest;
            self.push(false, Metadata::String(s));
        }
        Ok(())
    }
}

/// The `METADATA_INDEX_OFFSET` / `METADATA_INDEX` pair: the offset points
/// at the index record and the index lists each node record's position,
/// delta-encoded from just after the offset record. A mismatch means this
/// reader walked the block differently from the writer.
#[derive(Debug, Default)]
struct IndexCheck {
    after_offset: Option<u64>,
    offset: u64,
    positions: Vec<u64>,
}

impl IndexCheck {
    fn check(&self, deltas: &[u64], at: u64) -> MdResult<()> {
        let Some(start) = self.after_offset else {
            return Err(malformed(
                at,
                "METADATA_INDEX without METADATA_INDEX_OFFSET",
            ));
        };
        if start.checked_add(self.offset) != Some(at) {
            return Err(malformed(
                at,
                format!(
                    "metadata index offset says bit {}, the index is at bit {at}",
                    start.wrapping_add(self.offset)
                ),
            ));
        }
        // Strings do not take index entries; node records after the offset
        // record do.
        if deltas.len() != self.positions.len() {
            return Err(malformed(
                at,
                format!(
                    "metadata index has {} entries for {} node records",
                    deltas.len(),
                    self.positions.len()
                ),
            ));
        }
        let mut pos = start;
        for (i, (&d, &p)) in deltas.iter().zip(&self.positions).enumerate() {
            pos = pos.wrapping_add(d);
            if pos != p {
                return Err(malformed(
                    p,
                    format!("metadata index entry {i} says bit {pos}, the record is at bit {p}"),
                ));
            }
        }
        Ok(())
    }
}

/// Operand access for one record, with positioned errors.
struct Fields<'r, 'a> {
    r: &'r Record<'a>,
    at: u64,
    n: Numbering,
    nodes: &'r [Node<'a>],
    max_ref: Option<(u64, u64)>,
}

impl<'a> Fields<'_, 'a> {
    fn unsupported(&self, message: &str) -> MetadataError {
        MetadataError::UnsupportedLayout {
            offset: self.at / 8,
            code: self.r.code,
            message: message.to_string(),
        }
    }

    fn bad_len(&self) -> MetadataError {
        self.unsupported(&format!("{} operands", self.r.ops.len()))
    }

    fn len(&self, min: usize, max: usize) -> MdResult<()> {
        if (min..=max).contains(&self.r.ops.len()) {
            Ok(())
        } else {
            Err(self.bad_len())
        }
    }

    /// Operand `i`, or 0 where the record is shorter.
    fn opt(&self, i: usize) -> u64 {
        self.r.ops.get(i).copied().unwrap_or(0)
    }

    /// A node operand given as its id (never null).
    fn md_raw(&mut self, i: usize) -> MdResult<MdId> {
        let raw = self.opt(i);
        if self.max_ref.map_or(true, |(m, _)| raw > m) {
            self.max_ref = Some((raw, self.at));
        }
        self.n.map(raw).map_err(|e| e.shifted(self.at / 8))
    }

    /// A node operand given as id + 1, 0 for null.
    fn md(&mut self, i: usize) -> MdResult<MdRef> {
        match self.opt(i) {
            0 => Ok(None),
            raw => {
                let id = raw - 1;
                if self.max_ref.map_or(true, |(m, _)| id > m) {
                    self.max_ref = Some((id, self.at));
                }
                self.n.map(id).map(Some).map_err(|e| e.shifted(self.at / 8))
            }
        }
    }

    /// A node operand that later LLVMs added: null where the record ends.
    fn md_opt(&mut self, i: usize) -> MdResult<MdRef> {
        if i < self.r.ops.len() {
            self.md(i)
        } else {
            Ok(None)
        }
    }

    /// A string operand (id + 1, 0 for none); the string is already read.
    fn str(&mut self, i: usize) -> MdResult<MdStr<'a>> {
        let Some(id) = self.md(i)? else {
            return Ok(None);
        };
        match self.nodes.get(id.0 as usize) {
            Some(Node {
                md: Metadata::String(s),
                ..
            }) => Ok(Some(s)),
            _ => Err(malformed(
                self.at,
                format!(
                    "operand {i} of record {} should name a string, !{} is not one",
                    self.r.code,
                    self.opt(i) - 1
                ),
            )),
        }
    }

    /// A size or offset: a constant, or a node when the record says so.
    fn size(&mut self, is_md: bool, i: usize) -> MdResult<MdInt> {
        if is_md {
            Ok(MdInt::Node(self.md(i)?))
        } else {
            Ok(MdInt::Const(self.opt(i)))
        }
    }
}

/// LLVM's `decodeSignRotatedValue`: the sign in bit 0, 1 meaning
/// `INT64_MIN`.
fn unrotate_sign(v: u64) -> i64 {
    if v & 1 == 0 {
        (v >> 1) as i64
    } else if v != 1 {
        -((v >> 1) as i64)
    } else {
        i64::MIN
    }
}

/// `CST_CODE_WIDE_INTEGER`: sign-rotated words, least significant first.
fn wide_constant(words: &[u64]) -> Option<ValueRef> {
    let w: Vec<u64> = words.iter().map(|&x| unrotate_sign(x) as u64).collect();
    let lo = u128::from(*w.first()?);
    let hi = w
        .get(1)
        .map_or(if (lo as i64) < 0 { u64::MAX } else { 0 }, |&h| h);
    let v = (lo | u128::from(hi) << 64) as i128;
    let fill = if v < 0 { u64::MAX } else { 0 };
    w.iter()
        .skip(2)
        .all(|&x| x == fill)
        .then_some(ValueRef::Int(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_rotation() {
        assert_eq!(unrotate_sign(0), 0);
        assert_eq!(unrotate_sign(2), 1);
        assert_eq!(unrotate_sign(3), -1);
        assert_eq!(unrotate_sign(1), i64::MIN);
    }

    #[test]
    fn enum_values() {
        let v = EnumValue {
            bit_width: 64,
            words: vec![u64::MAX],
        };
        assert_eq!(v.to_i128(false), Some(-1));
        assert_eq!(v.to_i128(true), Some(u64::MAX as i128));
        let w = EnumValue {
            bit_width: 128,
            words: vec![0, 1 << 36],
        };
        assert_eq!(w.to_i128(true), Some(1i128 << 100));
    }

    /// A bitstream writer for hand-made modules (LLVM's BitstreamWriter,
    /// unabbreviated records only).
    #[derive(Default)]
    struct W {
        bits: Vec<bool>,
    }

    impl W {
        fn put(&mut self, v: u64, w: u32) -> &mut Self {
            for i in 0..w {
                self.bits.push(v >> i & 1 == 1);
            }
            self
        }
        fn vbr(&mut self, mut v: u64, w: u32) -> &mut Self {
            let hi = 1u64 << (w - 1);
            while v >= hi {
                self.put(v & (hi - 1) | hi, w);
                v >>= w - 1;
            }
            self.put(v, w)
        }
        fn align(&mut self) -> &mut Self {
            while self.bits.len() % 32 != 0 {
                self.bits.push(false);
            }
            self
        }
        /// A block with abbreviation width 3 inside one of width `outer`.
        fn block(&mut self, outer: u32, id: u64, body: impl FnOnce(&mut W)) -> &mut Self {
            self.put(ENTER_SUBBLOCK, outer).vbr(id, 8).vbr(3, 4).align();
            let len_at = self.bits.len();
            self.put(0, 32);
            body(self);
            self.put(0, 3).align();
            let words = ((self.bits.len() - len_at - 32) / 32) as u64;
            for i in 0..32 {
                self.bits[len_at + i] = words >> i & 1 == 1;
            }
            self
        }
        fn record(&mut self, code: u64, ops: &[u64]) -> &mut Self {
            self.put(3, 3).vbr(code, 6).vbr(ops.len() as u64, 6);
            for &o in ops {
                self.vbr(o, 6);
            }
            self
        }
        fn bytes(&self) -> Vec<u8> {
            let mut out = BITCODE_MAGIC.to_vec();
            for chunk in self.bits.chunks(8) {
                out.push(
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| u8::from(b) << i)
                        .sum(),
                );
            }
            out.resize(out.len().div_ceil(4) * 4 + 8, 0);
            out
        }
    }

    /// A module of version `version` whose METADATA_BLOCK holds `records`.
    fn module(version: u64, records: &[(u64, &[u64])]) -> Vec<u8> {
        let mut w = W::default();
        w.block(2, MODULE_BLOCK_ID, |w| {
            w.record(module_code::VERSION, &[version]);
            w.block(3, METADATA_BLOCK_ID, |w| {
                for (code, ops) in records {
                    w.record(*code, ops);
                }
            });
        });
        w.bytes()
    }

    #[test]
    fn hand_made_module_with_tuples() {
        let data = module(2, &[(code::NODE, &[]), (code::DISTINCT_NODE, &[1, 0])]);
        let m = read(&data).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].nodes.len(), 2);
        assert_eq!(m[0].nodes[1].md, Metadata::Tuple(vec![Some(MdId(0)), None]));
        assert!(m[0].nodes[1].distinct);
    }

    #[test]
    fn unknown_record_is_unsupported_with_its_offset() {
        let data = module(2, &[(code::NODE, &[]), (99, &[1, 2])]);
        let e = read(&data).unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        assert!(
            matches!(
                e,
                MetadataError::UnknownRecord {
                    code: 99,
                    block: METADATA_BLOCK_ID,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.offset() > 4 && (e.offset() as usize) < data.len(), "{e}");
    }

    #[test]
    fn unknown_layouts_are_unsupported() {
        for (code, ops) in [
            (code::DERIVED_TYPE, &[0u64, 0x16, 0, 0, 0][..]),
            (code::SUBPROGRAM, &[1u64; 18][..]),
            (code::EXPRESSION, &[4u64, 0x10][..]),
            (code::SUBRANGE, &[6u64, 1, 0][..]),
        ] {
            let e = read(&module(2, &[(code, ops)])).unwrap_err();
            assert!(
                matches!(e, MetadataError::UnsupportedLayout { code: c, .. } if c == code),
                "{code}: {e:?}"
            );
        }
        let e = read(&module(1, &[])).unwrap_err();
        assert!(e.is_unsupported(), "{e}");
    }

    #[test]
    fn dangling_references_are_malformed() {
        for records in [
            &[(code::NODE, &[5u64][..])][..],
            &[(code::BASIC_TYPE, &[0u64, 0x24, 1, 32, 0, 5][..])][..],
        ] {
            let e = read(&module(2, records)).unwrap_err();
            assert!(matches!(e, MetadataError::Malformed { .. }), "{e:?}");
            assert!(!e.is_unsupported());
        }
    }

    #[test]
    fn not_bitcode() {
        assert!(read(b"\x7fELF").is_err());
        assert_eq!(read(b"BC\xC0\xDE").unwrap().len(), 0);
    }
}
