// SPDX-License-Identifier: GPL-2.0-only
/* Plain exports: functions, variables, typedef chains, enums. */
#include "corpus_types.h"
#include "modver_export.h"

int corpus_add(int a, int b)
{
	return a + b;
}
EXPORT_SYMBOL(corpus_add);

u64 corpus_widen(u8 a, u16 b, u32 c, le32_alias d)
{
	return (u64)a + b + c + d;
}
EXPORT_SYMBOL(corpus_widen);

enum color corpus_next_color(enum color c, enum flags f)
{
	return (enum color)((c + (int)f) % 3);
}
EXPORT_SYMBOL_GPL(corpus_next_color);

int corpus_counter = 3;
EXPORT_SYMBOL(corpus_counter);

const char corpus_banner[16] = "modver";
EXPORT_SYMBOL_GPL(corpus_banner);

extern unsigned long corpus_declared_extern;
unsigned long corpus_declared_extern = 1;
EXPORT_SYMBOL(corpus_declared_extern);

static inline int corpus_helper(int x) { return x * 2; }

int corpus_uses_helper(int x)
{
	return corpus_helper(x);
}
EXPORT_SYMBOL(corpus_uses_helper);

void corpus_noargs(void)
{
}
EXPORT_SYMBOL(corpus_noargs);
