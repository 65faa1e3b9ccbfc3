#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "sync.h"

#define TMP_INFIX	".tmp-"
#define NAMED_FILES_MAX	5	/* files named in a refusal; the rest counted */

struct checkout_report {
	char	names[512];
	size_t	count;
};

static const char *
git_message(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown libgit2 error";
}

static int
failure_status(const struct ssh_auth *a)
{
	switch (a->failure) {
	case SSH_FAILURE_HOSTKEY: return EXIT_HOSTKEY;
	case SSH_FAILURE_AUTH: return EXIT_AUTH;
	default: return EXIT_SYNC_FAILED;
	}
}

static void
add_name(struct checkout_report *r, const char *path)
{
	size_t len = strlen(r->names);

	if (r->count++ < NAMED_FILES_MAX)
		snprintf(r->names + len, sizeof(r->names) - len, "%s%s",
		    len ? ", " : "", path);
}

static void
report_tail(struct checkout_report *r)
{
	size_t len = strlen(r->names);

	if (r->count > NAMED_FILES_MAX)
		snprintf(r->names + len, sizeof(r->names) - len, " and %zu more",
		    r->count - NAMED_FILES_MAX);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int
rm_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* dirname and basename of an absolute path that config.c checked. */
static void
split_path(const char *path, char *dir, char *base)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	snprintf(base, NAME_MAX + 1, "%s", slash + 1);
}

/* A clone killed half-way leaves its temporary directory; we hold the lock,
 * so any such directory is a dead predecessor's. */
static void
remove_stale_clones(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 16], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(prefix, sizeof(prefix), ".%s" TMP_INFIX, base);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (rm_tree(path) == 0)
			log_msg("removed %s, left by an interrupted clone", path);
	}
	closedir(d);
}

/* Make the rename survive a crash of the machine, not only of us. */
static void
sync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
clone_fresh(const struct config *c, struct ssh_auth *a, const struct sync_target *t)
{
	const char *url = config_get(c, CONFIG_CLONE_URL);
	const char *dest = config_get(c, CONFIG_CLONE_PATH);
	git_clone_options opts;
	char dir[PATH_MAX], base[NAME_MAX + 1], tmp[PATH_MAX];
	git_repository *repo = NULL;
	git_reference *head = NULL;
	int rc = EXIT_SYNC_FAILED;

	git_clone_options_init(&opts, GIT_CLONE_OPTIONS_VERSION);
	split_path(dest, dir, base);
	remove_stale_clones(dir, base);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s" TMP_INFIX "XXXXXX", dir, base) >=
	    sizeof(tmp) || mkdtemp(tmp) == NULL) {
		log_msg("cannot make a directory beside %s: %s", dest, strerror(errno));
		return EXIT_SYNC_FAILED;
	}
	opts.checkout_branch = t->branch;
	ssh_auth_callbacks(a, &opts.fetch_opts.callbacks);
	if (git_clone(&repo, url, tmp, &opts) < 0) {
		log_msg("clone of %s failed: %s", url, git_message());
		rc = failure_status(a);
		goto out;
	}
	if (git_repository_head(&head, repo) < 0) {
		log_msg("clone of %s: no HEAD: %s", url, git_message());
		goto out;
	}
	if (rename(tmp, dest) == -1) {
		log_msg("cannot move the clone to %s: %s", dest, strerror(errno));
		goto out;
	}
	sync_dir(dir);
	log_msg("cloned %s into %s: %s at %s", url, dest, t->branch,
	    git_oid_tostr_s(git_reference_target(head)));
	rc = EXIT_OK;
out:
	git_reference_free(head);
	git_repository_free(repo);
	if (rc != EXIT_OK && rm_tree(tmp) == -1 && errno != ENOENT)
		log_msg("cannot remove %s: %s", tmp, strerror(errno));
	return rc;
}

/* CLONE_PATH must be a work tree whose origin is CLONE_URL. */
static int
open_ours(const struct config *c, git_repository **repo, git_remote **origin)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	const char *url = config_get(c, CONFIG_CLONE_URL);
	const char *workdir;

	if (git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		log_msg("%s exists but is not a git repository; not touching it", path);
		return EXIT_NOT_OURS;
	}
	workdir = git_repository_workdir(*repo);
	if (workdir == NULL || strncmp(workdir, path, strlen(path)) != 0 ||
	    strcmp(workdir + strlen(path), "/") != 0) {
		log_msg("%s is not the work tree of its repository; not touching it", path);
		return EXIT_NOT_OURS;
	}
	if (git_remote_lookup(origin, *repo, "origin") < 0 ||
	    git_remote_url(*origin) == NULL || strcmp(git_remote_url(*origin), url) != 0) {
		log_msg("%s: its origin is not CLONE_URL %s; not touching it", path, url);
		return EXIT_NOT_OURS;
	}
	return EXIT_OK;
}

