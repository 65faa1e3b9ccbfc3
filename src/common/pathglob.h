/*
 * Globs over paths relative to the repository root, for INCLUDE_FILES and
 * EXCLUDE_FILES. A glob matches the whole path. * and ? never match '/';
 * ** matches anything, '/' included, and where it makes up a whole
 * directory name (first in the glob, or between two slashes) it may also
 * stand for no directory at all: "**" then "/a.c" takes a.c as well as
 * x/y/a.c. [...] is a set of bytes ([!...] or [^...] its complement, a-z
 * a range) and never matches '/'; \ takes the next character literally.
 * A list is globs separated by blanks; a blank after \ belongs to its glob.
 *
 * This is the syntax, which both programs need; the matcher is the
 * helper's alone (src/sync/pathglob_match.h).
 */
#ifndef SENTRY_PATHGLOB_H
#define SENTRY_PATHGLOB_H

#include <stddef.h>

#include "bounds.h"

/* A glob is one word of a config line. */
#define PATHGLOB_MAX	LIMIT_CONFIG_LINE

enum pathglob_token_type { TOKEN_BYTE, TOKEN_ANY, TOKEN_SET, TOKEN_STAR, TOKEN_STARSTAR };

struct pathglob_token {
	enum pathglob_token_type type;
	size_t		len;	/* bytes of the glob it takes */
	unsigned char	byte;	/* TOKEN_BYTE */
};

/* The token that starts at g[p], p < len. */
struct pathglob_token	pathglob_token_at(const char *g, size_t len, size_t p);

/* The glob of the list at *pos: 1 with its start and length, 0 at the end. */
int	pathglob_next(const char *list, size_t *pos, const char **glob, size_t *len);

/* 0 when every glob of the list is well formed; -1 with why in err. */
int	pathglob_check_list(const char *list, char *err, size_t errlen);

#endif
