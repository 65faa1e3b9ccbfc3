/*
 * What a checkout does not do, said in the log when a synced tree needs
 * it: submodules are not cloned (their directories stay empty) unless
 * SUBMODULES=yes wrote them, and Git LFS files stay pointer files (see
 * CAVEATS in sentry-source(8)).
 */
#ifndef SENTRY_CAVEATS_H
#define SENTRY_CAVEATS_H

#include <git2.h>

void	caveats_log(git_repository *, const git_oid *commit, const char *clone_path,
	    int submodules_written);

/* The same, from the index of a work tree just moved to the commit (it
 * equals the commit's tree: a staged change was refused), without
 * reading a tree: what a sync in place calls. */
void	caveats_log_index(git_repository *, const char *clone_path, int submodules_written);

#endif
