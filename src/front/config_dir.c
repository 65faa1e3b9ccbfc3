/*
 * The request path to a deployment name, a pure function: nothing here
 * opens a file. What may be a name is a whitelist, not a blacklist of
 * "..", "/" and their encodings.
 */
#include <stdlib.h>
#include <string.h>

#include "config_dir.h"
#include "log.h"

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int
config_dir_name(const char *path, char *name, size_t len)
{
	size_t n;

	/* Not decoded, and not to be: an escape here is someone probing. */
	if (strchr(path, '%') != NULL)
		return 400;
	if (path[0] != '/')
		return 404;
	for (n = 0; name_char(path[1 + n]); n++)
		if (n >= LIMIT_DEPLOYMENT_NAME)
			return 404;
	if (n == 0 || n >= len ||
	    (path[1 + n] != '\0' && strcmp(path + 1 + n, "/webhook") != 0))
		return 404;
	memcpy(name, path + 1, n);
	name[n] = '\0';
	return 0;
}

int
config_dir_enter(const char *name)
{
	if (log_deployment(name) == -1)
		return -1;
	return setenv(LOG_DEPLOYMENT_ENV, name, 1);
}
