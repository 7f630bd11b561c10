# Generates a large C translation unit for the CRC benchmark: a header
# (types genksyms expands) and a source exporting functions that use them.
# Usage: awk -v types=N -v exports=M -v seed=S -v header=FILE -f gen-crc-corpus.awk > src.c
function pick_value(   r) {
	r = int(rand() * nvalues)
	return values[r]
}
BEGIN {
	srand(seed)
	nvalues = 0
	split("int|unsigned long|char|short|long long|unsigned char|_Bool", base, "|")
	for (i in base) values[nvalues++] = base[i]
	nconst = 0
	print "#ifndef GEN_BENCH_H\n#define GEN_BENCH_H" > header
	for (i = 0; i < types; i++) {
		k = int(rand() * 10)
		if (k < 2) {
			printf "typedef %s td_%d;\n", pick_value(), i > header
			values[nvalues++] = "td_" i
		} else if (k < 3) {
			printf "enum en_%d { ", i > header
			n = 1 + int(rand() * 6)
			for (j = 0; j < n; j++) {
				if (j) printf ", " > header
				if (nconst && rand() < 0.3)
					printf "C_%d_%d = %s + %d", i, j, consts[int(rand() * nconst)], j > header
				else if (rand() < 0.5)
					printf "C_%d_%d = %d", i, j, int(rand() * 1000) > header
				else
					printf "C_%d_%d", i, j > header
				consts[nconst++] = "C_" i "_" j
			}
			printf " };\n" > header
			values[nvalues++] = "enum en_" i
		} else {
			kw = rand() < 0.8 ? "struct" : "union"
			printf "%s ty_%d {", kw, i > header
			n = 2 + int(rand() * 10)
			for (j = 0; j < n; j++) {
				f = int(rand() * 7)
				if (f == 0) printf " %s *p%d;", pick_value(), j > header
				else if (f == 1) printf " struct ty_%d *l%d;", int(rand() * types), j > header
				else if (f == 2 && nconst) printf " %s a%d[%s + 1];", pick_value(), j, consts[int(rand() * nconst)] > header
				else if (f == 3) printf " unsigned int b%d : %d;", j, 1 + int(rand() * 7) > header
				else if (f == 4) printf " int (*fp%d)(%s, struct ty_%d *);", j, pick_value(), int(rand() * types) > header
				else printf " %s v%d;", pick_value(), j > header
			}
			printf " };\n" > header
			values[nvalues++] = kw " ty_" i
		}
	}
	print "#endif" > header
	printf "#include \"%s\"\n#include \"modver_export.h\"\n", header
	for (e = 0; e < exports; e++) {
		n = int(rand() * 4)
		printf "%s *exp_%d(", pick_value(), e
		if (n == 0) printf "void"
		for (j = 0; j < n; j++) printf "%s%s *a%d", (j ? ", " : ""), pick_value(), j
		printf ") { return 0; }\nEXPORT_SYMBOL(exp_%d);\n", e
	}
}
