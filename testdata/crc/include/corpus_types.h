/* SPDX-License-Identifier: GPL-2.0-only */
/* Types shared by the CRC corpus: genksyms expands types from headers. */
#ifndef CORPUS_TYPES_H
#define CORPUS_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef u32 __le32;
typedef __le32 le32_alias;		/* typedef chain: le32_alias -> __le32 -> u32 */
typedef unsigned long size_t;
typedef _Bool bool;

/* Enums with and without explicit values. */
enum color { RED, GREEN, BLUE };
enum flags { F_NONE = 0, F_A = 1 << 0, F_B = 1 << 1, F_AB = F_A | F_B, F_NEXT, F_NEXT2 };
enum sizes { SZ_SMALL = 4, SZ_BIG = SZ_SMALL * 4 };
enum { ANON_ENUM_CONST = 7, ANON_ENUM_NEXT };

/* Opaque (forward-declared only). */
struct opaque_thing;
struct device;

/* Recursive and mutually recursive structs. */
struct list_head {
	struct list_head *next, *prev;
};
struct tree_node;
struct tree_edge {
	struct tree_node *from, *to;
	u32 weight;
};
struct tree_node {
	struct tree_edge *edges;
	struct tree_node *parent;
	struct list_head siblings;
	int nedges;
};

/* Nested, anonymous members, unions, bitfields, arrays, qualifiers. */
struct packet_header {
	u8 version : 4, ihl : 4;
	u16 len;
	union {
		u32 addr32;
		u8 addr8[4];
		struct {
			u16 lo, hi;
		} halves;
	};
	struct {
		unsigned int urgent : 1;
		unsigned int reserved : 7;
		signed int delta : 24;
	} bits;
	const volatile u32 *status;
	char name[SZ_BIG];
	u8 payload[ANON_ENUM_NEXT];
	int matrix[2][3];
	enum color tint;
	enum flags flg;
} __attribute__((packed, aligned(4)));

union value {
	s64 i;
	double d;
	const char *s;
	struct packet_header *pkt;
};

/* Function pointers, callbacks in structs, variadic pointers. */
typedef int (*compare_fn)(const void *a, const void *b);
typedef void (*log_fn)(const char *fmt, ...);

struct ops {
	int (*open)(struct device *dev, unsigned int flags);
	void (*release)(struct device *dev);
	long (*ioctl)(struct device *, unsigned int, unsigned long);
	compare_fn cmp;
	log_fn log;
	struct ops *fallback;
	void (*callbacks[4])(void *);
	int (*(*factory)(int))(double);
};

typedef struct {
	int counter;
} atomic_t;

typedef struct ops ops_t;
typedef ops_t *ops_ptr;

struct registry {
	struct list_head entries;
	atomic_t refcount;
	const struct ops *ops;
	ops_ptr alt_ops;
	struct opaque_thing *priv;
	union value last;
	struct tree_node *root;
	le32_alias magic;
	bool enabled;
	size_t count;
	u64 stamps[RED + BLUE + 1];
};

#endif
