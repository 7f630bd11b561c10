/* Unit B: calls back into unit A, so the two units cannot be dropped. */
int counter_b = 3;
static long scratch_b[32];
const int table_b[] = { 11, 13, 17, 19, 23 };
extern int helper_a(int);

__attribute__((noinline)) int helper_b(int x)
{
	scratch_b[x & 31] = x * table_b[x % 5];
	return (int)scratch_b[(x + 3) & 31] + counter_b;
}

int entry_b(int x)
{
	return helper_a(x) + helper_b(x + 1);
}
