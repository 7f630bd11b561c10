/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shapes <linux/export.h> gives EXPORT_SYMBOL*, written for modver's
 * tests (not copied from the kernel).
 *
 *   -D__GENKSYMS__        what genksyms sees: __GENKSYMS_EXPORT_SYMBOL(sym)
 *                         (the same in 6.1 and 6.12)
 *   -DEXPORT_LAYOUT=61    6.1 with PREL32 relocations (x86-64): a label
 *                         __ksymtab_sym in section ___ksymtab[_gpl]+sym,
 *                         __kstrtab_sym / __kstrtabns_sym strings
 *   -DEXPORT_LAYOUT=612   6.5+: a label __export_symbol_sym in section
 *                         .export_symbol holding the license and namespace
 */
#ifndef MODVER_EXPORT_H
#define MODVER_EXPORT_H

#define __mv_str1(x) #x
#define __mv_str(x) __mv_str1(x)

#if defined(__GENKSYMS__)

#define __MV_EXPORT(sym, sec, ns) __GENKSYMS_EXPORT_SYMBOL(sym)

#elif EXPORT_LAYOUT == 61

#define __MV_EXPORT(sym, sec, ns)					\
	extern typeof(sym) sym;						\
	static void *__attribute__((used, section(".discard.addressable"))) \
		__addressable_##sym = (void *)&sym;			\
	asm("	.section \"__ksymtab_strings\",\"aMS\",%progbits,1	\n" \
	    "__kstrtab_" #sym ":					\n" \
	    "	.asciz 	\"" #sym "\"					\n" \
	    "__kstrtabns_" #sym ":					\n" \
	    "	.asciz 	\"" ns "\"					\n" \
	    "	.previous						\n" \
	    "	.section \"___ksymtab" __mv_str(sec) "+" #sym "\", \"a\"	\n" \
	    "	.balign	4						\n" \
	    "__ksymtab_" #sym ":					\n" \
	    "	.long	" #sym "- .					\n" \
	    "	.long	__kstrtab_" #sym "- .				\n" \
	    "	.long	__kstrtabns_" #sym "- .				\n" \
	    "	.previous						\n")

#elif EXPORT_LAYOUT == 612

#define __MV_LICENSE_ "\"\""
#define __MV_LICENSE__gpl "\"GPL\""
#define __MV_EXPORT(sym, sec, ns)					\
	extern typeof(sym) sym;						\
	static void *__attribute__((used, section(".discard.addressable"))) \
		__addressable_##sym = (void *)&sym;			\
	asm("	.section \".export_symbol\",\"a\"		\n"	\
	    "__export_symbol_" #sym ":			\n"	\
	    "	.asciz " __MV_LICENSE_##sec "		\n"	\
	    "	.ascii \"" ns "\\0\"			\n"	\
	    "	.balign 8				\n"	\
	    "	.quad " #sym "				\n"	\
	    "	.previous				\n")

#else
#error "define __GENKSYMS__ or EXPORT_LAYOUT=61|612"
#endif

#ifndef __GENKSYMS__
/* MODULE_LICENSE("GPL"), so that the real modpost accepts the object. */
static const char __modver_license[]
	__attribute__((used, section(".modinfo"), aligned(1))) = "license=GPL";
#endif

#define EXPORT_SYMBOL(sym)		__MV_EXPORT(sym, , "")
#define EXPORT_SYMBOL_GPL(sym)		__MV_EXPORT(sym, _gpl, "")
#define EXPORT_SYMBOL_NS(sym, ns)	__MV_EXPORT(sym, , __mv_str(ns))
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	__MV_EXPORT(sym, _gpl, __mv_str(ns))

#endif
