/* The BTF explain fixture: build v1, and v2 (-DV2) with one change of each
 * kind explain reports, every export reaching its change through a
 * different path (pointer, typedef, array, const, function pointer,
 * union). genksyms sees it with -D__GENKSYMS__; the ELF build (clang -g,
 * then pahole -J) gives the BTF. The other types exercise every BTF kind
 * the reader decodes (bit-fields, signed/64-bit enums, float, volatile,
 * restrict, type and declaration tags, per-CPU variables). */
#include "exports.h"

int widget_get(struct widget *w) { return w->id; }
EXPORT(widget_get);
int holder_use(struct holder *h) { return h->n + widget_get(h->w); }
EXPORT(holder_use);
int cfg_apply(const struct net_cfg *c) { return c->mtu; }
EXPORT(cfg_apply);
int rec_sum(struct rec r[2]) { return r[0].a + r[1].c; }
EXPORT(rec_sum);
int mode_set(enum mode m) { return m; }
EXPORT(mode_set);
int ops_call(struct ops *o) { return o->cb != 0; }
EXPORT(ops_call);
long handle_of(handle_t h) { return (long)h; }
EXPORT(handle_of);
int packet_len(struct packet *p) { return p->len + p->raw; }
EXPORT(packet_len);
int gadget_poke(struct gadget *g) { return g->x + g->name[0]; }
EXPORT(gadget_poke);
int plain_add(int a, int b) { return a + b; }
EXPORT(plain_add);
#ifdef V2
int proto_change(int a, long b) { return a + (int)b; }
#else
int proto_change(int a) { return a; }
#endif
EXPORT(proto_change);
int bits_get(struct bits *restrict b, enum sign s, enum wide w) { return b->lo + s + (int)w; }
EXPORT(bits_get);
int lonely_peek(void *p) { return ((struct lonely *)p)->a; }
EXPORT(lonely_peek);
__attribute__((section(".data..percpu"))) int percpu_counter;
EXPORT(percpu_counter);
