#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "bounds.h"
#include "exitcode.h"
#include "fetch.h"
#include "git_error.h"
#include "log.h"
#include "pack.h"
#include "peer_limits.h"
#include "ssh_auth.h"
#include "tag_fetch.h"

void
fetch_phase(const struct sync_target *t, enum sync_phase p)
{
	if (t->phase != NULL)
		*t->phase = p;
}

int
fetch_failure_status(const struct ssh_auth *a)
{
	if (a->https)
		return http_auth_status(&a->http);
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

void
fetch_split_path(const char *path, char *dir, char *base)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	snprintf(base, NAME_MAX + 1, "%s", slash + 1);
}

/*
 * Connect first, on its own, so that a SYNC_TIMEOUT can say whether the
 * server never answered or the transfer was slow. Remote-tracking refs of
 * branches deleted on the remote go (prune), so that a deleted watched
 * branch is seen as gone. With TAG=, the tag alone (tag_fetch.h).
 */
int
fetch_origin(git_remote *origin, struct ssh_auth *a, const struct sync_target *t,
    const char *message)
{
	git_fetch_options opts;
	int rc;

	if (t->tag != NULL)
		return tag_fetch(origin, a, t, message);
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	ssh_auth_callbacks(a, &opts.callbacks);
	opts.prune = GIT_FETCH_PRUNE;
	opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	fetch_phase(t, SYNC_PHASE_CONNECT);
	if ((rc = ssh_auth_connect(origin, &opts.callbacks)) == 0) {
		fetch_phase(t, SYNC_PHASE_FETCH);
		rc = git_remote_fetch(origin, NULL, &opts, message);
	}
	if (rc < 0)
		ssh_auth_explain(a);
	return rc;
}

int
fetch_tip(git_repository *repo, git_remote *origin, struct ssh_auth *a,
    const struct sync_target *t, const char *where, const char *kept, git_oid *tip)
{
	char tracking[LIMIT_REFNAME_BYTES];

	pack_remove_leftovers(repo, where);
	if (fetch_origin(origin, a, t, "sentry-source: fetch") < 0) {
		log_err("fetch from %s failed: %s", git_remote_url(origin), last_git_error());
		/* A full disk wants its space back now, not at the next fetch. */
		pack_remove_leftovers(repo, where);
		return fetch_failure_status(a);
	}
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", t->branch);
	if (git_reference_name_to_id(tip, repo, tracking) < 0) {
		log_err("the remote has no branch %s; %s", t->branch, kept);
		return EXIT_SYNC_FAILED;
	}
	return EXIT_OK;
}

int
fetch_origin_is(git_repository *repo, git_remote **origin, const char *url,
    const char *path)
{
	if (git_remote_lookup(origin, repo, "origin") < 0 ||
	    git_remote_url(*origin) == NULL || strcmp(git_remote_url(*origin), url) != 0) {
		log_err("%s: its origin is not CLONE_URL %s; not touching it", path, url);
		return -1;
	}
	return 0;
}

int
fetch_forced(git_repository *repo, const git_oid *old, const git_oid *tip)
{
	return !git_oid_equal(old, tip) && git_graph_descendant_of(repo, tip, old) != 1;
}
