/* A stand-in for the kernel's <linux/export.h> (6.1, !__GENKSYMS__):
 * EXPORT_SYMBOL places a `__ksymtab_NAME` label in a `___ksymtab+NAME`
 * section through top-level asm, which llvm-nm lists for bitcode too. */
#ifndef DEMO_EXPORT_H
#define DEMO_EXPORT_H
#define __DEMO_KSYMTAB(sym, sec)                                        \
	asm("	.section \"___ksymtab" sec "+" #sym "\", \"a\"	\n"     \
	    "	.balign 4					\n"     \
	    "__ksymtab_" #sym ":					\n"     \
	    "	.long	" #sym "- .				\n"     \
	    "	.long	__kstrtab_" #sym "- .			\n"     \
	    "	.long	0					\n"     \
	    "	.previous					\n");   \
	static const char __kstrtab_##sym[]                             \
	__attribute__((section("__ksymtab_strings"), used, aligned(1))) = #sym
#ifdef __GENKSYMS__
/* What genksyms sees, as with <linux/export.h> under -D__GENKSYMS__. */
#define EXPORT_SYMBOL(sym) __GENKSYMS_EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym) __GENKSYMS_EXPORT_SYMBOL(sym)
#else
#define EXPORT_SYMBOL(sym) __DEMO_KSYMTAB(sym, "")
#define EXPORT_SYMBOL_GPL(sym) __DEMO_KSYMTAB(sym, "_gpl")
#endif
#endif
