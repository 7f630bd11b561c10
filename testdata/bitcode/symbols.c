/* Linkage, visibility and storage kinds llvm-nm distinguishes in bitcode. */
int defined_data = 1;
int zero_data;
const int const_data = 3;
__thread int tls_data;
static __thread int tls_static;
__attribute__((weak)) int weak_data = 5;
__attribute__((visibility("hidden"))) int hidden_data = 6;
__attribute__((visibility("protected"))) int protected_data = 7;
__attribute__((section(".data.custom"))) int section_data = 8;
static int static_data = 9;
static int static_used __attribute__((used)) = 10;
static const char private_string[] = "format-specific";

extern int extern_data;
extern int weak_ref __attribute__((weak));
extern void extern_fn(void);
extern void weak_fn_ref(void) __attribute__((weak));

static __attribute__((noinline)) int static_fn(int x) { return x * static_data + tls_static; }
__attribute__((weak)) int weak_fn(void) { return 1; }
__attribute__((visibility("hidden"))) int hidden_fn(void) { return 2; }
__attribute__((noinline)) int global_fn(int x)
{
	if (weak_fn_ref)
		weak_fn_ref();
	extern_fn();
	return static_fn(x) + extern_data + weak_ref + private_string[x & 7];
}
static __attribute__((used)) void static_used_fn(void) {}
__attribute__((constructor)) static void ctor(void) { zero_data = 1; }

int alias_fn(int) __attribute__((alias("global_fn")));
extern int alias_data __attribute__((alias("defined_data")));
int weak_alias_fn(int) __attribute__((weak, alias("global_fn")));
static int static_alias(int) __attribute__((alias("global_fn"), used));

inline int inline_fn(void) { return 3; }
int use_inline(void) { return inline_fn() + tls_data; }
