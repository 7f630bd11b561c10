// SPDX-License-Identifier: GPL-2.0
/* modver_extprov: imports from vmlinux and xz_dec, exports to modver_extcons. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/xz.h>
#include "modver_ext.h"

struct modver_ext_point modver_ext_origin = { 0, 0, "origin" };
EXPORT_SYMBOL(modver_ext_origin);

int modver_ext_add(int a, int b)
{
	return a + b;
}
EXPORT_SYMBOL_GPL(modver_ext_add);

int modver_ext_decoder_ok(void)
{
	/* xz_dec_init/xz_dec_end come from the in-tree module xz_dec. */
	struct xz_dec *s = xz_dec_init(XZ_SINGLE, 0);

	if (!s)
		return 0;
	xz_dec_end(s);
	return 1;
}
EXPORT_SYMBOL_GPL(modver_ext_decoder_ok);

static int __init modver_extprov_init(void)
{
	int v = 0;

	if (kstrtoint("42", 10, &v) || !modver_ext_decoder_ok())
		return -EINVAL;
	pr_info("modver_extprov: loaded (%d)\n", modver_ext_add(v, 0));
	return 0;
}

static void __exit modver_extprov_exit(void)
{
}

module_init(modver_extprov_init);
module_exit(modver_extprov_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modver external test module: provider");
