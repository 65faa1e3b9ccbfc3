/*
 * The release was written by us, but its tree came from a push: every
 * path in it is reached from the release's descriptor, never through a
 * link (nofollow.c), and a link the commit put where a shared path goes
 * is replaced, not followed. shared/ is the owner's: a link found in it
 * is refused rather than judged, as it could lead anywhere.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "nofollow.h"
#include "remove_tree.h"
#include "shared_config.h"
#include "shared_paths.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static const struct {
	enum config_key	 key;
	const char	*name;
	mode_t		 type;
} lists[] = {
	{ CONFIG_SHARED_DIRS, "SHARED_DIRS", S_IFDIR },
	{ CONFIG_SHARED_FILES, "SHARED_FILES", S_IFREG },
};
#define NLISTS	(sizeof(lists) / sizeof(lists[0]))

static int
any(const struct config *c)
{
	size_t i;

	for (i = 0; i < NLISTS; i++)
		if (config_get(c, lists[i].key) != NULL)
			return 1;
	return 0;
}

/* path's directory part, "" for a top-level name. */
static void
parent_of(const char *path, char *buf, size_t len)
{
	const char *leaf = nofollow_leaf(path);

	snprintf(buf, len, "%.*s", leaf == path ? 0 : (int)(leaf - path - 1), path);
}

/* One shared path in shared/: 0, or -1 with the reason. */
static int
verify_one(int shared, const char *name, const char *path, mode_t type, char *why,
    size_t len)
{
	struct stat st;
	size_t stop = 0;
	int parent;

	if ((parent = nofollow_parent(shared, path, &stop)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "%s %s: " SHARED_PATHS_DIR "/%.*s is a link or a file, not "
		    "a directory; links in " SHARED_PATHS_DIR "/ are refused: they could "
		    "lead out of it", name, path, (int)stop, path);
		return -1;
	}
	if (fstatat(parent, nofollow_leaf(path), &st, AT_SYMLINK_NOFOLLOW) == -1) {
		close(parent);
		return 0;
	}
	close(parent);
	if (S_ISLNK(st.st_mode))
		snprintf(why, len, "%s %s: " SHARED_PATHS_DIR "/%s is a link; links in "
		    SHARED_PATHS_DIR "/ are refused: they could lead out of it", name, path, path);
	else if ((st.st_mode & S_IFMT) != type)
		snprintf(why, len, "%s %s: " SHARED_PATHS_DIR "/%s is not a %s", name, path,
		    path, type == S_IFDIR ? "directory" : "regular file");
	else
		return 0;
	return -1;
}

int
shared_paths_verify(const struct config *c, int home, char *why, size_t len)
{
	char path[PATH_MAX];
	const char *at;
	struct stat st;
	size_t i;
	int shared, rc = EXIT_OK;

	if (!any(c))
		return EXIT_OK;
	if ((shared = openat(home, SHARED_PATHS_DIR, DIR_FLAGS)) == -1) {
		if (errno == ENOENT)
			return EXIT_OK;
		snprintf(why, len, SHARED_PATHS_DIR "/: %s; links in " SHARED_PATHS_DIR
		    "/ are refused: they could lead out of it", strerror(errno));
		return EXIT_CONFIG;
	}
	if (fstat(shared, &st) == -1 || st.st_uid != geteuid()) {
		snprintf(why, len, SHARED_PATHS_DIR "/ belongs to another user");
		rc = EXIT_CONFIG;
	}
	for (i = 0; i < NLISTS && rc == EXIT_OK; i++)
		for (at = config_get(c, lists[i].key); at != NULL && rc == EXIT_OK &&
		    shared_config_next(&at, path, sizeof(path));)
			if (verify_one(shared, lists[i].name, path, lists[i].type, why, len) == -1)
				rc = EXIT_CONFIG;
	close(shared);
	return rc;
}

