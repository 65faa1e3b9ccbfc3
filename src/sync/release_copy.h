/*
 * A release written from the one live before it: what the push did not
 * change is a hard link to the live release's file, what it changed is
 * written from the objects; or, with nothing to share, every file is
 * written. Nothing is read through a link of either release, and what
 * is written is on disk (fsync) when release_copy returns.
 */
#ifndef SENTRY_RELEASE_COPY_H
#define SENTRY_RELEASE_COPY_H

#include <stddef.h>

#include <git2.h>

struct release_copy {
	git_repository	*repo;
	/*
	 * 1: files unchanged since from are linked from the live release,
	 * and every file is made read-only, so that a write into one is
	 * refused rather than made in every release that shares it. 0: all
	 * written, writable (BUILD= writes into a release).
	 */
	int		 share;
	/*
	 * 1: a file is linked only when its bytes hash to the entry's blob
	 * too: the live release may hold another directory of the tree
	 * (SUBDIR= changed since, or not recorded), where the same path
	 * can be a file of the same size and mode with other bytes.
	 */
	int		 verify;
	size_t		 linked;	/* out: files linked from the live release */
	size_t		 written;	/* out: files and links written */
	size_t		 untrusted;	/* out: unchanged, but not as the commit says */
};

/*
 * The tree at prefix ("" for the whole tree) of commit to into the empty
 * directory to_fd, from the same prefix of commit from held by the
 * directory from_fd (from NULL or from_fd -1: none). A file is linked
 * only when the tree entry is the same in both commits and the live file
 * is, by lstat, of the entry's type, ours, of the very mode a new file
 * gets (0444 or 0555 less the umask) and of the blob's size (and, with
 * verify, hashes to it); anything else is written, so that a changed
 * umask reaches every file. Files and directories follow the umask.
 * Submodules are empty directories. 0, or -1 logged; to_fd may then
 * hold part of it.
 */
int	release_copy(struct release_copy *, const git_oid *from, int from_fd,
	    const git_oid *to, const char *prefix, int to_fd);

/*
 * Which directory of the tree a release holds (SUBDIR=, "" for all of
 * it), kept on its top directory as an extended attribute, so that the
 * next release links from it only what is the same path of the same
 * directory. mark: 0, or -1 where the file system keeps no user
 * attributes (the next release then verifies every file). marked: 1
 * when the release holds prefix, 0 another directory, -1 unknown.
 */
#define RELEASE_PREFIX_XATTR	"user.sentry-source.subdir"
int	release_copy_mark(int to_fd, const char *prefix);
int	release_copy_marked(int from_fd, const char *prefix);

#endif
