/*
 * PUBLISH=releases. Beside CLONE_PATH (NAME):
 *
 *   NAME -> NAME.releases/20261130T180834.123456Z-<commit>	the live release
 *   NAME.releases/repo.git				bare: objects, refs
 *   NAME.releases/<time>-<commit>			complete releases
 *   NAME.releases/.new-<time>-<commit>		one being written or built
 *   NAME.releases/.failed-<time>-<commit>		BUILD= failed; kept until
 *							the next sync
 *   NAME.releases/shared/				SHARED_DIRS, SHARED_FILES,
 *							linked into each release
 *							(shared_paths.c)
 *   NAME.releases/history				what went live, in order
 *							(release_history.h)
 *
 * A release is written under .new-, renamed to its name only once it is
 * complete and built, and only then does a new link, made beside it,
 * replace NAME with one rename(2): a reader that opens NAME sees the
 * old release or the new one, never a mix, and a kill -9 at any point
 * leaves NAME at a complete release. The link is relative, so it holds
 * inside a container or a bind mount of the directory.
 *
 * No release holds a .git: a web server whose root is NAME would serve
 * it, every release would carry an index of its own, and git run in a
 * release must not be able to move it. refs/heads/BRANCH in repo.git is
 * the live commit; refs/sentry-source/published the last commit a sync
 * published, so that a rollback is not undone by the next sync of the
 * same tip.
 *
 * Nothing here is called by name from outside: publish_releases is the
 * layout's interface (publish.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "bounds.h"
#include "caveats.h"
#include "exitcode.h"
#include "fetch.h"
#include "git_error.h"
#include "gitname.h"
#include "log.h"
#include "nofollow.h"
#include "pack.h"
#include "peer_limits.h"
#include "private_dir.h"
#include "publish.h"
#include "release_copy.h"
#include "release_history.h"
#include "release_name.h"
#include "remove_tree.h"
#include "services.h"
#include "shared_paths.h"
#include "status.h"
#include "subdir.h"
#include "submodules.h"
#include "tree_check.h"

#define RELEASES_SUFFIX	".releases"
#define RELEASES_REPO	"repo.git"
#define NEW_PREFIX	".new-"
#define FAILED_PREFIX	".failed-"
#define NEXT_LINK	".next-link"
#define PUBLISHED_REF	"refs/sentry-source/published"
/* TIME-COMMIT (release_name.h). */
#define STAMP_LEN	RELEASE_STAMP_LEN
#define RELEASE_LEN	RELEASE_NAME_LEN
_Static_assert(RELEASE_LEN == STAMP_LEN + 1 + GIT_OID_HEXSZ, "a commit's name in a release's");

struct layout {
	char	dir[PATH_MAX];		/* CLONE_PATH's directory */
	char	base[NAME_MAX + 1];	/* its name */
	char	home[NAME_MAX + 1];	/* NAME.releases */
	char	home_path[PATH_MAX];	/* DIR/NAME.releases */
};

typedef char release_name[RELEASE_LEN + 1];

static int
layout(const struct config *c, struct layout *l)
{
	fetch_split_path(config_get(c, CONFIG_CLONE_PATH), l->dir, l->base);
	if ((size_t)snprintf(l->home, sizeof(l->home), "%s" RELEASES_SUFFIX, l->base) >=
	    sizeof(l->home) || (size_t)snprintf(l->home_path, sizeof(l->home_path), "%s/%s",
	    strcmp(l->dir, "/") == 0 ? "" : l->dir, l->home) >= sizeof(l->home_path)) {
		log_err("CLONE_PATH %s: too long a name for its releases",
		    config_get(c, CONFIG_CLONE_PATH));
		return -1;
	}
	return 0;
}

/* NAME.releases/repo.git; CLONE_PATH when that name is too long. */
static void
releases_repo_path(const struct config *c, char *buf, size_t len)
{
	struct layout l;

	if (layout(c, &l) == -1)
		snprintf(buf, len, "%s", config_get(c, CONFIG_CLONE_PATH));
	else
		snprintf(buf, len, "%s/" RELEASES_REPO, l.home_path);
}

/*
 * The release NAME points at: 1 with its name, 0 when NAME does not
 * exist, -1 when NAME is something else (a directory, another link).
 */
static int
live_release(const char *clone_path, const char *home, release_name name)
{
	char target[PATH_MAX];
	size_t hl = strlen(home);
	ssize_t n;

	if ((n = readlink(clone_path, target, sizeof(target) - 1)) == -1)
		return errno == ENOENT ? 0 : -1;
	target[n] = '\0';
	if (strncmp(target, home, hl) != 0 || target[hl] != '/' ||
	    !release_name_valid(target + hl + 1))
		return -1;
	memcpy(name, target + hl + 1, RELEASE_LEN + 1);
	return 1;
}

