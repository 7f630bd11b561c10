#include "shared.h"

int widget_get(struct widget *w)
{
	return w->id;
}
EXPORT(widget_get);

int holder_use(struct holder *h)
{
	return h->n + widget_get(h->w);
}
EXPORT(holder_use);

int plain_add(int a, int b)
{
	return a + b;
}
EXPORT(plain_add);

int gadget_poke(struct gadget *g)
{
	return g->x + g->name[0];
}
EXPORT(gadget_poke);
