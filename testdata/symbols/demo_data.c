// SPDX-License-Identifier: GPL-2.0
/* Data-only unit: tables, a weak object, and references to other units. */
#include "demo.h"

const int demo_table[4] = { 1, 2, 3, 4 };
__attribute__((weak)) int demo_weak_obj = 7;
extern int demo_weak_obj_ref __attribute__((weak));
int *demo_ptrs[] = { &demo_debug, &demo_weak_obj_ref };
void *demo_kfree_ptr = (void *)kfree;        /* kfree used by two units */