/* Is this link one a PUBLISH=releases sync made? */
static int
releases_shows(const char *clone_path, char *what, size_t len)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], home[NAME_MAX + 16];
	release_name name;

	fetch_split_path(clone_path, dir, base);
	snprintf(home, sizeof(home), "%s" RELEASES_SUFFIX, base);
	if (live_release(clone_path, home, name) != 1)
		return 0;
	snprintf(what, len, "releases (a link into %s" RELEASES_SUFFIX ")", clone_path);
	return 1;
}

/* The live release's directory, for RUN='s SENTRY_RELEASE_PATH. */
static int
releases_live_path(const struct config *c, char *buf, size_t len)
{
	struct layout l;
	release_name name;

	if (layout(c, &l) == -1 ||
	    live_release(config_get(c, CONFIG_CLONE_PATH), l.home, name) != 1)
		return -1;
	return (size_t)snprintf(buf, len, "%s/%s", l.home_path, name) >= len ? -1 : 0;
}

static void
releases_live(const struct config *c, char oid[STATUS_OID_LEN + 1], char *branch, size_t len)
{
	char repo[PATH_MAX], unused[STATUS_OID_LEN + 1];
	struct layout l;
	release_name name;

	oid[0] = '\0';
	if (branch != NULL)
		branch[0] = '\0';
	if (layout(c, &l) == -1 ||
	    live_release(config_get(c, CONFIG_CLONE_PATH), l.home, name) != 1)
		return;
	/* What readers see is the link's, whatever the refs say. */
	snprintf(oid, STATUS_OID_LEN + 1, "%s", name + STAMP_LEN + 1);
	releases_repo_path(c, repo, sizeof(repo));
	if (branch != NULL)
		status_head(repo, unused, branch, len);
}

