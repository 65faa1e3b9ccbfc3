/*
 * SUBMODULES=yes: after the checkout, each submodule of the tree written
 * is fetched into a bare repository of its own and its recorded commit's
 * tree written into its directory, recursively (SUBMODULE_DEPTH deep),
 * over CLONE_URL's transport and credentials. A submodule's directory
 * holds files, never a .git: the sync writes it, as it writes a release.
 */
#ifndef SENTRY_SUBMODULES_H
#define SENTRY_SUBMODULES_H

#include <git2.h>

#include "publish.h"

struct ssh_auth;

struct submodules_job {
	struct ssh_auth	*auth;		/* CLONE_URL's */
	const char	*clone_url;
	const char	*where;		/* CLONE_PATH, for messages */
	int		 incremental;	/* in place: from what was written last */
	int		 judge_only;	/* submodules_judge: nothing fetched or written */
};

/*
 * The submodules of commit's tree under prefix (SUBDIR, or NULL), written
 * into dir, which holds that tree; their repositories in modules_dir
 * (made when missing); url is repo's own, against which relative URLs
 * resolve. An exit status, logged: a hostile .gitmodules is
 * EXIT_TREE_REFUSED.
 */
int	submodules_update(const struct submodules_job *, git_repository *,
	    const git_oid *commit, const char *prefix, const char *dir,
	    const char *modules_dir, const char *url);

/*
 * The top level of submodules_update's judgement alone: every gitlink
 * named by .gitmodules, each name and URL taken, each URL's transport
 * CLONE_URL's. In place, before the work tree moves, so that a refused
 * .gitmodules leaves HEAD where it was (nested submodules are judged
 * only once their parent is fetched). EXIT_OK or EXIT_TREE_REFUSED,
 * logged, or EXIT_SYNC_FAILED.
 */
int	submodules_judge(const struct submodules_job *, git_repository *,
	    const git_oid *commit, const char *modules_dir, const char *url);

/* --check: the submodules of commit's .gitmodules, each URL and whether
 * its host is in KNOWN_HOSTS. */
void	submodules_check(git_repository *, const git_oid *commit, const char *clone_url,
	    const struct ssh_auth *, publish_report *);

/* --check: with SUBMODULES=yes, submodules_check of the tip fetched last
 * of branch (a glob: not used), else of the live commit. */
void	submodules_check_config(const struct config *, const char *branch,
	    const struct ssh_auth *, publish_report *);

#endif