/* The path in shared/, made where missing: 0, or -1 logged. */
static int
make_shared(int shared, const char *home_path, const char *path, mode_t type)
{
	char dir[PATH_MAX];
	const char *leaf = nofollow_leaf(path);
	int parent, fd, rc = -1;

	parent_of(path, dir, sizeof(dir));
	if ((parent = nofollow_make_dirs(shared, dir)) == -1)
		goto out;
	if (type == S_IFDIR) {
		if (mkdirat(parent, leaf, 0777) == 0)
			log_info("made %s/" SHARED_PATHS_DIR "/%s", home_path, path);
		else if (errno != EEXIST)
			goto out;
	} else if ((fd = openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) != -1) {
		close(fd);
		log_info("made %s/" SHARED_PATHS_DIR "/%s, empty", home_path, path);
	} else if (errno != EEXIST)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		log_err("cannot make %s/" SHARED_PATHS_DIR "/%s: %m", home_path, path);
	if (parent != -1)
		close(parent);
	return rc;
}

/*
 * release/path -> ../(one per component)shared/path, whatever was there:
 * EXIT_OK, or an exit status, logged.
 */
static int
link_into(int release, const char *where, const char *path)
{
	char dir[PATH_MAX], target[PATH_MAX * 2];
	const char *leaf = nofollow_leaf(path), *p;
	struct stat st;
	size_t n = 0;
	int parent, rc = EXIT_SYNC_FAILED;

	for (p = path; p != NULL; p = strchr(p + 1, '/'))
		n += (size_t)snprintf(target + n, sizeof(target) - n, "../");
	snprintf(target + n, sizeof(target) - n, SHARED_PATHS_DIR "/%s", path);
	parent_of(path, dir, sizeof(dir));
	/* A link or a file the commit put above the path is not followed:
	 * the tree is refused, as the tree check refuses one (exit 8). */
	if ((parent = nofollow_make_dirs(release, dir)) == -1) {
		if (errno != ELOOP && errno != ENOTDIR) {
			log_err("%s: cannot make the directories of %s: %m", where, path);
			return EXIT_SYNC_FAILED;
		}
		log_err("%s: the commit holds a link or a file above the shared path %s; "
		    "nothing published", where, path);
		return EXIT_TREE_REFUSED;
	}
	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((S_ISDIR(st.st_mode) ? remove_tree(parent, leaf) : unlinkat(parent, leaf, 0))
		    != 0) {
			log_err("%s: cannot replace %s by the shared one: %m", where, path);
			goto out;
		}
		log_notice("%s: the commit holds %s; replaced by a link to its shared %s",
		    where, path, S_ISDIR(st.st_mode) ? "directory" : "file");
	}
	/* On disk before the release is published: no syncfs does it. */
	if (symlinkat(target, parent, leaf) == -1 || fsync(parent) == -1) {
		log_err("%s: cannot link %s to %s: %m", where, path, target);
		goto out;
	}
	rc = EXIT_OK;
out:
	close(parent);
	return rc;
}

int
shared_paths_link(const struct config *c, int home, const char *home_path,
    const char *release)
{
	char path[PATH_MAX], why[PATH_MAX + 256], where[PATH_MAX + NAME_MAX + 2];
	const char *at;
	size_t i;
	int shared = -1, dir = -1, rc;

	if (!any(c))
		return EXIT_OK;
	if ((rc = shared_paths_verify(c, home, why, sizeof(why))) != EXIT_OK) {
		log_err("%s: %s", home_path, why);
		return rc;
	}
	rc = EXIT_SYNC_FAILED;
	snprintf(where, sizeof(where), "%s/%s", home_path, release);
	if ((mkdirat(home, SHARED_PATHS_DIR, 0777) == -1 && errno != EEXIST) ||
	    (shared = openat(home, SHARED_PATHS_DIR, DIR_FLAGS)) == -1 ||
	    (dir = openat(home, release, DIR_FLAGS)) == -1) {
		log_err("%s: %m", shared == -1 ? home_path : where);
		goto out;
	}
	for (i = 0; i < NLISTS; i++)
		for (at = config_get(c, lists[i].key); at != NULL &&
		    shared_config_next(&at, path, sizeof(path));) {
			if (make_shared(shared, home_path, path, lists[i].type) == -1) {
				rc = EXIT_SYNC_FAILED;
				goto out;
			}
			if ((rc = link_into(dir, where, path)) != EXIT_OK)
				goto out;
		}
	rc = EXIT_OK;
out:
	if (dir != -1)
		close(dir);
	if (shared != -1)
		close(shared);
	return rc;
}