/* The releases directory, ours and no link, opened; -1 logged. */
static int
open_home(const struct layout *l, int create)
{
	struct stat st;
	int dfd, fd;

	if ((dfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("%s: %m", l->dir);
		return -1;
	}
	if (create && mkdirat(dfd, l->home, 0777) == -1 && errno != EEXIST) {
		log_err("cannot make %s: %m", l->home_path);
		close(dfd);
		return -1;
	}
	fd = openat(dfd, l->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd == -1) {
		if (errno != ENOENT || create)
			log_err("%s: %m", l->home_path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid()) {
		log_err("%s belongs to another user; not touching it", l->home_path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The complete releases, oldest first by the history (release_history.h),
 * and the history's events in *e (free them), never the names' clock.
 */
static int
list_releases(int home, release_name *names, size_t *n, struct release_event **e,
    size_t *ne)
{
	struct dirent *de;
	DIR *d;
	int fd;

	*n = 0;
	*e = NULL;
	*ne = 0;
	if ((fd = dup(home)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!release_name_valid(de->d_name))
			continue;
		if (*n == LIMIT_RELEASES_LISTED) {
			log_warning("more than %d releases; the newest names beyond that "
			    "are not considered", LIMIT_RELEASES_LISTED);
			break;
		}
		memcpy(names[(*n)++], de->d_name, RELEASE_LEN + 1);
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), release_name_order);
	*e = release_history_read(home, ne);
	release_history_sort(names, *n, *e, *ne);
	return 0;
}

/* One line in the history; a history that cannot be written is said,
 * and the releases ordered as far as it goes. */
static void
history_add(int home, const struct layout *l, const char *event, const char *release,
    const char *reason)
{
	char line[RELEASE_HISTORY_LINE_MAX];

	if (release_history_line(line, sizeof(line), time(NULL), event, release, reason) ==
	    -1 || release_history_append(home, line) == -1)
		log_warning("cannot add to %s/" RELEASE_HISTORY_FILE ": %m; the order of "
		    "releases after %s may be wrong", l->home_path, release);
}

/*
 * The live release must be the history's last line before another goes
 * live: after a kill -9 between a switch and its line, or a directory an
 * older version made, it is recorded as found, so that it is the one a
 * rollback goes back to.
 */
static void
history_agree(int home, const struct layout *l, const char *live)
{
	struct release_event *e;
	size_t ne;

	e = release_history_read(home, &ne);
	if (ne == 0 || strcmp(e[ne - 1].release, live) != 0)
		history_add(home, l, "found", live, "live, not last in the history");
	free(e);
}

static void
remove_named(int home, const struct layout *l, const char *name, const char *why)
{
	int r;

	if ((r = remove_tree(home, name)) == 0)
		log_info("removed %s/%s, %s", l->home_path, name, why);
	else if (r == REMOVE_TREE_NOT_OURS)
		log_warning("left %s/%s alone: something in it belongs to another user",
		    l->home_path, name);
	else
		log_warning("cannot remove %s/%s: %s", l->home_path, name, strerror(errno));
}

/* An unfinished release, a failed one (kept until this sync), a link. */
static void
remove_leftovers(int home, const struct layout *l, int failed_too)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(home, NEXT_LINK, 0) == 0)
		log_info("removed %s/" NEXT_LINK ", left by an interrupted switch", l->home_path);
	if ((fd = dup(home)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, NEW_PREFIX, strlen(NEW_PREFIX)) == 0)
			remove_named(home, l, de->d_name, "left by an interrupted sync");
		else if (failed_too &&
		    strncmp(de->d_name, FAILED_PREFIX, strlen(FAILED_PREFIX)) == 0)
			remove_named(home, l, de->d_name, "whose BUILD failed last time");
	closedir(d);
}

static void
releases_remove_leftovers(const struct config *c)
{
	char gitdir[PATH_MAX];
	struct layout l;
	int home;

	/* A fetch stopped by SYNC_TIMEOUT gives its partial pack's space
	 * back now, not at the next fetch. */
	releases_repo_path(c, gitdir, sizeof(gitdir));
	pack_remove_leftovers_in(gitdir, config_get(c, CONFIG_CLONE_PATH));
	if (layout(c, &l) == -1 || (home = open_home(&l, 0)) == -1)
		return;
	remove_leftovers(home, &l, 0);
	close(home);
}

/* NAME must be absent or our link: never a silent conversion. */
static int
check_clone_path(const struct config *c, const struct layout *l, release_name live,
    int *has_live)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	struct stat st;

	if ((*has_live = live_release(path, l->home, live)) == 1)
		return EXIT_OK;
	if (*has_live == 0 && errno == ENOENT)
		return EXIT_OK;
	*has_live = 0;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		log_err("%s is a directory (an in-place checkout?); PUBLISH=releases does "
		    "not convert it, it is left as it is: see Releases in sentry-source(8) "
		    "to move it", path);
	else
		log_err("%s is not a link into %s; PUBLISH=releases leaves it as it is",
		    path, l->home_path);
	return EXIT_NOT_OURS;
}

/* repo.git, made on the first sync; its origin must be CLONE_URL. */
static int
open_repo(const struct config *c, const struct layout *l, const char *branch,
    git_repository **repo, git_remote **origin)
{
	const char *url = config_get(c, CONFIG_CLONE_URL);
	git_repository_init_options iopts;
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" RELEASES_REPO, l->home_path);
	if (lstat(path, &st) == 0) {
		if (git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH |
		    GIT_REPOSITORY_OPEN_BARE, NULL) < 0) {
			log_err("%s: %s; not touching it", path, last_git_error());
			return EXIT_NOT_OURS;
		}
		if (fetch_origin_is(*repo, origin, url, path) == -1)
			return EXIT_NOT_OURS;
		/* Every sync: NAME.releases is served's neighbour, the
		 * repository never is, whatever the umask or a chmod did. */
		return private_dir(path, 0) == -1 ? EXIT_SYNC_FAILED : EXIT_OK;
	}
	git_repository_init_options_init(&iopts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	iopts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	iopts.initial_head = branch;
	if (git_repository_init_ext(repo, path, &iopts) < 0 ||
	    git_remote_create(origin, *repo, "origin", url) < 0) {
		log_err("cannot make a repository in %s: %s", path, last_git_error());
		return EXIT_SYNC_FAILED;
	}
	return private_dir(path, 0) == -1 ? EXIT_SYNC_FAILED : EXIT_OK;
}

/* SUBMODULES=yes: theirs into the release, their repositories in
 * NAME.releases/modules. */
static int
write_submodules(const struct config *c, git_repository *repo, const struct layout *l,
    const git_oid *tip, struct ssh_auth *a, const char *dir)
{
	struct submodules_job j = { a, config_get(c, CONFIG_CLONE_URL),
	    config_get(c, CONFIG_CLONE_PATH), 0, 0 };
	char modules[PATH_MAX + 16];

	if (!config_yes(c, CONFIG_SUBMODULES))
		return EXIT_OK;
	snprintf(modules, sizeof(modules), "%s/modules", l->home_path);
	return submodules_update(&j, repo, tip, config_get(c, CONFIG_SUBDIR), dir, modules,
	    j.clone_url);
}

/*
 * The tip's tree into .new-TIME-COMMIT, its shared paths linked in,
 * on disk; out->release names it. Anything else: none is left. live is
 * the live release, "" when there is none to start from.
 *
 * Without BUILD=, what the push did not change is linked from the live
 * release and every file is read-only (release_copy.h): a release costs
 * the change. With BUILD=, which may write into the release's files,
 * every file is written anew, so that no write reaches an older release.
 */
static int
write_release(const struct config *c, git_repository *repo, const struct layout *l,
    int home, const git_oid *tip, const char *live, struct ssh_auth *a,
    struct sync_outcome *out)
{
	char dir[PATH_MAX + NAME_MAX + 16], stamp[STAMP_LEN + 1], tmp[NAME_MAX + 16];
	char why[PATH_MAX + 64];
	struct release_copy copy = { .repo = repo };
	const char *subdir = config_get(c, CONFIG_SUBDIR);
	/* The part of the tree a release holds, "" for all of it. */
	const char *prefix = subdir != NULL ? subdir : "";
	git_tree *tree = NULL;
	git_oid live_oid;
	struct timespec now;
	struct tm tm;
	int rc, from = -1, to = -1;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(stamp + 15, sizeof(stamp) - 15, ".%06uZ",
	    (unsigned)(now.tv_nsec / 1000) % 1000000u);
	snprintf(out->release, sizeof(out->release), "%s-%s", stamp, git_oid_tostr_s(tip));
	snprintf(tmp, sizeof(tmp), NEW_PREFIX "%s", out->release);
	snprintf(dir, sizeof(dir), "%s/%s", l->home_path, tmp);
	/* SUBDIR: the directory is chosen before anything is written. */
	if ((rc = subdir_tree(repo, tip, subdir, &tree, why,
	    sizeof(why))) != 0) {
		if (rc == 1)
			log_err("%s: commit %s: SUBDIR: %s; nothing published, the live "
			    "release is kept", config_get(c, CONFIG_CLONE_PATH),
			    git_oid_tostr_s(tip), why);
		else
			log_err("%s: %s: %s", dir, git_oid_tostr_s(tip), last_git_error());
		rc = rc == 1 ? EXIT_TREE_REFUSED : EXIT_SYNC_FAILED;
		goto fail;
	}
	/* A release is the tip's whole tree: all of it is checked. */
	if ((rc = tree_check_sync(repo, NULL, tip, dir, config_get(c, CONFIG_CLONE_PATH))) !=
	    EXIT_OK)
		goto fail;
	rc = EXIT_SYNC_FAILED;
	if (mkdirat(home, tmp, 0777) == -1 ||
	    (to = openat(home, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		log_err("cannot make %s: %m", dir);
		goto fail;
	}
	copy.share = config_get(c, CONFIG_BUILD) == NULL;
	/* Unmarked, the next release checks each file's bytes before linking. */
	(void)release_copy_mark(to, prefix);
	if (copy.share && live[0] != '\0') {
		git_oid_fromstr(&live_oid, live + STAMP_LEN + 1);
		from = openat(home, live, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		switch (from != -1 ? release_copy_marked(from, prefix) : 1) {
		case 0:		/* another SUBDIR's tree: nothing to share */
			log_info("%s: the live release holds another SUBDIR; every file is "
			    "written", dir);
			close(from);
			from = -1;
			break;
		case -1:
			copy.verify = 1;
			break;
		}
	}
	if (release_copy(&copy, from != -1 ? &live_oid : NULL, from, tip, prefix, to) == -1) {
		/* At once: a full disk gets its space back, and the next sync
		 * starts from the live release, whatever was pushed. */
		remove_named(home, l, tmp, "a checkout that failed");
		goto fail;
	}
	if (copy.untrusted > 0)
		log_warning("%s/%s: %zu unchanged %s not as its commit says "
		    "(written to, of another mode than the umask gives, or made by an "
		    "older version); written anew", l->home_path, live, copy.untrusted,
		    copy.untrusted == 1 ? "file is" : "files are");
	log_info("%s: %zu %s linked from the live release, %zu written", dir,
	    copy.linked, copy.linked == 1 ? "file" : "files", copy.written);
	if ((rc = write_submodules(c, repo, l, tip, a, dir)) != EXIT_OK) {
		remove_named(home, l, tmp, "whose submodules could not be written");
		goto fail;
	}
	/* Before BUILD=, which sees them, as the app will. */
	if ((rc = shared_paths_link(c, home, l->home_path, tmp)) != EXIT_OK) {
		remove_named(home, l, tmp, "whose shared paths could not be linked");
		goto fail;
	}
	/* release_copy fsynced what it wrote; the submodules' checkouts
	 * did not, so their files go to disk before a name points at them. */
	if (config_yes(c, CONFIG_SUBMODULES))
		syncfs(home);
	caveats_log(repo, tip, dir, config_yes(c, CONFIG_SUBMODULES));
	rc = EXIT_OK;
	goto out;
fail:
	out->release[0] = '\0';
out:
	git_tree_free(tree);
	if (from != -1)
		close(from);
	if (to != -1)
		close(to);
	return rc;
}

static int
releases_prepare(const struct config *c, struct ssh_auth *a, const struct sync_target *t,
    struct sync_outcome *out)
{
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	git_oid tip, live_oid, published;
	char why[PATH_MAX + 256];
	release_name live;
	struct layout l;
	struct stat st;
	int rc, home = -1, has_live, gone = 0;

	if (layout(c, &l) == -1)
		return EXIT_SYNC_FAILED;
	if ((rc = check_clone_path(c, &l, live, &has_live)) != EXIT_OK)
		return rc;
	rc = EXIT_SYNC_FAILED;
	if ((home = open_home(&l, 1)) == -1)
		goto out;
	/* A link in shared/ refused before anything is written. */
	if ((rc = shared_paths_verify(c, home, why, sizeof(why))) != EXIT_OK) {
		log_err("%s: %s", l.home_path, why);
		goto out;
	}
	rc = EXIT_SYNC_FAILED;
	remove_leftovers(home, &l, 1);
	if ((rc = open_repo(c, &l, t->branch, &repo, &origin)) != EXIT_OK)
		goto out;
	if ((rc = fetch_tip(repo, origin, a, t, l.home_path, "the live release is kept",
	    &tip)) != EXIT_OK)
		goto out;
	rc = EXIT_SYNC_FAILED;
	if (has_live)
		git_oid_fromstr(&live_oid, live + STAMP_LEN + 1);
	/* A live release removed by hand is published again. */
	if (has_live && (fstatat(home, live, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(st.st_mode))) {
		log_warning("%s: the live release %s/%s is gone; publishing anew",
		    config_get(c, CONFIG_CLONE_PATH), l.home, live);
		gone = 1;
	}
	/* The tip published last is not published again: after a rollback,
	 * the next sync of the same tip keeps the rolled-back release, pinned
	 * until a new commit is pushed or --resume publishes the tip. */
	git_oid_cpy(&out->remote, &tip);
	if (has_live && !gone && (git_oid_equal(&tip, &live_oid) || (!t->resume &&
	    git_reference_name_to_id(&published, repo, PUBLISHED_REF) == 0 &&
	    git_oid_equal(&tip, &published)))) {
		git_oid_cpy(&out->old_head, &live_oid);
		git_oid_cpy(&out->new_head, &live_oid);
		if ((out->pinned = !git_oid_equal(&tip, &live_oid)))
			log_notice("%s: pinned at %.12s by a rollback; the remote is at %.12s; "
			    "sentry-source --resume publishes it", config_get(c,
			    CONFIG_CLONE_PATH), live + STAMP_LEN + 1, git_oid_tostr_s(&tip));
		pack_bound(repo, l.home_path);
		rc = EXIT_OK;
		goto out;
	}
	out->resumed = t->resume;
	fetch_phase(t, SYNC_PHASE_CHECKOUT);
	if ((rc = write_release(c, repo, &l, home, &tip, has_live && !gone ? live : "",
	    a, out)) != EXIT_OK)
		goto out;
	rc = EXIT_SYNC_FAILED;
	out->cloned = !has_live;
	if (has_live)
		git_oid_cpy(&out->old_head, &live_oid);
	git_oid_cpy(&out->new_head, &tip);
	out->forced = has_live && fetch_forced(repo, &live_oid, &tip);
	pack_bound(repo, l.home_path);
	rc = EXIT_OK;
out:
	if (home != -1)
		close(home);
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

/* NAME -> NAME.releases/name, with one rename(2) of a link made beside. */
static int
switch_to(int home, const struct layout *l, const char *name)
{
	char target[PATH_MAX];
	int dfd, rc = -1;

	if ((dfd = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("%s: %m", l->dir);
		return -1;
	}
	snprintf(target, sizeof(target), "%s/%s", l->home, name);
	if ((unlinkat(home, NEXT_LINK, 0) == -1 && errno != ENOENT) ||
	    symlinkat(target, home, NEXT_LINK) == -1) {
		log_err("%s/" NEXT_LINK ": %m", l->home_path);
		goto out;
	}
	if (renameat(home, NEXT_LINK, dfd, l->base) == -1) {
		log_err("cannot switch %s/%s to %s: %m", l->dir, l->base, target);
		unlinkat(home, NEXT_LINK, 0);
		goto out;
	}
	fsync(dfd);
	rc = 0;
out:
	close(dfd);
	return rc;
}

/* refs/heads/BRANCH is the live commit; with published, the published tip. */
static void
record_refs(const struct config *c, const char *branch, const char *name, int published)
{
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	char path[PATH_MAX], head[LIMIT_REFNAME_BYTES];
	git_oid id;

	releases_repo_path(c, path, sizeof(path));
	git_oid_fromstr(&id, name + STAMP_LEN + 1);
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		goto fail;
	if (branch != NULL) {
		snprintf(head, sizeof(head), "refs/heads/%s", branch);
		if (git_reference_create(&ref, repo, head, &id, 1, "sentry-source: publish") < 0 ||
		    git_repository_set_head(repo, head) < 0)
			goto fail;
		git_reference_free(ref);
		ref = NULL;
	} else if (git_repository_head(&ref, repo) == 0) {
		if (git_reference_create(NULL, repo, git_reference_name(ref), &id, 1,
		    "sentry-source: rollback") < 0)
			goto fail;
	}
	if (published && git_reference_create(NULL, repo, PUBLISHED_REF, &id, 1,
	    "sentry-source: publish") < 0)
		goto fail;
	goto out;
fail:
	log_warning("%s: cannot record %s: %s", path, name, last_git_error());
out:
	git_reference_free(ref);
	git_repository_free(repo);
}

/*
 * The oldest by the history go first; never the live release nor the
 * one a rollback would go to, whatever KEEP_RELEASES says, so that a
 * rollback always has one.
 */
static void
prune(int home, const struct layout *l, unsigned long keep, const char *live)
{
	struct release_event *e = NULL;
	release_name *names;
	unsigned char *drop = NULL;
	size_t n, ne, i;

	if ((names = calloc(LIMIT_RELEASES_LISTED, sizeof(*names))) == NULL ||
	    (drop = calloc(LIMIT_RELEASES_LISTED, 1)) == NULL ||
	    list_releases(home, names, &n, &e, &ne) == -1)
		goto out;
	release_history_prune((const release_name *)names, n, keep, live, e, ne, drop);
	for (i = 0; i < n; i++)
		if (drop[i])
			remove_named(home, l, names[i], "beyond KEEP_RELEASES");
out:
	free(e);
	free(drop);
	free(names);
}

/*
 * Under the lock: BUILD= in the new release (EXIT_BUILD_FAILED and
 * nothing published when it fails), then the switch of CLONE_PATH, then
 * the releases beyond KEEP_RELEASES go. Nothing new: nothing to do.
 */
static int
releases_publish(const struct config *c, const char *ref, const char *branch,
    const struct sync_outcome *o, int payload_fd)
{
	char tmp[NAME_MAX + 16], dir[PATH_MAX + NAME_MAX + 16], was[GIT_OID_HEXSZ + 1] = "none";
	char reason[GIT_OID_HEXSZ + 8];
	release_name live;
	struct layout l;
	int home, rc;

	if (o->release[0] == '\0')
		return EXIT_OK;
	if (layout(c, &l) == -1 || (home = open_home(&l, 0)) == -1)
		return EXIT_SYNC_FAILED;
	snprintf(tmp, sizeof(tmp), NEW_PREFIX "%s", o->release);
	snprintf(dir, sizeof(dir), "%s/%s", l.home_path, tmp);
	if ((rc = services_build(c, ref, o, payload_fd, dir)) != EXIT_OK) {
		snprintf(tmp, sizeof(tmp), FAILED_PREFIX "%s", o->release);
		if (renameat(home, strrchr(dir, '/') + 1, home, tmp) == 0)
			log_warning("%s: BUILD failed; nothing published, the live release is "
			    "kept; the failed one is %s/%s until the next sync",
			    config_get(c, CONFIG_CLONE_PATH), l.home_path, tmp);
		goto out;
	}
	rc = EXIT_SYNC_FAILED;
	/* What BUILD wrote, on disk before the link points at it. */
	if (config_get(c, CONFIG_BUILD) != NULL)
		syncfs(home);
	if (renameat(home, tmp, home, o->release) == -1) {
		log_err("cannot name the release %s/%s: %m", l.home_path, o->release);
		goto out;
	}
	fsync(home);
	if (live_release(config_get(c, CONFIG_CLONE_PATH), l.home, live) == 1)
		history_agree(home, &l, live);
	if (switch_to(home, &l, o->release) == -1)
		goto out;
	record_refs(c, branch, o->release, 1);
	if (!o->cloned)
		git_oid_tostr(was, sizeof(was), &o->old_head);
	snprintf(reason, sizeof(reason), "was %s", was);
	history_add(home, &l, o->resumed ? "resume" : "publish", o->release, reason);
	log_notice("%s: %s at %s, published as %s/%s (was %s%s)",
	    config_get(c, CONFIG_CLONE_PATH), branch, git_oid_tostr_s(&o->new_head),
	    l.home, o->release, was, o->forced ? ", not an ancestor: a forced update" : "");
	prune(home, &l, config_number(c, CONFIG_KEEP_RELEASES), o->release);
	rc = EXIT_OK;
out:
	close(home);
	return rc;
}

/*
 * The index among the sorted names of the release --rollback goes to:
 * target's, or with none the one live before (release_history.h); -1
 * logged when there is none.
 */
static long
rollback_target(const char *path, const release_name *names, size_t n, const char *live,
    const char *target, const struct release_event *e, size_t ne)
{
	long i;

	if (target == NULL) {
		if ((i = release_history_previous(names, n, live, e, ne)) == -1)
			log_err("%s: no release live before the live one, %s, that was not "
			    "rolled away from; nothing to roll back to", path, live);
		return i;
	}
	if ((i = release_name_find(names, n, target)) == RELEASE_NAME_AMBIGUOUS)
		log_err("%s: %s: more than one commit of the kept releases starts so; "
		    "give more digits or the release's name (--releases)", path, target);
	else if (i == RELEASE_NAME_UNKNOWN)
		log_err("%s: %s: no kept release of that name or commit (--releases "
		    "lists them)", path, target);
	else if (strcmp(names[i], live) == 0) {
		log_err("%s: %s is the live release already; nothing to roll back to",
		    path, live);
		i = -1;
	}
	return i < 0 ? -1 : i;
}

/*
 * A target as --releases prints a release, NAME.releases/RELEASE, or
 * with the directory's whole path: the release's name alone. A directory
 * other than this deployment's is refused, logged (NULL): its release
 * cannot be this one's.
 */
static const char *
in_home(const struct layout *l, const char *target)
{
	const char *name = strrchr(target, '/');
	size_t dir;

	if (name == NULL)
		return target;
	dir = (size_t)(name - target);
	if ((dir == strlen(l->home) && strncmp(target, l->home, dir) == 0) ||
	    (dir == strlen(l->home_path) && strncmp(target, l->home_path, dir) == 0))
		return name + 1;
	log_err("%s: not a release of %s; give the release's name (--releases lists them)",
	    target, l->home_path);
	return NULL;
}

/* --rollback [target], under the lock: an older release goes live. */
static int
releases_rollback(const struct config *c, const char *target)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	struct release_event *e = NULL;
	release_name *names = NULL, live;
	char reason[RELEASE_LEN + 8];
	struct layout l;
	size_t n, ne;
	long to;
	int home = -1, rc = EXIT_SYNC_FAILED, has_live;

	if (layout(c, &l) == -1)
		return EXIT_SYNC_FAILED;
	if ((rc = check_clone_path(c, &l, live, &has_live)) != EXIT_OK)
		return rc;
	rc = EXIT_SYNC_FAILED;
	if (!has_live) {
		log_err("%s: no release is live yet; nothing to roll back", path);
		goto out;
	}
	if (target != NULL && (target = in_home(&l, target)) == NULL)
		goto out;
	if ((home = open_home(&l, 0)) == -1 ||
	    (names = calloc(LIMIT_RELEASES_LISTED, sizeof(*names))) == NULL)
		goto out;
	history_agree(home, &l, live);
	if (list_releases(home, names, &n, &e, &ne) == -1 ||
	    (to = rollback_target(path, (const release_name *)names, n, live, target, e,
	    ne)) == -1 || switch_to(home, &l, names[to]) == -1)
		goto out;
	snprintf(reason, sizeof(reason), "from %s", live);
	history_add(home, &l, "rollback", names[to], reason);
	record_refs(c, NULL, names[to], 0);
	log_notice("%s: rolled back from %s to %s", path, live, names[to]);
	printf("live: %s/%s, commit %s (was %s)\n", l.home, names[to],
	    names[to] + STAMP_LEN + 1, live);
	rc = EXIT_OK;
out:
	free(e);
	free(names);
	if (home != -1)
		close(home);
	return rc;
}

/* What --releases says of a release besides its name: "" or " WORD". */
static const char *
release_mark(const release_name *names, size_t i, const char *live, long prev,
    const struct release_event *e, size_t ne)
{
	if (live != NULL && strcmp(names[i], live) == 0)
		return " live";
	if ((long)i == prev)
		return " previous";
	return release_history_rolled_away(names[i], e, ne) ? " rolled-away" : "";
}

/*
 * --releases: commit, time made, name, and a mark: live, previous (where
 * --rollback goes), rolled-away (left by a rollback); one a line, in the
 * history's order, oldest first.
 */
static int
releases_list(const struct config *c)
{
	struct release_event *e = NULL;
	release_name *names = NULL, live;
	struct layout l;
	size_t n, ne, i;
	long prev = -1;
	int home = -1, rc = EXIT_SYNC_FAILED, has_live;

	if (layout(c, &l) == -1)
		return EXIT_SYNC_FAILED;
	if ((rc = check_clone_path(c, &l, live, &has_live)) != EXIT_OK)
		return rc;
	rc = EXIT_SYNC_FAILED;
	if ((home = open_home(&l, 0)) == -1) {
		if (errno == ENOENT) {
			printf("no releases yet in %s\n", l.home_path);
			rc = EXIT_OK;
		}
		goto out;
	}
	if ((names = calloc(LIMIT_RELEASES_LISTED, sizeof(*names))) == NULL ||
	    list_releases(home, names, &n, &e, &ne) == -1)
		goto out;
	if (has_live)
		prev = release_history_previous((const release_name *)names, n, live, e, ne);
	for (i = 0; i < n; i++)
		printf("%s %.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ %s/%s%s\n",
		    names[i] + STAMP_LEN + 1, names[i], names[i] + 4, names[i] + 6,
		    names[i] + 9, names[i] + 11, names[i] + 13, l.home, names[i],
		    release_mark((const release_name *)names, i, has_live ? live : NULL,
		    prev, e, ne));
	rc = EXIT_OK;
out:
	free(e);
	free(names);
	if (home != -1)
		close(home);
	return rc;
}

/* What shared/ holds already: a link there is refused by every sync. */
static void
check_shared(const struct config *c, publish_report *report)
{
	char why[PATH_MAX + 256];
	struct layout l;
	int home, rc;

	if (config_get(c, CONFIG_SHARED_DIRS) == NULL &&
	    config_get(c, CONFIG_SHARED_FILES) == NULL)
		return;
	if (layout(c, &l) == -1)
		return;
	if ((home = open_home(&l, 0)) == -1) {
		report(EXIT_OK, "SHARED_DIRS, SHARED_FILES: made in %s/" SHARED_PATHS_DIR
		    " by the first sync", l.home_path);
		return;
	}
	if ((rc = shared_paths_verify(c, home, why, sizeof(why))) != EXIT_OK)
		report(rc, "%s: %s", l.home_path, why);
	else
		report(EXIT_OK, "SHARED_DIRS, SHARED_FILES: kept in %s/" SHARED_PATHS_DIR
		    ", linked into every release", l.home_path);
	close(home);
}

/* PUBLISH=releases: CLONE_PATH is absent, or the link a sync made. */
static void
releases_check(const struct config *c, publish_report *report)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	char live[PATH_MAX], oid[STATUS_OID_LEN + 1];
	struct stat st;

	if (lstat(path, &st) == -1)
		report(EXIT_OK, "PUBLISH=releases: CLONE_PATH %s: absent; the first sync "
		    "publishes a release", path);
	else if (releases_live_path(c, live, sizeof(live)) == 0) {
		releases_live(c, oid, NULL, 0);
		report(EXIT_OK, "PUBLISH=releases: CLONE_PATH %s: live release %s, commit %s",
		    path, live, oid);
	} else
		report(EXIT_NOT_OURS, "PUBLISH=releases: CLONE_PATH %s: %s; a sync will "
		    "not convert it (see Releases in sentry-source(8))", path,
		    S_ISDIR(st.st_mode) ? "a directory, not a release link" :
		    "not a link into its releases");
	if (config_get(c, CONFIG_SUBDIR) != NULL)
		report(EXIT_OK, "SUBDIR %s: each release holds that directory of the tree "
		    "alone; a commit without it is refused", config_get(c, CONFIG_SUBDIR));
	check_shared(c, report);
}

const struct publish publish_releases = {
	.name = "releases",
	.prepare = releases_prepare,
	.make_live = releases_publish,
	.live = releases_live,
	.live_path = releases_live_path,
	.repo_path = releases_repo_path,
	.remove_leftovers = releases_remove_leftovers,
	.check = releases_check,
	.shows = releases_shows,
	.rollback = releases_rollback,
	.list = releases_list,
};
