// SPDX-License-Identifier: GPL-2.0
/* The demo module's main unit: exports, init/exit, calls into the others. */
#include "export.h"
#include "demo.h"

int demo_debug = 1;            /* initialised data, used by other units */
static int open_count;         /* local bss */

static int demo_validate(struct demo_dev *d)  /* static function */
{
	return d && d->id >= 0;
}

struct demo_dev *demo_alloc(int id)
{
	struct demo_dev *d = kmalloc(sizeof(*d), 0);
	if (d) {
		d->id = demo_util_scale(id);
		d->flags = 0;
		d->callback = 0;
		open_count++;
	}
	if (demo_debug)
		printk("%s: alloc %d\n", demo_banner, id);
	return d;
}
EXPORT_SYMBOL(demo_alloc);

void demo_free(struct demo_dev *d)
{
	if (demo_validate(d))
		kfree(d);
	open_count--;
}
EXPORT_SYMBOL_GPL(demo_free);

int init_module(void)
{
	return demo_util_hook(open_count);
}

void cleanup_module(void)
{
	printk("bye\n");
}
