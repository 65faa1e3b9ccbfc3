/*
 * libgit2 writes one pack per fetch and never collects them: a checkout
 * synced every few minutes would hold thousands, and every object lookup
 * searches them all. After a fetch, the packs are kept a geometric
 * progression (pack.c): at most 2 + log2(objects) of them.
 */
#ifndef SENTRY_PACK_H
#define SENTRY_PACK_H

#include <git2.h>

/* Fold the small packs when needed; failures are logged and leave the packs as they were. */
void	pack_bound(git_repository *, const char *clone_path);
/* Remove the temporary files of a fetch that was killed, or failed; _in
 * for a repository not opened (gitdir: its .git or bare directory). */
void	pack_remove_leftovers(git_repository *, const char *clone_path);
void	pack_remove_leftovers_in(const char *gitdir, const char *clone_path);

#endif
