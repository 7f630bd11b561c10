// SPDX-License-Identifier: GPL-2.0
/* A second module, built against the demo module's exports: scripts/demo.sh
 * links it with the __versions table the real modpost writes for it. */
#include "demo.h"

struct demo_dev *demo_alloc(int id);
void demo_free(struct demo_dev *d);

static const char demo_user_license[] __attribute__((used, section(".modinfo"), aligned(1))) = "license=GPL";

int init_module(void)
{
	struct demo_dev *d = demo_alloc(7);

	if (!d)
		return -12;
	demo_free(d);
	return demo_util_scale(1) > 0 ? 0 : -22;
}
