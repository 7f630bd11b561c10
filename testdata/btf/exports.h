/* The BTF explain fixture's types, in a header as the kernel's are:
 * genksyms records only definitions from headers (record_compound), so
 * a type defined in exports.c itself would be UNKNOWN to its exports. */
#ifndef EXPORTS_H
#define EXPORTS_H

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

#endif
