// SPDX-License-Identifier: GPL-2.0
/* Helpers: weak definitions, common symbols, hidden and TLS data. */
#include "export.h"
#include "demo.h"

int demo_scratch;                            /* common with -fcommon */
__thread int demo_tls_counter;               /* TLS */
__attribute__((visibility("hidden"))) int demo_hidden_state = 3;
const char demo_banner[] = "demo";           /* read-only data */
static unsigned long util_calls;             /* local */

__attribute__((weak)) int demo_util_hook(int v)  /* weak definition */
{
	return v;
}

extern int demo_optional_feature(int) __attribute__((weak)); /* weak undefined */

static int helper(int v)
{
	util_calls++;
	return v * 2 + demo_scratch + demo_tls_counter + demo_hidden_state;
}

int demo_util_scale(int v)
{
	if (demo_debug)
		printk("scale %d\n", v);       /* printk also used by demo_main */
	if (demo_optional_feature)
		v = demo_optional_feature(v);
	return helper(v);
}
EXPORT_SYMBOL(demo_util_scale);

int demo_util_alias(int v) __attribute__((alias("demo_util_scale")));
