// SPDX-License-Identifier: GPL-2.0-only
/* An object without exports: kbuild skips genksyms for it. */
#include "corpus_types.h"
#include "modver_export.h"

int noexport_helper(struct registry *r)
{
	return r != 0;
}
