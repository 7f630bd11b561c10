/* SPDX-License-Identifier: GPL-2.0 */
/* A small device model: the types the exports in core.c use. */
#ifndef KDEV_H
#define KDEV_H
#include "kdefs.h"

struct device;            /* used through pointers only */
struct kobj_ns_type;      /* never defined anywhere */

enum dev_state {
	DEV_OFF,
	DEV_ON = 4,
	DEV_BROKEN = -1,
};

enum dev_flags_big {
	DEV_FLAG_A = 1ULL << 40,
	DEV_FLAG_B = 0xffffffffffffffffULL,
};

typedef enum dev_state dev_state_t;
typedef dev_state_t dev_state2_t;     /* typedef chain */

typedef int (*probe_fn)(struct device *dev, const char *name);
typedef void (*logger_fn)(const char *fmt, ...);

struct dev_ops {
	probe_fn probe;
	void (*remove)(struct device *);
	long (*ioctl)(struct device *, unsigned int cmd, unsigned long arg);
	logger_fn log;
	int (*const volatile cv_cb)(void);
};

struct dev_regs {
	volatile u32 ctrl;
	const volatile u32 status;
	u32 mode : 3;
	u32 irq : 5;
	u32 : 0;
	u32 wide : 24;
	signed int neg : 4;
	bool enabled : 1;
} __packed;

struct dev_stats {
	atomic_t refs;
	atomic64_t bytes;
	_Atomic int atomic_counter;
	u64 hist[4][8];
	char name[16];
} __aligned(64);

union dev_id {
	u32 raw;
	struct {
		u16 vendor;
		u16 product;
	};
	u8 bytes[4];
};

struct device {
	const char *name;
	struct device *parent;          /* self-referential */
	struct list_head node;
	struct hlist_node hnode;
	const struct dev_ops *ops;
	struct dev_regs regs;
	struct dev_stats stats;
	union dev_id id;
	dev_state2_t state;
	enum dev_flags_big flags;
	struct kobj_ns_type *ns;
	void *priv;
	void (*release)(struct device *);
	struct {
		int a;
		union {
			long b;
			void *c;
		};
	};
	unsigned int nr_res;
	struct dev_resource {
		u64 start, end;
	} res[];                        /* flexible array */
};

struct dev_buf {
	size_t len;
	u8 *restrict data;
	u8 tail[0];
};

#endif
