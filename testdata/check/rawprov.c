#include "shared.h"

long raw_thing(long x)
{
	return x * 3;
}
EXPORT(raw_thing);
