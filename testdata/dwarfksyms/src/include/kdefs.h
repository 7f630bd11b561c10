/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-like basics for the dwarfksyms fixtures (written for modver). */
#ifndef KDEFS_H
#define KDEFS_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed long long __s64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef u32 gfp_t;
typedef _Bool bool;
typedef unsigned long size_t;

#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)

/*
 * What include/linux/export.h does with CONFIG_GENDWARFKSYMS (6.14+): an
 * __export_symbol_ marker kbuild's getexportsymbols finds with nm, and a
 * __gendwarfksyms_ptr_ pointer so the DWARF describes the symbol even
 * when it is defined in another translation unit. A build may bring its
 * own definition first (-include), e.g. the kernel's exact marker with
 * license and namespace strings (tests/it/kbuild_hook_dwarf.rs).
 */
#ifndef EXPORT_SYMBOL
#define EXPORT_SYMBOL(sym)                                              \
	extern typeof(sym) sym;                                         \
	static typeof(sym) *__gendwarfksyms_ptr_##sym __used            \
		__section(".discard.gendwarfksyms") = &sym;             \
	asm(".section \".export_symbol\",\"a\"\n"                     \
	    "__export_symbol_" #sym ":\n"                               \
	    ".asciz \"\"\n"                                             \
	    ".previous\n")
#define EXPORT_SYMBOL_GPL(sym) EXPORT_SYMBOL(sym)
#endif

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

#endif
