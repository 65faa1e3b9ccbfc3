/*
 * PUBLISH=in-place: CLONE_PATH is the work tree, moved from commit to
 * commit. The first sync clones beside it and renames the clone into
 * place; later ones fetch and move the work tree, refusing local changes
 * (publish.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "bounds.h"
#include "caveats.h"
#include "exitcode.h"
#include "git_error.h"
#include "fetch.h"
#include "intent.h"
#include "log.h"
#include "pack.h"
#include "peer_limits.h"
#include "private_dir.h"
#include "publish.h"
#include "remove_tree.h"
#include "status.h"
#include "submodules.h"
#include "tree_check.h"
#include "worktree.h"

#define TMP_INFIX	".tmp-"

/* A clone killed half-way leaves its temporary directory; we hold the lock,
 * so any such directory of ours is a dead predecessor's. One that another
 * user made only looks like it: theirs to remove, not ours. */
static void
remove_stale_clones(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 16];
	struct dirent *de;
	DIR *d;
	int fd, r;

	snprintf(prefix, sizeof(prefix), ".%s" TMP_INFIX, base);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if ((r = remove_tree(fd, de->d_name)) == 0)
			log_notice("removed %s/%s, left by an interrupted clone", dir, de->d_name);
		else if (r == REMOVE_TREE_NOT_OURS)
			log_warning("left %s/%s alone: it, or something in it, belongs to "
			    "another user", dir, de->d_name);
		else
			log_warning("cannot remove %s/%s: %s", dir, de->d_name, strerror(errno));
	}
	closedir(d);
}

/*
 * Make the clone survive a crash of the machine, not only of us: its files
 * (the whole file system, syncfs) before its name, then its name (fsync).
 */
static void
flush_dir(const char *dir, int (*flush)(int))
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		flush(fd);
		close(fd);
	}
}

/*
 * SUBMODULES=yes: theirs into the work tree dir, their repositories in
 * its .git/modules; every sync, so that one that failed is finished.
 * judge: their names and URLs only, before the work tree moves.
 */
static int
write_submodules(const struct config *c, git_repository *repo, struct ssh_auth *a,
    const git_oid *tip, const char *dir, int judge)
{
	struct submodules_job j = { a, config_get(c, CONFIG_CLONE_URL),
	    config_get(c, CONFIG_CLONE_PATH), 1, 0 };
	char modules[PATH_MAX + 16];

	if (!config_yes(c, CONFIG_SUBMODULES))
		return EXIT_OK;
	snprintf(modules, sizeof(modules), "%smodules", git_repository_path(repo));
	if (judge)
		return submodules_judge(&j, repo, tip, modules, j.clone_url);
	return submodules_update(&j, repo, tip, NULL, dir, modules, j.clone_url);
}

/*
 * Fetch one branch into an empty repository at dir and check it out.
 * Not git_clone: libgit2 1.5.1's clone fails, with no message, when the
 * remote's HEAD names a branch that does not exist (a bare repository
 * whose default branch was never pushed), which a sync of another branch
 * does not care about.
 */
static int
clone_into(const struct config *c, const char *dir, const char *dest, const char *url,
    struct ssh_auth *a, const struct sync_target *t, git_oid *tip)
{
	git_repository_init_options iopts;
	git_repository *repo = NULL;
	const char *branch = t->branch;
	git_remote *origin = NULL;
	char tracking[LIMIT_REF_BYTES + 32];
	int rc = EXIT_SYNC_FAILED, intact;

