/* Kernel-like types for the bitcode debug-info metadata reader: every kind
 * of type gendwarfksyms expands, exported through functions and variables. */
#include <stdarg.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
typedef u32 __le32;
typedef __le32 le32_alias;          /* typedef chain */
typedef _Bool bool;

struct list_head {                   /* self-reference */
	struct list_head *next, *prev;
};

struct opaque_dev;                   /* forward declaration only */

enum big_values {                    /* large and negative enumerators */
	BV_NEG = -5,
	BV_ZERO = 0,
	BV_BIG = 0x7fffffff,
};

enum u64_values : unsigned long long {
	UV_HUGE = 0xffffffffffffffffULL,
	UV_HIGH = 0x8000000000000000ULL,
};

enum s64_values : long long {
	SV_MIN = -0x7fffffffffffffffLL - 1,
	SV_ONE = 1,
};

union value {
	u64 raw;
	struct { u32 lo, hi; };          /* anonymous member */
	float f;
	double d;
};

struct flags {
	unsigned int a : 1;              /* bitfields */
	unsigned int b : 3;
	int c : 5;
	u64 wide : 40;
	enum big_values e : 8;
};

struct __attribute__((packed)) packed_hdr {
	u8 type;
	u32 len;
	u16 csum;
};

struct aligned_thing {
	u64 x __attribute__((aligned(64)));
	char pad;
} __attribute__((aligned(128)));

struct ops {                         /* function pointers, variadics */
	int (*open)(struct opaque_dev *dev, const char *name);
	void (*log)(const char *fmt, ...);
	long (*ioctl)(struct opaque_dev *, unsigned int, unsigned long);
	void (*noargs)(void);
};

struct qualified {
	const volatile int cv;
	_Atomic(unsigned long) counter;
	char *restrict buf;
	const char *const names[4];
};

struct buffer {
	u32 len;
	u32 grid[3][4];                  /* multi-dimensional */
	struct list_head list;
	union value v;
	struct flags fl;
	unsigned char data[];            /* flexible array */
};

struct with_anon_union {
	int kind;
	union {
		int i;
		void *p;
	};
	struct {
		short s1, s2;
	} named_anon;
};

typedef int (*handler_t)(struct buffer *, void *);
typedef struct buffer buffer_t;

/* Exported variables */
struct list_head exported_list;
const struct ops exported_ops;
le32_alias exported_le32 = 3;
handler_t exported_handlers[8];
enum big_values exported_enum = BV_BIG;
struct aligned_thing exported_aligned;
struct packed_hdr exported_hdr;
struct qualified exported_qual;
struct with_anon_union exported_anon;
int exported_matrix[2][3][4];
_Atomic int exported_atomic;
static int file_local_counter;
extern int extern_only_var;

int buffer_init(struct buffer *b, u32 len, enum u64_values uv, enum s64_values sv)
{
	b->len = len + (u32)uv + (u32)sv;
	file_local_counter++;
	return extern_only_var;
}

void buffer_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	exported_le32 = va_arg(ap, int);
	va_end(ap);
}

long dispatch(const struct ops *o, struct opaque_dev *dev, handler_t h, buffer_t *buf)
{
	if (h)
		return h(buf, dev);
	return o->ioctl(dev, 1, 2);
}

union value value_of(union value v, volatile u64 *restrict p, bool flag)
{
	if (flag)
		v.raw = *p;
	return v;
}

u8 flags_get(const struct flags *f, struct packed_hdr *h, struct with_anon_union *w)
{
	return f->a + f->b + f->c + f->wide + f->e + h->len + w->i;
}

void list_add(struct list_head *new, struct list_head *head)
{
	new->next = head->next;
	new->prev = head;
	head->next = new;
}

static inline int helper(int x) { return x * 2; }

int use_helper(int (*cb)(int), struct qualified *q)
{
	int r = helper(q->cv);
	if (cb)
		r += cb(r);
	return r + q->counter;
}

extern void external_decl(struct aligned_thing *t);

void call_external(struct aligned_thing *t)
{
	external_decl(t);
	external_decl(&exported_aligned);
}

__int128 wide_math(__int128 a, unsigned __int128 b)
{
	return a * (__int128)b;
}
