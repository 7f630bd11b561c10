// SPDX-License-Identifier: GPL-2.0
/* Exports covering the DWARF type kinds gendwarfksyms expands. */
#include "kdev.h"

/* Defined in this .c file: private, never expanded. */
struct core_private {
	int secret;
	struct device *dev;
};

struct core_private *core_priv_get(int id);
struct core_private *core_priv_get(int id)
{
	static struct core_private p;
	p.secret = id;
	return &p;
}
EXPORT_SYMBOL(core_priv_get);

int device_register(struct device *dev, const struct dev_ops *ops)
{
	dev->ops = ops;
	return dev->ops->probe(dev, dev->name);
}
EXPORT_SYMBOL_GPL(device_register);

void device_unregister(struct device *dev)
{
	if (dev->release)
		dev->release(dev);
}
EXPORT_SYMBOL_GPL(device_unregister);

__printf(2, 3) int dev_printk(const struct device *dev, const char *fmt, ...)
{
	return dev->nr_res + (fmt != 0);
}
EXPORT_SYMBOL(dev_printk);

long dev_copy(struct dev_buf *restrict dst, const struct dev_buf *restrict src,
	      volatile int *flag)
{
	*flag = 1;
	return dst->len + src->len;
}
EXPORT_SYMBOL(dev_copy);

u64 dev_sum(const u64 vals[8], int matrix[3][4], size_t n)
{
	return vals[n] + matrix[1][2];
}
EXPORT_SYMBOL(dev_sum);

dev_state2_t dev_get_state(struct device *dev)
{
	return dev->state;
}
EXPORT_SYMBOL(dev_get_state);

probe_fn dev_get_probe(const struct dev_ops *ops, void (*cb)(int, ...))
{
	return ops->probe;
}
EXPORT_SYMBOL(dev_get_probe);

/* Exported variables. */
struct device root_device;
EXPORT_SYMBOL(root_device);

const struct dev_ops *const default_ops[4];
EXPORT_SYMBOL(default_ops);

_Atomic unsigned long dev_count;
EXPORT_SYMBOL(dev_count);

int dev_table[] = { 1, 2, 3 };
EXPORT_SYMBOL(dev_table);

char dev_version[32] = "1.0";
EXPORT_SYMBOL_GPL(dev_version);

union dev_id last_id;
EXPORT_SYMBOL(last_id);

/* Two names for one function: matched by address. */
int dev_alias_target(int x)
{
	return x * 3;
}
EXPORT_SYMBOL(dev_alias_target);
extern int dev_alias(int x) __attribute__((alias("dev_alias_target")));
EXPORT_SYMBOL(dev_alias);

void dev_noargs(void)
{
}
EXPORT_SYMBOL(dev_noargs);
