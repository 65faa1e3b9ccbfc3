/*
 * Removing a directory tree that this program made (a clone that failed,
 * one killed half-way, RUN='s private directory; later, old releases)
 * without trusting anything in it: see remove_tree.c.
 */
#ifndef SENTRY_REMOVE_TREE_H
#define SENTRY_REMOVE_TREE_H

/* Returned when something was left because another user owns it. */
#define REMOVE_TREE_NOT_OURS	1

/*
 * Remove name, in the directory dirfd (AT_FDCWD for the current one), and
 * everything under it. Never follows a symbolic link, at any depth: a
 * link is removed as a link. Only what the effective user owns is
 * removed; what another user owns is left where it is, with the
 * directories that hold it.
 * 0 when name is gone (or was never there); REMOVE_TREE_NOT_OURS when
 * name, or something under it, belongs to another user and was kept;
 * -1 with errno set on any other failure (ESTALE: a directory of the
 * tree was moved while it was being removed). At any depth, holding at
 * most LIMIT_REMOVE_FDS descriptors.
 */
int	remove_tree(int dirfd, const char *name);

#endif
