#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "caveats.h"
#include "exitcode.h"
#include "git_error.h"
#include "intent.h"
#include "log.h"
#include "pack.h"
#include "releases.h"
#include "remove_tree.h"
#include "peer_limits.h"
#include "sync.h"
#include "tree_check.h"
#include "worktree.h"

#define TMP_INFIX	".tmp-"
int
sync_failure_status(const struct ssh_auth *a)
{
	switch (a->failure) {
	case SSH_FAILURE_HOSTKEY: return EXIT_HOSTKEY;
	case SSH_FAILURE_AUTH: return EXIT_AUTH;
	default: break;
	}
	/* libssh2 could not use the key: a wrong passphrase, or no key at all. */
	if (a->attempts > 0 && strstr(last_git_error(), "private key") != NULL)
		return EXIT_AUTH;
	return EXIT_SYNC_FAILED;
}

/* dirname and basename of an absolute path that config.c checked. */
void
sync_split_path(const char *path, char *dir, char *base)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	snprintf(base, NAME_MAX + 1, "%s", slash + 1);
}

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

static void
set_phase(const struct sync_target *t, enum sync_phase p)
{
	if (t->phase != NULL)
		*t->phase = p;
}

/*
 * Connect first, on its own, so that a SYNC_TIMEOUT can say whether the
 * server never answered or the transfer was slow. Remote-tracking refs of
 * branches deleted on the remote go (prune), so that a deleted watched
 * branch is seen as gone.
 */
int
sync_fetch(git_remote *origin, struct ssh_auth *a, const struct sync_target *t,
    const char *message)
{
	git_fetch_options opts;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	ssh_auth_callbacks(a, &opts.callbacks);
	opts.prune = GIT_FETCH_PRUNE;
	set_phase(t, SYNC_PHASE_CONNECT);
	if (git_remote_connect(origin, GIT_DIRECTION_FETCH, &opts.callbacks, &opts.proxy_opts,
	    &opts.custom_headers) < 0)
		return -1;
	set_phase(t, SYNC_PHASE_FETCH);
	return git_remote_fetch(origin, NULL, &opts, message);
}

/*
 * Fetch one branch into an empty repository at dir and check it out.
 * Not git_clone: libgit2 1.5.1's clone fails, with no message, when the
 * remote's HEAD names a branch that does not exist (a bare repository
 * whose default branch was never pushed), which a sync of another branch
 * does not care about.
 */
static int
clone_into(const char *dir, const char *dest, const char *url, struct ssh_auth *a,
    const struct sync_target *t, git_oid *tip)
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
	if (sync_fetch(origin, a, t, "sentry-source: clone") < 0) {
		log_err("clone of %s failed: %s", url, last_git_error());
		rc = sync_failure_status(a);
		goto out;
	}
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", branch);
	if (git_reference_name_to_id(tip, repo, tracking) < 0) {
		log_err("the remote has no branch %s", branch);
		goto out;
	}
	set_phase(t, SYNC_PHASE_CHECKOUT);
	if ((rc = tree_check_sync(repo, NULL, tip, dir, dest)) == EXIT_OK &&
	    (rc = worktree_move(repo, branch, tip, &intact)) == EXIT_OK)
		caveats_log(repo, tip, dest);
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

	sync_split_path(dest, dir, base);
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
	if ((rc = clone_into(tmp, dest, url, a, t, &out->new_head)) != EXIT_OK)
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

	/* owner_check saw CLONE_PATH; its .git may still be another user's. */
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
	if (sync_origin_is(*repo, origin, url, path) == -1)
		return EXIT_NOT_OURS;
	return EXIT_OK;
}

/* A repository whose origin is CLONE_URL: 0 with *origin, or -1, logged. */
int
sync_origin_is(git_repository *repo, git_remote **origin, const char *url,
    const char *path)
{
	if (git_remote_lookup(origin, repo, "origin") < 0 ||
	    git_remote_url(*origin) == NULL || strcmp(git_remote_url(*origin), url) != 0) {
		log_err("%s: its origin is not CLONE_URL %s; not touching it", path, url);
		return -1;
	}
	return 0;
}

/* Local modifications are refused and named; an interrupted sync's work
 * is not one (intent_finish has finished it before this runs). */
static int
check_changes(git_repository *repo, const char *path)
{
	struct worktree_names changes = WORKTREE_NAMES_INIT;

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
	struct worktree_names blocked = WORKTREE_NAMES_INIT;

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
	set_phase(t, SYNC_PHASE_CHECKOUT);
	if ((rc = intent_finish(repo, path)) != EXIT_OK ||
	    (rc = check_changes(repo, path)) != EXIT_OK)
		goto out;
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", t->branch);
	has_previous = git_reference_name_to_id(&previous, repo, tracking) == 0;
	pack_remove_leftovers(repo, path);
	if (sync_fetch(origin, a, t, "sentry-source: fetch") < 0) {
		log_err("fetch from %s failed: %s", git_remote_url(origin), last_git_error());
		rc = sync_failure_status(a);
		/* A full disk wants its space back now, not at the next fetch. */
		pack_remove_leftovers(repo, path);
		goto out;
	}
	rc = EXIT_SYNC_FAILED;
	if (git_reference_name_to_id(&tip, repo, tracking) < 0) {
		log_err("the remote has no branch %s; the checkout is kept as it is", t->branch);
		goto out;
	}
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
	set_phase(t, SYNC_PHASE_CHECKOUT);
	/* Only the tip is written, so only its trees are checked (tree_check.c). */
	if ((rc = tree_check_sync(repo, has_head ? &head : NULL, &tip, path, path)) != EXIT_OK ||
	    (rc = check_blocked(repo, path, has_head ? &head : NULL, &tip)) != EXIT_OK)
		goto out;
	/* A force push or a rewind: followed, as a deployment follows its
	 * remote, and said. */
	out->forced = has_head && !git_oid_equal(&head, &tip) &&
	    git_graph_descendant_of(repo, &tip, &head) != 1;
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
	if (rc != EXIT_OK)
		goto out;
	log_notice("%s: %s at %s (was %s%s)", path, t->branch, git_oid_tostr_s(&tip), was,
	    out->forced ? ", not an ancestor: a forced update" : "");
	caveats_log(repo, &tip, path);
	if (!out->cloned)
		git_oid_cpy(&out->old_head, &head);
	git_oid_cpy(&out->new_head, &tip);
	pack_bound(repo, path);
out:
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

int
sync_checkout(const struct config *c, struct ssh_auth *a, const struct sync_target *t,
    struct sync_outcome *out)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (config_releases(c))
		return releases_prepare(c, a, t, out);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && releases_is_link(path)) {
		log_err("%s is published as releases (a link into %s" RELEASES_SUFFIX "); "
		    "PUBLISH=in-place does not convert it: set PUBLISH=releases, or see "
		    "Releases in sentry-source(8) to move back", path, path);
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

void
sync_remove_leftovers(const struct config *c)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];

	char gitdir[PATH_MAX + 8];

	/* A fetch stopped by SYNC_TIMEOUT gives its partial pack's space
	 * back now, not at the next fetch. */
	releases_repo_path(c, gitdir, sizeof(gitdir) - 8);
	if (!config_releases(c))
		strcat(gitdir, "/.git");
	pack_remove_leftovers_in(gitdir, config_get(c, CONFIG_CLONE_PATH));
	if (config_releases(c)) {
		releases_remove_leftovers(c);
		return;
	}
	sync_split_path(config_get(c, CONFIG_CLONE_PATH), dir, base);
	remove_stale_clones(dir, base);
}
