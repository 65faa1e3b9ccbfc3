/*
 * The helper makes its lock files and temporary clones in the directory
 * that holds CLONE_PATH, and sweeps what a dead sync left there. A user
 * who may write that directory can squat the locks and plant look-alikes;
 * one who may write a directory further up can move the whole tree away
 * and put their own in its place. So: the directory holding CLONE_PATH
 * is writable by its owner only; every directory above belongs to root
 * or to the effective user, and is writable by group or others only with
 * the sticky bit (/tmp), which stops them renaming what is not theirs.
 * Symbolic links on the way are followed, and the directories they lead
 * through are held to the same rule.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path_trust.h"

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

int
path_trust_parent(const char *path, char *why, size_t len)
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
