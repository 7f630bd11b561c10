// SPDX-License-Identifier: GPL-2.0
/* The second object of modver_extprov: a namespaced and a module-only export. */
#include <linux/module.h>
#include <linux/string.h>
#include "modver_ext.h"

int modver_ext_scale(const struct modver_ext_point *p, int factor)
{
	return (p->x + p->y) * factor + (int)strlen(p->label);
}
EXPORT_SYMBOL_NS_GPL(modver_ext_scale, MODVER_EXT_NS);

#ifdef EXPORT_SYMBOL_FOR_MODULES
int modver_ext_for_cons_only(int v)
{
	return v * 3;
}
EXPORT_SYMBOL_FOR_MODULES(modver_ext_for_cons_only, "modver_extcons");
#endif

#ifdef CONFIG_EXTENDED_MODVERSIONS
int modver_ext_a_function_whose_name_is_much_longer_than_fifty_five_bytes(int v)
{
	return v + 1;
}
EXPORT_SYMBOL_GPL(modver_ext_a_function_whose_name_is_much_longer_than_fifty_five_bytes);

struct modver_ext_point modver_ext_a_variable_whose_name_is_also_longer_than_fifty_five_bytes = {
	1, 2, "long"
};
EXPORT_SYMBOL(modver_ext_a_variable_whose_name_is_also_longer_than_fifty_five_bytes);
#endif