/* Staged or unstaged changes to tracked files: a sync would lose them. */
static int
find_local_changes(git_repository *repo, struct checkout_report *r)
{
	git_status_options opts;
	git_status_list *list;
	const git_status_entry *e;
	size_t i, n;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, repo, &opts) < 0)
		return -1;
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		e = git_status_byindex(list, i);
		if (e->status == GIT_STATUS_CURRENT || e->status == GIT_STATUS_IGNORED)
			continue;
		add_name(r, e->head_to_index ? e->head_to_index->new_file.path :
		    e->index_to_workdir->new_file.path);
	}
	git_status_list_free(list);
	report_tail(r);
	return 0;
}

static int
note_conflict(git_checkout_notify_t why, const char *path, const git_diff_file *baseline,
    const git_diff_file *target, const git_diff_file *workdir, void *payload)
{
	(void)why; (void)baseline; (void)target; (void)workdir;
	add_name(payload, path);
	return 0;
}

/* Check out the commit, then move the branch and HEAD: a refused checkout
 * leaves HEAD where it was. */
static int
move_to(git_repository *repo, const char *branch, const git_oid *oid)
{
	git_checkout_options opts;
	struct checkout_report conflicts = { "", 0 };
	git_object *commit = NULL;
	git_reference *ref = NULL;
	char refname[300];
	int rc = EXIT_SYNC_FAILED;

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	snprintf(refname, sizeof(refname), "refs/heads/%s", branch);
	opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	opts.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	opts.notify_cb = note_conflict;
	opts.notify_payload = &conflicts;
	if (git_object_lookup(&commit, repo, oid, GIT_OBJECT_COMMIT) < 0) {
		log_msg("origin/%s: %s", branch, git_message());
		goto out;
	}
	if (git_checkout_tree(repo, commit, &opts) < 0) {
		report_tail(&conflicts);
		if (conflicts.count > 0) {
			log_msg("refusing to overwrite %s in the work tree", conflicts.names);
			rc = EXIT_NOT_OURS;
		} else
			log_msg("checkout of %s: %s", git_oid_tostr_s(oid), git_message());
		goto out;
	}
	if (git_reference_create(&ref, repo, refname, oid, 1, "sentry-source: sync") < 0 ||
	    git_repository_set_head(repo, refname) < 0) {
		log_msg("cannot move %s: %s", refname, git_message());
		goto out;
	}
	rc = EXIT_OK;
out:
	git_reference_free(ref);
	git_object_free(commit);
	return rc;
}

static int
update_existing(const struct config *c, struct ssh_auth *a, const struct sync_target *t)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	git_fetch_options opts;
	struct checkout_report changes = { "", 0 };
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	git_oid tip, head;
	char tracking[300], was[GIT_OID_HEXSZ + 1] = "none";
	int rc;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	if ((rc = open_ours(c, &repo, &origin)) != EXIT_OK)
		goto out;
	rc = EXIT_SYNC_FAILED;
	if (find_local_changes(repo, &changes) < 0) {
		log_msg("%s: status: %s", path, git_message());
		goto out;
	}
	if (changes.count > 0) {
		log_msg("%s has local modifications, kept as they are: %s", path, changes.names);
		rc = EXIT_NOT_OURS;
		goto out;
	}
	ssh_auth_callbacks(a, &opts.callbacks);
	if (git_remote_fetch(origin, NULL, &opts, "sentry-source: fetch") < 0) {
		log_msg("fetch from %s failed: %s", git_remote_url(origin), git_message());
		rc = failure_status(a);
		goto out;
	}
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", t->branch);
	if (git_reference_name_to_id(&tip, repo, tracking) < 0) {
		log_msg("the remote has no branch %s", t->branch);
		goto out;
	}
	if (git_reference_name_to_id(&head, repo, "HEAD") == 0)
		git_oid_tostr(was, sizeof(was), &head);
	if ((rc = move_to(repo, t->branch, &tip)) == EXIT_OK)
		log_msg("%s: %s at %s (was %s)", path, t->branch, git_oid_tostr_s(&tip), was);
out:
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

int
sync_checkout(const struct config *c, struct ssh_auth *a, const struct sync_target *t)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	struct stat st;

	if (lstat(path, &st) == 0)
		return update_existing(c, a, t);
	if (errno != ENOENT) {
		log_msg("%s: %s", path, strerror(errno));
		return EXIT_SYNC_FAILED;
	}
	return clone_fresh(c, a, t);
}
