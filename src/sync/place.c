/*
 * May this user use this place (place.h)?
 *
 * The directories: a user who may write the directory that holds
 * CLONE_PATH can squat the locks and plant look-alikes; one who may
 * write a directory further up can move the whole tree away and put
 * their own in its place. So: the directory holding CLONE_PATH is
 * writable by its owner only; every directory above belongs to root or
 * to the effective user, and is writable by group or others only with
 * the sticky bit (/tmp), which stops them renaming what is not theirs.
 * Symbolic links on the way are followed, and the directories they lead
 * through are held to the same rule.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "place.h"

#define SAFE_LAYOUT	"see \"A safe layout\" in sentry-source(8)"

static int
check_dir(const char *dir, const struct stat *st, int holds_it, char *why, size_t len)
{
	errno = EPERM;
	if (!S_ISDIR(st->st_mode)) {
		snprintf(why, len, "%s is not a directory", dir);
		errno = ENOTDIR;
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(why, len, "%s belongs to uid %u, who could move CLONE_PATH's tree "
		    "away: the directories holding CLONE_PATH must belong to root or to "
		    "this user (uid %u); %s", dir, (unsigned)st->st_uid,
		    (unsigned)geteuid(), SAFE_LAYOUT);
		return -1;
	}
	if (holds_it && (st->st_mode & 022)) {
		snprintf(why, len, "%s, the directory holding CLONE_PATH, is writable by "
		    "group or others (mode %04o), who could hold its lock files or plant "
		    "look-alike clones there: chmod go-w %s, or use a directory of this "
		    "user's own, as the units' StateDirectory=; %s", dir,
		    (unsigned)(st->st_mode & 07777), dir, SAFE_LAYOUT);
		return -1;
	}
	if ((st->st_mode & 022) && !(st->st_mode & S_ISVTX)) {
		snprintf(why, len, "%s is writable by group or others without the sticky "
		    "bit (mode %04o), who could move CLONE_PATH's tree away: chmod go-w %s; "
		    "%s", dir, (unsigned)(st->st_mode & 07777), dir, SAFE_LAYOUT);
		return -1;
	}
	return 0;
}

/* Cut path to its parent in place; 0 once it was "/". */
static int
up(char *path)
{
	char *slash = strrchr(path, '/');

	if (strcmp(path, "/") == 0 || slash == NULL)
		return 0;
	if (slash == path)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 1;
}

/*
 * dir (the one holding CLONE_PATH when holds_it) and each directory
 * above it, to /. A symbolic link is checked
 * where it leads, by the whole chain of its resolved path (which holds
 * no link), and its own directory as the next one up.
 */
static int
check_chain(const char *dir, int resolved, int holds_it, char *why, size_t len)
{
	char cur[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int saved;

	if ((size_t)snprintf(cur, sizeof(cur), "%s", dir) >= sizeof(cur)) {
		snprintf(why, len, "%.64s...: %s", dir, strerror(ENAMETOOLONG));
		errno = ENAMETOOLONG;
		return -1;
	}
	do {
		if (lstat(cur, &st) == -1) {
			saved = errno;	/* ENOENT, say: kept for the caller */
			snprintf(why, len, "%s: %s", cur, strerror(saved));
			errno = saved;
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			if (resolved || realpath(cur, real) == NULL) {
				saved = resolved ? EPERM : errno;
				snprintf(why, len, "%s: a symbolic link that does not resolve "
				    "(%s)", cur, resolved ? "it changed" : strerror(saved));
				errno = saved;
				return -1;
			}
			if (check_chain(real, 1, holds_it, why, len) == -1)
				return -1;
		} else if (check_dir(cur, &st, holds_it, why, len) == -1)
			return -1;
		holds_it = 0;
	} while (up(cur));
	return 0;
}

/*
 * 0 when no user but root and the effective one can write the directory
 * that holds path, nor move away or replace any directory above it;
 * -1 with the directory at fault and the fix in why, and errno EPERM
 * when another user could change it, or as lstat(2) left it (ENOENT when
 * a directory does not exist).
 */
static int
trust_parent(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir) || dir[0] != '/') {
		snprintf(why, len, "CLONE_PATH %.64s: not an absolute path that fits", path);
		errno = EINVAL;
		return -1;
	}
	up(dir);
	return check_chain(dir, 0, 1, why, len);
}

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

/* Who may sync a checkout: see place.h. */
static enum place
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
			return PLACE_NO_DIR;
		}
	}
	/* Before the first clone another user may lend a writable directory,
	 * but root's clone would be root's, not the directory owner's. */
	if (st.st_uid == geteuid() || (what == parent && geteuid() != 0))
		return PLACE_OK;
	user_name(st.st_uid, owner, sizeof(owner));
	snprintf(err, errlen, "%s %s belongs to %s, and this runs as %s: %s; run it as "
	    "the owner: runuser -u %s -- sentry-source -c %s %s",
	    what == path ? "CLONE_PATH" : "CLONE_PATH's directory", what, owner, me,
	    what == path ? "git refuses a repository another user owns" :
	    "a clone made now would not be theirs to update",
	    owner, c->path, mode);
	return PLACE_OTHER;
}

/*
 * The owner first: as another user (root above all), every other answer
 * would be about the wrong user's rights, and "run it as the owner" is
 * the one that helps. Then the directories, as this user sees them. A
 * directory that does not exist is the owner check's to say.
 */
enum place
place_check(const struct config *c, const char *mode, char *err, size_t len)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	enum place p;
	size_t at;
	int n;

	if ((p = owner_check(c, mode, err, len)) != PLACE_OK)
		return p;
	n = snprintf(err, len, "CLONE_PATH %s: ", path);
	at = n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
	if (trust_parent(path, err + at, len - at) == -1 && errno != ENOENT)
		return PLACE_UNSAFE;
	return PLACE_OK;
}

int
place_status(enum place p)
{
	switch (p) {
	case PLACE_OK: return EXIT_OK;
	case PLACE_UNSAFE: return EXIT_CONFIG;
	case PLACE_OTHER: return EXIT_NOT_OURS;
	case PLACE_NO_DIR: break;
	}
	return EXIT_SYNC_FAILED;
}
