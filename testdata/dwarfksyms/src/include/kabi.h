/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kABI stability macros for the fixtures, written for modver after the
 * interface gendwarfksyms documents (Documentation/kbuild/gendwarfksyms.rst):
 * rules are NUL-separated "version\0type\0target\0value" records in the
 * .discard.gendwarfksyms.kabi_rules section; reserved, renamed and ignored
 * members carry the __kabi_reserved, __kabi_renamed and __kabi_ignored name
 * prefixes inside two-member unions.
 */
#ifndef FIXTURE_KABI_H
#define FIXTURE_KABI_H
#include "kdefs.h"

#define __KCAT2(a, b) a##b
#define __KCAT(a, b) __KCAT2(a, b)

#define __KRULE_STR(kind, target, value)                                \
	static const char __KCAT(__kabi_rule_, __COUNTER__)[]            \
		__used __aligned(1)                                      \
		__section(".discard.gendwarfksyms.kabi_rules") =         \
			"1\0" #kind "\0" target "\0" value
#define __KRULE(kind, target, value) __KRULE_STR(kind, #target, #value)

#define KABI_DECLONLY(fqn) __KRULE(declonly, fqn, )
#define KABI_ENUMERATOR_IGNORE(fqn, field) __KRULE(enumerator_ignore, fqn field, )
#define KABI_ENUMERATOR_VALUE(fqn, field, v) __KRULE(enumerator_value, fqn field, v)
#define KABI_BYTE_SIZE(fqn, v) __KRULE(byte_size, fqn, v)
#define KABI_TYPE_STRING(type, str) __KRULE_STR(type_string, type, str)

#define KABI_RESERVE(n) unsigned long __kabi_reserved##n
#define KABI_RESERVE_ARRAY(n, s) unsigned char __aligned(8) __kabi_reserved##n[s]

/* The new member shares storage with the old one, which stays versioned. */
#define __KABI_SWAP(_old, _new) \
	union {                 \
		_new;           \
		struct {        \
			_old;   \
		};              \
	}
#define KABI_USE(n, _new) __KABI_SWAP(KABI_RESERVE(n), _new)
#define KABI_USE2(n, _a, _b) __KABI_SWAP(KABI_RESERVE(n), struct { _a; _b; })
#define KABI_REPLACE(_oldtype, _oldname, _new) \
	__KABI_SWAP(_oldtype __kabi_renamed##_oldname, struct { _new; })
#define KABI_IGNORE(n, _new)                     \
	union {                                  \
		_new;                            \
		unsigned char __kabi_ignored##n; \
	}
#endif
