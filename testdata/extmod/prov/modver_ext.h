/* SPDX-License-Identifier: GPL-2.0 */
/* The interface modver_extprov exports to modver_extcons. */
#ifndef MODVER_EXT_H
#define MODVER_EXT_H

#include <linux/export.h>
#include <linux/version.h>

struct modver_ext_point {
	int x;
	int y;
	const char *label;
};

/* The namespace is a string literal from 6.13, an identifier before. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define MODVER_EXT_NS "MODVER_EXT"
#else
#define MODVER_EXT_NS MODVER_EXT
#endif

int modver_ext_add(int a, int b);
int modver_ext_scale(const struct modver_ext_point *p, int factor);
extern struct modver_ext_point modver_ext_origin;
int modver_ext_decoder_ok(void);
#ifdef EXPORT_SYMBOL_FOR_MODULES
/* 6.16+: exported only to the module named modver_extcons. */
int modver_ext_for_cons_only(int v);
#endif
#ifdef CONFIG_EXTENDED_MODVERSIONS
/*
 * Names longer than the 55 bytes a __versions entry holds: only the
 * extended tables (__version_ext_names/__version_ext_crcs) can carry them.
 */
int modver_ext_a_function_whose_name_is_much_longer_than_fifty_five_bytes(int v);
extern struct modver_ext_point
	modver_ext_a_variable_whose_name_is_also_longer_than_fifty_five_bytes;
#endif

#endif
