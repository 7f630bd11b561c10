/* A module importing some of exports.c's exports: built for v1, it will
 * not load on v2 (widget_get and holder_use reach struct widget, mode_set
 * enum mode; plain_add is unchanged). */
struct widget;
struct holder;
enum mode { MODE_OFF };
int widget_get(struct widget *w);
int holder_use(struct holder *h);
int plain_add(int a, int b);
int mode_set(enum mode m);

int consumer_init(void)
{
	return widget_get(0) + holder_use(0) + plain_add(1, 2) + mode_set(MODE_OFF);
}