	git_repository_init_options_init(&iopts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	iopts.initial_head = branch;
	if (git_repository_init_ext(&repo, dir, &iopts) < 0 ||
	    git_remote_create(&origin, repo, "origin", url) < 0) {
		log_err("cannot make a repository in %s: %s", dir, last_git_error());
		goto out;
	}
	/* Before anything is fetched into it: the umask may open the work
	 * tree to a web server, never the repository. */
	if (private_dir(git_repository_path(repo), 0) == -1)
		goto out;
	if (fetch_origin(origin, a, t, "sentry-source: clone") < 0) {
		log_err("clone of %s failed: %s", url, last_git_error());
		rc = fetch_failure_status(a);
		goto out;
	}
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", branch);
	if (git_reference_name_to_id(tip, repo, tracking) < 0) {
		log_err("the remote has no branch %s", branch);
		goto out;
	}
	fetch_phase(t, SYNC_PHASE_CHECKOUT);
	if ((rc = tree_check_sync(repo, NULL, tip, dir, dest)) == EXIT_OK &&
	    (rc = write_submodules(c, repo, a, tip, dir, 1)) == EXIT_OK &&
	    (rc = worktree_move(repo, branch, tip, &intact)) == EXIT_OK &&
	    (rc = write_submodules(c, repo, a, tip, dir, 0)) == EXIT_OK)
		caveats_log(repo, tip, dest, config_yes(c, CONFIG_SUBMODULES));
out:
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

static int
clone_fresh(const struct config *c, struct ssh_auth *a, const struct sync_target *t,
    struct sync_outcome *out)
{
	const char *url = config_get(c, CONFIG_CLONE_URL);
	const char *dest = config_get(c, CONFIG_CLONE_PATH);
	char dir[PATH_MAX], base[NAME_MAX + 1], tmp[PATH_MAX];
	mode_t mask;
	int rc, r;

	fetch_split_path(dest, dir, base);
	remove_stale_clones(dir, base);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s" TMP_INFIX "XXXXXX", dir, base) >=
	    sizeof(tmp) || mkdtemp(tmp) == NULL) {
		log_err("cannot make a directory beside %s: %s", dest, strerror(errno));
		return EXIT_SYNC_FAILED;
	}
	/* mkdtemp makes it 0700; the checkout is the umask's (UMask= in a unit). */
	mask = umask(0);
	umask(mask);
	if (chmod(tmp, 0777 & ~mask) == -1) {
		log_err("cannot set the mode of %s: %s", tmp, strerror(errno));
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	if ((rc = clone_into(c, tmp, dest, url, a, t, &out->new_head)) != EXIT_OK)
		goto out;
	rc = EXIT_SYNC_FAILED;
	flush_dir(tmp, syncfs);
	if (rename(tmp, dest) == -1) {
		log_err("cannot move the clone to %s: %s", dest, strerror(errno));
		goto out;
	}
	flush_dir(dir, fsync);
	log_notice("cloned %s into %s: %s at %s", url, dest, t->branch,
	    git_oid_tostr_s(&out->new_head));
	out->cloned = 1;
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK && (r = remove_tree(AT_FDCWD, tmp)) != 0)
		log_warning("cannot remove %s: %s", tmp, r == REMOVE_TREE_NOT_OURS ?
		    "something in it belongs to another user" : strerror(errno));
	return rc;
}

/* The same directory, however the paths spell it (symlinks, a slash). */
static int
same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* CLONE_PATH must be a work tree whose origin is CLONE_URL. */
static int
open_ours(const struct config *c, git_repository **repo, git_remote **origin)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	const char *url = config_get(c, CONFIG_CLONE_URL);
	const char *workdir;
	int error;

	/* place_check saw CLONE_PATH; its .git may still be another user's. */
	if ((error = git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL)) == GIT_EOWNER) {
		log_err("%s: %s; run the sync as the user who owns it", path,
		    last_git_error());
		return EXIT_NOT_OURS;
	}
	if (error < 0) {
		log_err("%s exists but is not a git repository; not touching it", path);
		return EXIT_NOT_OURS;
	}
	workdir = git_repository_workdir(*repo);
	if (workdir == NULL || !same_dir(workdir, path)) {
		log_err("%s is not the work tree of its repository; not touching it", path);
		return EXIT_NOT_OURS;
	}
	if (fetch_origin_is(*repo, origin, url, path) == -1)
		return EXIT_NOT_OURS;
	return EXIT_OK;
}

/* Local modifications are refused and named; an interrupted sync's work
 * is not one (intent_finish has finished it before this runs). */
static int
check_changes(git_repository *repo, const char *path)
{
	struct namelist changes = NAMELIST_INIT;

	if (worktree_changes(repo, &changes) < 0) {
		log_err("%s: status: %s", path, last_git_error());
		return EXIT_SYNC_FAILED;
	}
	if (changes.count == 0)
		return EXIT_OK;
	log_err("%s has local modifications, kept as they are: %s", path, changes.text);
	return EXIT_NOT_OURS;
}

