#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "owner.h"

/* The units' user: the one to suggest when root has no better answer. */
#define SERVICE_USER	"sentry-source"

static void
user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
}

enum owner
owner_check(const struct config *c, const char *mode, char *err, size_t errlen)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	char parent[PATH_MAX], owner[64], me[64];
	const char *what = path;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", path);
	dirname(parent);
	user_name(geteuid(), me, sizeof(me));
	if (lstat(path, &st) == -1) {
		what = parent;
		if (stat(parent, &st) == -1) {
			snprintf(err, errlen, "CLONE_PATH %s: its directory %s: %s; create it, "
			    "owned by the user that syncs: install -d -m 700 -o %s %s (the "
			    "units' StateDirectory= makes /var/lib/sentry-source when they "
			    "first start)", path, parent, strerror(errno),
			    geteuid() == 0 ? SERVICE_USER : me, parent);
			return OWNER_NO_DIR;
		}
	}
	/* Before the first clone another user may lend a writable directory,
	 * but root's clone would be root's, not the directory owner's. */
	if (st.st_uid == geteuid() || (what == parent && geteuid() != 0))
		return OWNER_OK;
	user_name(st.st_uid, owner, sizeof(owner));
	snprintf(err, errlen, "%s %s belongs to %s, and this runs as %s: %s; run it as "
	    "the owner: runuser -u %s -- sentry-source -c %s %s",
	    what == path ? "CLONE_PATH" : "CLONE_PATH's directory", what, owner, me,
	    what == path ? "git refuses a repository another user owns" :
	    "a clone made now would not be theirs to update",
	    owner, c->path, mode);
	return OWNER_OTHER;
}
