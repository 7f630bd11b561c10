/* The BTF explain fixture: build v1, and v2 (-DV2) with one change of each
 * kind explain reports, every export reaching its change through a
 * different path (pointer, typedef, array, const, function pointer,
 * union). genksyms sees it with -D__GENKSYMS__; the ELF build (clang -g,
 * then pahole -J) gives the BTF. The other types exercise every BTF kind
 * the reader decodes (bit-fields, signed/64-bit enums, float, volatile,
 * restrict, type and declaration tags, per-CPU variables). */
#ifdef __GENKSYMS__
#define EXPORT(sym) __GENKSYMS_EXPORT_SYMBOL(sym)
#define TAG(x)
#else
#define EXPORT(sym)
#define TAG(x) __attribute__((btf_decl_tag(x)))
#endif

typedef unsigned int u32;
typedef unsigned long long u64;

/* member added */
struct widget {
	int id;
	long flags;
#ifdef V2
	unsigned int color;
#endif
};
typedef struct widget widget_t;

struct holder {
	widget_t *w;
	int n;
};

/* member retyped */
struct net_cfg {
#ifdef V2
	long mtu;
#else
	int mtu;
#endif
	const char *name;
};

/* member removed */
struct rec {
	int a;
#ifndef V2
	int b;
#endif
	int c;
};

/* enumerator added */
enum mode {
	MODE_OFF,
	MODE_ON,
#ifdef V2
	MODE_AUTO,
#endif
};

/* function-pointer member's prototype changed */
struct ops {
#ifdef V2
	int (*cb)(int, long);
#else
	int (*cb)(int);
#endif
	void (*release)(void *);
};

/* typedef retargeted */
#ifdef V2
typedef u64 handle_t;
#else
typedef u32 handle_t;
#endif

/* an anonymous union member changes inside a named struct */
struct packet {
	int len;
	union {
		int raw;
#ifdef V2
		long wide;
#else
		short narrow;
#endif
	};
};

/* unchanged, and reached by no changed type */
struct gadget {
	int x;
	char name[8];
};

/* changed, but no export reaches it */
struct lonely {
#ifdef V2
	long a;
#else
	int a;
#endif
};

/* the other kinds, unchanged */
struct bits {
	unsigned int lo : 3;
	unsigned int hi : 5;
	signed char s : 2;
	volatile int v;
	float f;
	double d;
	u64 big;
} TAG("bits_tag");

enum sign { NEG = -1, POS = 1 };
enum wide { W_BIG = 0x100000000ULL };

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
