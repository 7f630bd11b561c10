/* Global and file-local functions and variables: LLVM gives the first
 * DW_AT_external, not the second (explain tells an export from a static
 * function of the same name in another unit by it). */
static int local_counter;
int global_counter;

static __attribute__((noinline)) int local_step(int x)
{
	local_counter += x;
	return local_counter * 3;
}

int global_step(int x)
{
	global_counter += local_step(x);
	return global_counter;
}