/* Nothing of the work tree is written unless all of it can be. */
static int
check_blocked(git_repository *repo, const char *path, const git_oid *from, const git_oid *to)
{
	struct namelist blocked = NAMELIST_INIT;

	if (worktree_blocked(repo, from, to, &blocked) < 0) {
		log_err("%s: checking %s: %s", path, git_oid_tostr_s(to), last_git_error());
		return EXIT_SYNC_FAILED;
	}
	if (blocked.count == 0)
		return EXIT_OK;
	log_err("%s: refusing to overwrite or remove %s, which no commit holds; "
	    "nothing written", path, blocked.text);
	return EXIT_NOT_OURS;
}

static int
update_existing(const struct config *c, struct ssh_auth *a, const struct sync_target *t,
    struct sync_outcome *out)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	git_oid tip, previous, head;
	char tracking[LIMIT_REFNAME_BYTES], was[GIT_OID_HEXSZ + 1] = "none", what[128];
	int rc, has_previous, has_head, intact;

	if ((rc = open_ours(c, &repo, &origin)) != EXIT_OK)
		goto out;
	/* Every sync: a .git opened by a chmod, or made by an older version
	 * under a wider umask, is closed again. */
	if (private_dir(git_repository_path(repo), 0) == -1) {
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	fetch_phase(t, SYNC_PHASE_CHECKOUT);
	if ((rc = intent_finish(repo, path)) != EXIT_OK ||
	    (rc = check_changes(repo, path)) != EXIT_OK)
		goto out;
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", t->branch);
	has_previous = git_reference_name_to_id(&previous, repo, tracking) == 0;
	if ((rc = fetch_tip(repo, origin, a, t, path, "the checkout is kept as it is",
	    &tip)) != EXIT_OK)
		goto out;
	/* Commits made here and never pushed would be lost from the branch:
	 * checked before any ref or file moves. */
	if (worktree_unpushed(repo, t->branch, &tip, has_previous ? &previous : NULL,
	    what, sizeof(what))) {
		log_err("%s: %s has commits that origin/%s does not; kept as they are",
		    path, what, t->branch);
		rc = EXIT_NOT_OURS;
		goto out;
	}
	if ((has_head = git_reference_name_to_id(&head, repo, "HEAD") == 0))
		git_oid_tostr(was, sizeof(was), &head);
	else
		out->cloned = 1;	/* an unborn HEAD: everything is new */
	fetch_phase(t, SYNC_PHASE_CHECKOUT);
	/* Only the tip is written, so only its trees are checked (tree_check.c). */
	if ((rc = tree_check_sync(repo, has_head ? &head : NULL, &tip, path, path)) != EXIT_OK ||
	    (rc = check_blocked(repo, path, has_head ? &head : NULL, &tip)) != EXIT_OK ||
	    (rc = write_submodules(c, repo, a, &tip, path, 1)) != EXIT_OK)
		goto out;
	/* A force push or a rewind: followed, as a deployment follows its
	 * remote, and said. */
	out->forced = has_head && fetch_forced(repo, &head, &tip);
	/* Nothing to move, nothing to record: a sync with nothing new pays
	 * no fsync. */
	if ((!has_head || !git_oid_equal(&head, &tip)) &&
	    intent_record(repo, t->branch, has_head ? &head : NULL, &tip) == -1) {
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	rc = worktree_move(repo, t->branch, &tip, &intact);
	/* Refused, or failed and moved back: nothing for the next sync to
	 * finish, and it fetches whatever is pushed next. */
	if (rc == EXIT_OK || intact)
		intent_clear(repo);
	if (rc != EXIT_OK || (rc = write_submodules(c, repo, a, &tip, path, 0)) != EXIT_OK)
		goto out;
	log_notice("%s: %s at %s (was %s%s)", path, t->branch, git_oid_tostr_s(&tip), was,
	    out->forced ? ", not an ancestor: a forced update" : "");
	caveats_log_index(repo, path, config_yes(c, CONFIG_SUBMODULES));
	if (!out->cloned)
		git_oid_cpy(&out->old_head, &head);
	git_oid_cpy(&out->new_head, &tip);
	pack_bound(repo, path);
out:
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

/* Never a silent conversion from another layout. */
static int
inplace_prepare(const struct config *c, struct ssh_auth *a, const struct sync_target *t,
    struct sync_outcome *out)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	char what[PATH_MAX + 64];
	const struct publish *other;
	struct stat st;

	if ((other = publish_other(c, what, sizeof(what))) != NULL) {
		log_err("%s is published as %s; PUBLISH=in-place does not convert it: set "
		    "PUBLISH=%s, or see Releases in sentry-source(8) to move back", path, what,
		    other->name);
		return EXIT_NOT_OURS;
	}
	if (lstat(path, &st) == 0)
		return update_existing(c, a, t, out);
	if (errno != ENOENT) {
		log_err("%s: %s", path, strerror(errno));
		return EXIT_SYNC_FAILED;
	}
	return clone_fresh(c, a, t, out);
}

/* The work tree is written by prepare: there is nothing left to switch. */
static int
inplace_make_live(const struct config *c, const char *ref, const char *branch,
    const struct sync_outcome *o, int payload_fd)
{
	(void)c, (void)ref, (void)branch, (void)o, (void)payload_fd;
	return EXIT_OK;
}

static void
inplace_live(const struct config *c, char oid[STATUS_OID_LEN + 1], char *branch, size_t len)
{
	status_head(config_get(c, CONFIG_CLONE_PATH), oid, branch, len);
}

/* RUN= runs in CLONE_PATH itself: no other directory to name. */
static int
inplace_live_path(const struct config *c, char *buf, size_t len)
{
	(void)c, (void)buf, (void)len;
	return -1;
}

static void
inplace_repo_path(const struct config *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", config_get(c, CONFIG_CLONE_PATH));
}

static void
inplace_remove_leftovers(const struct config *c)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	char dir[PATH_MAX], base[NAME_MAX + 1], gitdir[PATH_MAX + 8];

	/* A fetch stopped by SYNC_TIMEOUT gives its partial pack's space
	 * back now, not at the next fetch. */
	snprintf(gitdir, sizeof(gitdir), "%s/.git", path);
	pack_remove_leftovers_in(gitdir, path);
	fetch_split_path(path, dir, base);
	remove_stale_clones(dir, base);
}

