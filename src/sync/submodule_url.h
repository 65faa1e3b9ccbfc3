/*
 * What a pushed .gitmodules may say, judged before anything is fetched:
 * its names become directories of ours and its URLs places we connect
 * to with the deploy key, so both are hostile input. Pure functions.
 */
#ifndef SENTRY_SUBMODULE_URL_H
#define SENTRY_SUBMODULE_URL_H

#include <stddef.h>

/* The bounds on a .gitmodules: its bytes, its submodules, the nesting. */
#define SUBMODULE_GITMODULES_BYTES	(64u * 1024)
#define SUBMODULE_MAX		64
#define SUBMODULE_DEPTH		8
#define SUBMODULE_NAME_MAX	80

/*
 * A submodule's URL: relative ("./x", "../lib.git") resolved against
 * base, the superproject's URL, as git does; else ssh://user@host/path,
 * user@host:path or https://host/path as it is. Anything else (a local
 * path, file://, ext::, git://, http://, a leading "-", a blank or a
 * control byte, "host:path" with no user) is refused. The URL into
 * out, and NULL; or why it is refused.
 */
const char	*submodule_url_resolve(const char *base, const char *url, char *out,
		    size_t len);

/* The transport a resolved URL uses. */
enum submodule_transport { SUBMODULE_SSH, SUBMODULE_HTTPS };
enum submodule_transport	submodule_url_transport(const char *url);

/*
 * A submodule's name, as git's check_submodule_name and more: NULL when
 * taken, else why not (empty, a ".." or .git component, a control byte,
 * longer than SUBMODULE_NAME_MAX).
 */
const char	*submodule_name_refused(const char *name);

/* The name as one directory name of ours: every byte but [A-Za-z0-9_-]
 * as %XX, so no ".", "..", "/" or .git can come of it. */
void		 submodule_name_dir(const char *name, char *out, size_t len);

#endif
