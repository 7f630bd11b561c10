// SPDX-License-Identifier: GPL-2.0
/* The kABI stability macros of scripts/gendwarfksyms/examples/kabi.h. */
#include "kdefs.h"
#include "kabi.h"

struct kabi_hidden {
	int a;
	long b;
};

struct kabi_declonly {
	int x;
};
KABI_DECLONLY(kabi_declonly);

enum kabi_enum {
	KE_A,
	KE_B,
	KE_NEW,
	KE_MAX,
};
KABI_ENUMERATOR_IGNORE(kabi_enum, KE_NEW);
KABI_ENUMERATOR_VALUE(kabi_enum, KE_MAX, 2);

struct kabi_sized {
	u32 a;
	u32 added;
};
KABI_BYTE_SIZE(kabi_sized, 4);

struct kabi_string {
	int changed;
};
KABI_TYPE_STRING("s#kabi_string", "structure_type kabi_string { member base_type int byte_size(4) encoding(5) old data_member_location(0) } byte_size(4)");

struct kabi_reserved {
	u64 a;
	KABI_USE(1, int used1);
	KABI_USE2(2, u16 x, u16 y);
	KABI_RESERVE(3);
	KABI_REPLACE(long, oldname, unsigned long newname);
	KABI_IGNORE(0, u8 hole);
	KABI_RESERVE_ARRAY(4, 16);
	int tail;
};

struct kabi_all {
	struct kabi_hidden *h;
	struct kabi_declonly *d;
	enum kabi_enum e;
	struct kabi_sized s;
	struct kabi_string *str;
	struct kabi_reserved r;
};

int kabi_func(struct kabi_all *all, enum kabi_enum e)
{
	return all->r.tail + e;
}
EXPORT_SYMBOL(kabi_func);

struct kabi_all kabi_var;
EXPORT_SYMBOL(kabi_var);

struct kabi_declonly *kabi_get_declonly(void)
{
	return 0;
}
EXPORT_SYMBOL(kabi_get_declonly);
