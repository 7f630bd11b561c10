/* Unit A of a two-unit LTO module: functions, initialised and zeroed data,
 * read-only tables, so LLD's LTO code generation splits every kind. */
int counter_a;
static int scratch_a[64];
int table_a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
const char *const names_a[] = { "alpha", "beta", "gamma" };
extern int helper_b(int);

__attribute__((noinline)) int helper_a(int x)
{
	scratch_a[x & 63] += x;
	return scratch_a[(x + 1) & 63] + table_a[x & 7];
}

int entry_a(int x)
{
	counter_a += helper_b(x) + names_a[x % 3][0];
	return helper_a(counter_a);
}
