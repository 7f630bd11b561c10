// SPDX-License-Identifier: GPL-2.0
/* The second object of modver_extcons: namespaced and long-named imports. */
#include <linux/module.h>
#include <linux/slab.h>
#include "modver_ext.h"

int modver_extcons_more(void)
{
	struct modver_ext_point *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int v;

	if (!p)
		return 0;
	p->x = 1;
	p->label = "more";
	v = modver_ext_scale(p, 2);
	kfree(p);
#ifdef EXPORT_SYMBOL_FOR_MODULES
	v += modver_ext_for_cons_only(1);
#endif
#ifdef CONFIG_EXTENDED_MODVERSIONS
	v += modver_ext_a_function_whose_name_is_much_longer_than_fifty_five_bytes(
		modver_ext_a_variable_whose_name_is_also_longer_than_fifty_five_bytes.y);
#endif
	return v;
}
