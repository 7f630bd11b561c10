/* What <linux/export.h> leaves in bitcode: __ksymtab_* (<= 6.4) and
 * __export_symbol_* (>= 6.5) labels defined by top-level asm, plus .symver,
 * asm-only references and asm data symbols. */
int exported_fn(int x) { return x + 1; }
int exported_data = 4;

#define KSYMTAB(sym, sec)                                                      \
	asm("	.section \"___ksymtab" sec "+" #sym "\", \"a\"	\n"           \
	    "	.balign	4					\n"           \
	    "__ksymtab_" #sym ":					\n"           \
	    "	.long	" #sym "- .				\n"           \
	    "	.long	__kstrtab_" #sym "- .			\n"           \
	    "	.long	0					\n"           \
	    "	.previous					\n");     \
	asm("	.section \"__ksymtab_strings\",\"aMS\",%progbits,1	\n"   \
	    "__kstrtab_" #sym ":					\n"           \
	    "	.asciz \"" #sym "\"				\n"           \
	    "	.previous					\n")
KSYMTAB(exported_fn, "");
KSYMTAB(exported_data, "_gpl");

asm(".section \".export_symbol\",\"a\"\n"
    "__export_symbol_exported_fn:\n"
    "\t.asciz \"\"\n"
    "\t.balign 8\n"
    "\t.quad exported_fn\n"
    "\t.previous\n");

asm(".symver exported_fn, exported_fn@VERS_1\n");
asm(".globl asm_global_fn\n.type asm_global_fn,@function\nasm_global_fn:\n\tnop\n");
asm(".globl asm_global_obj\n.type asm_global_obj,@object\n.data\nasm_global_obj:\n\t.long 1\n.text\n");
asm("asm_local:\n\t.long 2\n");
asm(".weak asm_weak\nasm_weak:\n\t.long 3\n");
asm(".weak asm_weak_undef\n\t.long asm_weak_undef\n");
asm("\t.long asm_undefined_ref\n");
