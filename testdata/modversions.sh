# Shared by the testdata build scripts: the __versions table modpost writes
# into NAME.mod.c (struct modversion_info, include/linux/module.h).
# shellcheck shell=bash
modversion_struct='struct modversion_info { unsigned long crc; char name[64 - sizeof(unsigned long)]; };'

# __versions from "crc name" lines on stdin.
versions_c() {
	echo "$modversion_struct"
	echo 'static const struct modversion_info ____versions[] __attribute__((used, section("__versions"), aligned(8))) = {'
	while read -r crc name; do printf '\t{ %s, "%s" },\n' "$crc" "$name"; done
	echo '};'
}
