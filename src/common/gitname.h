/*
 * Git's names that both programs use: the front passes ref and object
 * names to the helper, which gives them back to RUN.
 */
#ifndef SENTRY_GITNAME_H
#define SENTRY_GITNAME_H

/* git's post-receive convention for the side of a ref change that does not
 * exist: a created branch's old name, a deleted one's new name. */
#define OID_ZERO	"0000000000000000000000000000000000000000"

/* Branches, and the length of the prefix to skip for a short name. */
#define REFS_HEADS	"refs/heads/"
#define REFS_HEADS_LEN	(sizeof(REFS_HEADS) - 1)

#endif
