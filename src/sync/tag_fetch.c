/*
 * TAG=: fetch_origin for a tag (tag_fetch.h). Only the tag is fetched,
 * with no other tags following it and nothing pruned: what a tag
 * deployment keeps is the tags it deployed and their history, bounded
 * by pack.c as a branch's is. (fetch.c calls this file, so it does not
 * call fetch.c: it sets the phase itself.)
 */
#include <stdio.h>

#include <git2.h>

#include "bounds.h"
#include "git_error.h"
#include "gitname.h"
#include "log.h"
#include "ssh_auth.h"
#include "tag_fetch.h"

/* The commit a tag ref names, peeled; -1 when none. */
static int
peeled(git_repository *repo, const char *ref, git_oid *commit)
{
	git_reference *r = NULL;
	git_object *o = NULL;
	int rc = -1;

	if (git_reference_lookup(&r, repo, ref) == 0 &&
	    git_reference_peel(&o, r, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(commit, git_object_id(o));
		rc = 0;
	}
	git_object_free(o);
	git_reference_free(r);
	return rc;
}

int
tag_fetch(git_remote *origin, struct ssh_auth *a, const struct sync_target *t,
    const char *message)
{
	git_repository *repo = git_remote_owner(origin);
	char local[LIMIT_REFNAME_BYTES], spec[2 * LIMIT_REFNAME_BYTES + 2], *specs[] = { spec };
	char tracking[LIMIT_REFNAME_BYTES], was[GIT_OID_HEXSZ + 1];
	git_strarray refspecs = { specs, 1 };
	git_fetch_options opts;
	git_oid before, commit;
	int had;

	snprintf(local, sizeof(local), REFS_TAGS "%s", t->tag);
	snprintf(spec, sizeof(spec), "+%s:%s", local, local);
	snprintf(tracking, sizeof(tracking), "refs/remotes/origin/%s", t->branch);
	/* A tag deleted on the remote must not look fetched: what the fetch
	 * does not write is not there. */
	if ((had = peeled(repo, local, &before) == 0))
		git_oid_tostr(was, sizeof(was), &before);
	if (git_reference_name_to_id(&commit, repo, local) == 0 &&
	    git_reference_remove(repo, local) < 0)
		return -1;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	ssh_auth_callbacks(a, &opts.callbacks);
	opts.prune = GIT_FETCH_NO_PRUNE;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if (t->phase != NULL)
		*t->phase = SYNC_PHASE_CONNECT;
	if (git_remote_connect(origin, GIT_DIRECTION_FETCH, &opts.callbacks, &opts.proxy_opts,
	    &opts.custom_headers) < 0)
		return -1;
	if (t->phase != NULL)
		*t->phase = SYNC_PHASE_FETCH;
	if (git_remote_fetch(origin, &refspecs, &opts, message) < 0)
		return -1;
	if (git_reference_name_to_id(&commit, repo, local) < 0) {
		git_error_set(GIT_ERROR_REFERENCE, "the remote has no tag %s", t->tag);
		return -1;
	}
	if (peeled(repo, local, &commit) < 0) {
		git_error_set(GIT_ERROR_REFERENCE, "tag %s names no commit", t->tag);
		return -1;
	}
	if (had && !git_oid_equal(&before, &commit))
		log_notice("tag %s moved from %.12s to %.12s: a forced update", t->tag, was,
		    git_oid_tostr_s(&commit));
	return git_reference_create(NULL, repo, tracking, &commit, 1, message) < 0 ? -1 : 0;
}
