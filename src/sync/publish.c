/*
 * The layouts, chosen once (publish.h). Only this file names them: the
 * rest of the helper asks publish_for().
 */
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "publish.h"

extern const struct publish publish_inplace;
extern const struct publish publish_releases;

static const struct publish *const layouts[] = { &publish_inplace, &publish_releases };
#define NLAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))

const struct publish *
publish_for(const struct config *c)
{
	const char *name = config_get(c, CONFIG_PUBLISH);
	size_t i;

	/* config.c accepted the value: one of these, or unset (in place). */
	for (i = 0; name != NULL && i < NLAYOUTS; i++)
		if (strcmp(layouts[i]->name, name) == 0)
			return layouts[i];
	return &publish_inplace;
}

const struct publish *
publish_other(const struct config *c, char *what, size_t len)
{
	const struct publish *mine = publish_for(c);
	size_t i;

	for (i = 0; i < NLAYOUTS; i++)
		if (layouts[i] != mine && layouts[i]->shows != NULL &&
		    layouts[i]->shows(config_get(c, CONFIG_CLONE_PATH), what, len))
			return layouts[i];
	return NULL;
}
