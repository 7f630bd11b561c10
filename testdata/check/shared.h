/* Types shared by provider.c and consumer.c. Build v2 (-DWIDGET_V2) adds a
 * member to struct widget, which changes the CRC of every export whose
 * signature reaches it (widget_get directly, holder_use via struct holder
 * and widget_t), and of no other export. */
#ifndef SHARED_H
#define SHARED_H

struct widget {
	int id;
	long flags;
#ifdef WIDGET_V2
	unsigned int color;
#endif
};

typedef struct widget widget_t;

struct holder {
	widget_t *w;
	int n;
};

struct gadget {
	int x;
	char name[8];
};

/* Under -D__GENKSYMS__ the exports are what genksyms sees, as with
 * <linux/export.h>; otherwise the export tables come from the generated
 * NAME.mod.c, as modpost writes them. */
#ifdef __GENKSYMS__
#define EXPORT(sym) __GENKSYMS_EXPORT_SYMBOL(sym)
#else
#define EXPORT(sym)
#endif

int widget_get(struct widget *w);
int holder_use(struct holder *h);
int plain_add(int a, int b);
int gadget_poke(struct gadget *g);
long raw_thing(long x);
int ghost_symbol(void);

#endif
