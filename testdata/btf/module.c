/* A module over the fixture's vmlinux: its split BTF (pahole -J
 * --btf_base vmlinux) refers to vmlinux types by id and adds its own. */
struct widget {
	int id;
	long flags;
};

struct mod_priv {
	struct widget *w;
	unsigned short flags;
	struct mod_priv *next;
};

int mod_use(struct mod_priv *p) { return p->w->id + p->flags; }
