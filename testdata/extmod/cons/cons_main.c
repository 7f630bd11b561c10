// SPDX-License-Identifier: GPL-2.0
/* modver_extcons: uses what modver_extprov exports. */
#include <linux/module.h>
#include <linux/kernel.h>
#include "modver_ext.h"

MODULE_IMPORT_NS(MODVER_EXT_NS);

int modver_extcons_more(void);

static int __init modver_extcons_init(void)
{
	int v = modver_ext_add(modver_ext_origin.x, 2) + modver_extcons_more();

	if (!modver_ext_decoder_ok())
		return -EINVAL;
	pr_info("modver_extcons: loaded (%d)\n", v);
	return 0;
}

static void __exit modver_extcons_exit(void)
{
}

module_init(modver_extcons_init);
module_exit(modver_extcons_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modver external test module: consumer");
