/* No symbols at all: llvm-nm warns "no symbols". */
typedef int nothing;
