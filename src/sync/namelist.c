#include <stdio.h>
#include <string.h>

#include "namelist.h"

void
namelist_add(struct namelist *n, const char *path)
{
	size_t len = strlen(n->text);

	/* Names come sorted: a repeat is the one just added. */
	if (n->count > 0 && strcmp(n->last, path) == 0)
		return;
	snprintf(n->last, sizeof(n->last), "%s", path);
	if (n->count++ < NAMELIST_MAX)
		snprintf(n->text + len, sizeof(n->text) - len, "%s%s", len ? ", " : "", path);
}

void
namelist_finish(struct namelist *n)
{
	size_t len = strlen(n->text);

	if (n->count > NAMELIST_MAX)
		snprintf(n->text + len, sizeof(n->text) - len, " and %zu more",
		    n->count - NAMELIST_MAX);
}
