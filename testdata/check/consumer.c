#include "shared.h"

int consumer_init(void)
{
	struct widget w = { 0 };
	struct holder h = { &w, 1 };
	struct gadget g = { 2, "g" };

	return widget_get(&w) + holder_use(&h) + plain_add(1, 2) +
	       gadget_poke(&g) + (int)raw_thing(4) + ghost_symbol();
}
