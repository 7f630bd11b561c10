// SPDX-License-Identifier: GPL-2.0
/*
 * Exports whose definitions are elsewhere (only the __gendwarfksyms_ptr_
 * pointer describes them), and one with no debug information at all.
 */
#include "kdev.h"

extern int remote_probe(struct device *dev, const char *name);
EXPORT_SYMBOL(remote_probe);

extern struct list_head remote_list;
EXPORT_SYMBOL(remote_list);

extern void remote_log(const char *fmt, ...);
EXPORT_SYMBOL(remote_log);

extern const struct dev_stats *const remote_stats[2];
EXPORT_SYMBOL(remote_stats);

/* Defined in assembly: no DWARF, gendwarfksyms warns and prints 0. */
asm(".text\n.globl asm_only\nasm_only:\nret\n"
    ".section \".export_symbol\",\"a\"\n__export_symbol_asm_only:\n.asciz \"\"\n.previous\n");

int local_user(struct device *dev)
{
	return remote_probe(dev, "x");
}
