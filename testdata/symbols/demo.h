/* The demo module's internal interface (shared by its compilation units). */
#ifndef DEMO_H
#define DEMO_H
struct demo_dev {
	int id;
	unsigned long flags;
	void (*callback)(struct demo_dev *);
#ifdef DEMO_V2
	int refcount; /* scripts/demo.sh plants this change */
#endif
};
/* "kernel" functions: undefined in every unit that calls them */
extern int printk(const char *fmt, ...);
extern void *kmalloc(unsigned long size, unsigned int flags);
extern void kfree(const void *p);
/* shared between units */
extern int demo_debug;
int demo_util_scale(int v);
int demo_util_hook(int v); /* weak default in demo_util.c */
extern const char demo_banner[];
#endif
