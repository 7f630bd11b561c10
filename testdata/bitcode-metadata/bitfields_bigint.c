/* Enumerators wider than 64 bits (APInt encoding), BTF tags as the
 * kernel's __user/__rcu annotations, labels, nested scopes and static
 * locals. */
#define __user __attribute__((btf_type_tag("user")))
#define __rcu __attribute__((btf_type_tag("rcu")))
#define __tagged __attribute__((btf_decl_tag("tagged")))

enum wide : unsigned __int128 {
	WIDE_LOW = 1,
	WIDE_HIGH = (unsigned __int128)1 << 100,
};

enum swide : __int128 {
	SWIDE_NEG = -((__int128)1 << 90),
	SWIDE_POS = 5,
};

struct rcu_holder {
	int __rcu *rcu_ptr;
	char __user *ubuf __tagged;
	_Bool flag;
	long long ll : 33;
	signed char sc : 2;
};

enum wide exported_wide = WIDE_HIGH;
enum swide exported_swide = SWIDE_NEG;
struct rcu_holder exported_holder;

int copy_from_user_like(void *to, const void __user *from, unsigned long n) __tagged;
int copy_from_user_like(void *to, const void __user *from, unsigned long n)
{
	static int calls;
	const char *src = (const char *)from;
	char *dst = to;
	calls++;
	if (!n)
		goto out;
	{
		int i;
		for (i = 0; i < (int)n; i++)
			dst[i] = src[i];
	}
out:
	return calls;
}

void holder_set(struct rcu_holder *h, int __rcu *p, _Complex double z)
{
	h->rcu_ptr = p;
	h->flag = __real__ z > 0;
}
