/* Very long symbol names (string table entries of about 9 KiB). */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define D(a) CAT(a, a)
#define LONG(p) CAT(p, D(D(D(D(D(D(D(D(D(D(_long_part_)))))))))))
int LONG(defined) = 1;
extern int LONG(undefined);
int LONG(function)(void) { return LONG(undefined); }
