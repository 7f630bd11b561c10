// SPDX-License-Identifier: GPL-2.0
/* The demo module's .modinfo, as MODULE_LICENSE() writes it: modpost
 * refuses a module without a licence. Linked into the module by
 * scripts/demo.sh only (the symbol-table fixtures of build.sh leave it out). */
static const char demo_license[] __attribute__((used, section(".modinfo"), aligned(1))) = "license=GPL";
