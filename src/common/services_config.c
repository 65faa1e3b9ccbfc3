/*
 * RUN= and its globs, ON_FAILURE=, BUILD= and the shared paths, checked where they are read: by the front before it
 * answers (a bad RUN is then a 500 the host shows, not a 200 and a sync
 * that fails later), and by the helper before it syncs. No libgit2 here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bounds.h"
#include "pathglob.h"
#include "run_split.h"
#include "services_config.h"
#include "shared_config.h"

/* A command key: split as sh would, its program findable. */
static int
check_command(const struct config *c, enum config_key k, const char *name, char *err,
    size_t errlen)
{
	const char *line = config_get(c, k), *why;
	char **argv = NULL;

	if (line == NULL)
		return 0;
	if ((why = run_split(line, &argv)) == NULL)
		why = run_findable(argv[0]);
	if (why != NULL)
		snprintf(err, errlen, "%s:%u: %s %s%s%s", c->path, c->v[k].line, name,
		    argv != NULL ? argv[0] : "", argv != NULL ? " " : "", why);
	free(argv);
	return why != NULL ? -1 : 0;
}

int
services_check(const struct config *c, char *err, size_t errlen)
{
	static const enum config_key globs[] = { CONFIG_INCLUDE_FILES, CONFIG_EXCLUDE_FILES };
	static const char *const glob_names[] = { "INCLUDE_FILES", "EXCLUDE_FILES" };
	char problem[LIMIT_REASON_BYTES];
	size_t i;

	if (check_command(c, CONFIG_ON_FAILURE, "ON_FAILURE", err, errlen) == -1)
		return -1;
	if (config_get(c, CONFIG_BUILD) != NULL && !config_releases(c)) {
		snprintf(err, errlen, "%s:%u: BUILD runs in a release before it is published: "
		    "it needs PUBLISH=releases", c->path, c->v[CONFIG_BUILD].line);
		return -1;
	}
	if (check_command(c, CONFIG_BUILD, "BUILD", err, errlen) == -1 ||
	    shared_config_check(c, err, errlen) == -1 ||
	    shared_config_subdir_check(c, err, errlen) == -1)
		return -1;
	if (config_get(c, CONFIG_RUN) == NULL)
		return 0;
	if (check_command(c, CONFIG_RUN, "RUN", err, errlen) == -1)
		return -1;
	for (i = 0; i < sizeof(globs) / sizeof(globs[0]); i++)
		if (config_get(c, globs[i]) != NULL &&
		    pathglob_check_list(config_get(c, globs[i]), problem, sizeof(problem)) == -1) {
			snprintf(err, errlen, "%s:%u: %s: %s", c->path, c->v[globs[i]].line,
			    glob_names[i], problem);
			return -1;
		}
	return 0;
}
