/*
 * A shared path names a place under the release, chosen by the owner
 * but written into a tree a push made: it must stay inside both the
 * release and shared/, so no "..", no absolute path, no empty or "."
 * component, and never .git, which git would take for a repository.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "shared_config.h"

int
shared_config_next(const char **at, char *buf, size_t len)
{
	const char *p = *at;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	n = strcspn(p, " \t");
	snprintf(buf, len, "%.*s", (int)n, p);
	*at = p + n;
	return 1;
}

const char *
shared_config_refused(const char *path)
{
	const char *at = path;
	size_t n;

	if (strlen(path) >= PATH_MAX / 2)
		return "too long";
	if (*path == '/')
		return "an absolute path; paths are relative to the tree";
	for (;;) {
		n = strcspn(at, "/");
		if (n == 0)
			return "an empty component (// or a trailing /)";
		if (n > NAME_MAX)
			return "a component longer than NAME_MAX";
		if (n == 1 && at[0] == '.')
			return "a . component";
		if (n == 2 && at[0] == '.' && at[1] == '.')
			return "a .. component; the path stays inside the release";
		if (n == 4 && strncasecmp(at, ".git", 4) == 0)
			return "a .git component";
		if (at[n] == '\0')
			return NULL;
		at += n + 1;
	}
}

/* Is one of a, b the other or inside it? */
static int
nested(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/') &&
	    (b[n] == '\0' || b[n] == '/');
}

static int
check_key(const struct config *c, enum config_key k, const char *name, char *err,
    size_t errlen)
{
	static const enum config_key keys[] = { CONFIG_SHARED_DIRS, CONFIG_SHARED_FILES };
	char path[PATH_MAX], other[PATH_MAX];
	const char *at = config_get(c, k), *why, *o;
	size_t i;

	while (shared_config_next(&at, path, sizeof(path)))
		if ((why = shared_config_refused(path)) != NULL) {
			snprintf(err, errlen, "%s:%u: %s %s: %s", c->path, c->v[k].line, name,
			    path, why);
			return -1;
		}
	/* Each path once, none inside another: a link would hide the other. */
	for (at = config_get(c, k); shared_config_next(&at, path, sizeof(path));)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if ((o = config_get(c, keys[i])) == NULL)
				continue;
			while (shared_config_next(&o, other, sizeof(other)))
				if ((keys[i] != k || o != at) && nested(path, other)) {
					snprintf(err, errlen, "%s:%u: %s %s: %s is also shared; a "
					    "shared path is named once, never inside another",
					    c->path, c->v[k].line, name, path, other);
					return -1;
				}
		}
	return 0;
}

int
shared_config_check(const struct config *c, char *err, size_t errlen)
{
	static const struct { enum config_key k; const char *name; } keys[] = {
		{ CONFIG_SHARED_DIRS, "SHARED_DIRS" },
		{ CONFIG_SHARED_FILES, "SHARED_FILES" },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (config_get(c, keys[i].k) == NULL)
			continue;
		if (!config_releases(c)) {
			snprintf(err, errlen, "%s:%u: %s links paths into every release: it "
			    "needs PUBLISH=releases", c->path, c->v[keys[i].k].line,
			    keys[i].name);
			return -1;
		}
		if (check_key(c, keys[i].k, keys[i].name, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/*
 * SUBDIR= names the directory of the tree a release holds: a path of the
 * same shape, and releases only, since in place the work tree is the
 * whole tree and its .git sits at its top.
 */
int
shared_config_subdir_check(const struct config *c, char *err, size_t errlen)
{
	const char *v = config_get(c, CONFIG_SUBDIR), *why;

	if (v == NULL)
		return 0;
	if (!config_releases(c)) {
		snprintf(err, errlen, "%s:%u: SUBDIR publishes one directory of the tree as "
		    "a release; in place the work tree is the whole tree: it needs "
		    "PUBLISH=releases", c->path, c->v[CONFIG_SUBDIR].line);
		return -1;
	}
	if ((why = shared_config_refused(v)) != NULL) {
		snprintf(err, errlen, "%s:%u: SUBDIR %s: %s", c->path, c->v[CONFIG_SUBDIR].line,
		    v, why);
		return -1;
	}
	return 0;
}
