// SPDX-License-Identifier: GPL-2.0-only
/* Variadic functions, attributes, qualifiers, array parameters. */
#include "corpus_types.h"
#include "modver_export.h"

int corpus_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int corpus_printk(const char *fmt, ...)
{
	return fmt != 0;
}
EXPORT_SYMBOL(corpus_printk);

__attribute__((noinline, cold)) void corpus_cold(log_fn log)
{
	(void)log;
}
EXPORT_SYMBOL_GPL(corpus_cold);

unsigned long corpus_checksum(const u8 data[static 4], unsigned int len, u32 seed)
{
	return data[0] + len + seed;
}
EXPORT_SYMBOL(corpus_checksum);

const volatile int *const corpus_cv_ptr;
EXPORT_SYMBOL(corpus_cv_ptr);

void *corpus_alloc(size_t n, enum sizes hint) __attribute__((malloc));
void *corpus_alloc(size_t n, enum sizes hint)
{
	(void)n; (void)hint;
	return 0;
}
EXPORT_SYMBOL_NS(corpus_alloc, CORPUS_MEM);

struct packet_header corpus_packets[SZ_SMALL];
EXPORT_SYMBOL(corpus_packets);

int corpus_anon_const = ANON_ENUM_CONST;
EXPORT_SYMBOL(corpus_anon_const);
