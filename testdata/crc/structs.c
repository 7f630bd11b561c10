// SPDX-License-Identifier: GPL-2.0-only
/* Structs, unions, recursion, opaque types, function pointers. */
#include "corpus_types.h"
#include "modver_export.h"

/* Defined in the .c file itself: genksyms keeps it opaque. */
struct local_state {
	int x;
};

struct registry corpus_registry;
EXPORT_SYMBOL(corpus_registry);

int corpus_register(struct registry *r, const struct ops *ops, struct opaque_thing *t)
{
	return r != 0 && ops != 0 && t != 0;
}
EXPORT_SYMBOL_GPL(corpus_register);

struct tree_node *corpus_tree_walk(struct tree_node *n, struct tree_edge *e, int depth)
{
	return depth ? n : e->to;
}
EXPORT_SYMBOL(corpus_tree_walk);

union value corpus_pick(union value a, union value b, bool first)
{
	return first ? a : b;
}
EXPORT_SYMBOL(corpus_pick);

void corpus_fill(struct packet_header *h, const volatile u8 *src, size_t n)
{
	(void)h; (void)src; (void)n;
}
EXPORT_SYMBOL_NS(corpus_fill, CORPUS_NS);

int corpus_local(struct local_state *s, struct list_head *l)
{
	return s->x + (l != 0);
}
EXPORT_SYMBOL_NS_GPL(corpus_local, CORPUS_NS);

void corpus_sort(void *base, size_t n, size_t sz, compare_fn cmp, int (*swap)(void *, void *, int))
{
	(void)base; (void)n; (void)sz; (void)cmp; (void)swap;
}
EXPORT_SYMBOL(corpus_sort);

ops_ptr corpus_ops_table[8];
EXPORT_SYMBOL(corpus_ops_table);

atomic_t corpus_refs;
EXPORT_SYMBOL_GPL(corpus_refs);