/* CLONE_PATH is absent, or a repository a sync would take as its own. */
static void
inplace_check(const struct config *c, publish_report *report)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	const char *url = config_get(c, CONFIG_CLONE_URL);
	char parent[PATH_MAX], base[NAME_MAX + 1], what[PATH_MAX + 64];
	const struct publish *other;
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	struct stat st;
	int error;

	if ((other = publish_other(c, what, sizeof(what))) != NULL) {
		report(EXIT_NOT_OURS, "PUBLISH=in-place: CLONE_PATH %s is published as %s; "
		    "a sync will not convert it (see Releases in sentry-source(8))", path,
		    other->name);
		return;
	}
	if (lstat(path, &st) == -1) {
		fetch_split_path(path, parent, base);
		if (access(parent, W_OK | X_OK) == 0)
			report(EXIT_OK, "CLONE_PATH %s: absent; the first sync clones into it "
			    "(PUBLISH=in-place)", path);
		else
			report(EXIT_SYNC_FAILED, "CLONE_PATH %s: cannot create it in %s: %s; "
			    "make the directory writable by this user", path, parent,
			    strerror(errno));
		return;
	}
	if ((error = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL)) < 0)
		report(EXIT_NOT_OURS, error == GIT_EOWNER ?
		    "CLONE_PATH %s: %s" : "CLONE_PATH %s: exists and is not a git "
		    "repository (%s); move it away or choose another CLONE_PATH",
		    path, last_git_error());
	else if (git_remote_lookup(&origin, repo, "origin") < 0 ||
	    git_remote_url(origin) == NULL)
		report(EXIT_NOT_OURS, "CLONE_PATH %s: a git repository without an origin; "
		    "a sync will not touch it: move it away or choose another CLONE_PATH",
		    path);
	else if (strcmp(git_remote_url(origin), url) != 0)
		report(EXIT_NOT_OURS, "CLONE_PATH %s: a clone of %s, not of CLONE_URL %s; "
		    "a sync will not touch it: move it away, or set CLONE_URL to its origin",
		    path, git_remote_url(origin), url);
	else
		report(EXIT_OK, "CLONE_PATH %s: a clone of CLONE_URL, updated in place "
		    "(PUBLISH=in-place)", path);
	git_remote_free(origin);
	git_repository_free(repo);
}

const struct publish publish_inplace = {
	.name = "in-place",
	.prepare = inplace_prepare,
	.make_live = inplace_make_live,
	.live = inplace_live,
	.live_path = inplace_live_path,
	.repo_path = inplace_repo_path,
	.remove_leftovers = inplace_remove_leftovers,
	.check = inplace_check,
	.shows = NULL,		/* any directory; the other layouts say what is theirs */
	.rollback = NULL,
	.list = NULL,
};
