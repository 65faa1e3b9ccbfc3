/*
 * The entries of one raw tree object, checked as git's fsck checks a tree
 * (fsck.c fsck_tree, and verify_path, is_ntfs_dotgit and is_hfs_dotgit):
 * what a pushed tree may name before anything of it is written. A pure
 * function of the bytes: no repository, no allocation but one list of
 * names, so that it can be fuzzed alone (tests/fuzz/fuzz-tree-check.c).
 */
#ifndef SENTRY_TREE_ENTRY_H
#define SENTRY_TREE_ENTRY_H

#include <stddef.h>

#define TREE_OID_RAWSZ	20	/* SHA-1: the only object format libgit2 1.5.1 reads */

/* Why a tree is refused; TREE_OK when it is not. */
enum tree_problem {
	TREE_OK = 0,
	TREE_MALFORMED,		/* not "<mode> <name>\0<20 bytes>" throughout */
	TREE_NOT_A_TREE,	/* an entry of mode 040000 names no tree */
	TREE_BAD_MODE,
	TREE_EMPTY_NAME,
	TREE_NUL_IN_NAME,
	TREE_SLASH_IN_NAME,
	TREE_NAME_TOO_LONG,	/* over NAME_MAX bytes */
	TREE_PATH_TOO_LONG,	/* over PATH_MAX once joined to where it is written */
	TREE_DOT,
	TREE_DOTDOT,
	TREE_DOTGIT,		/* .git in any spelling git refuses */
	TREE_GITMODULES_LINK,
	TREE_GITATTRIBUTES_LINK,
	TREE_GITIGNORE_LINK,
	TREE_MAILMAP_LINK,
	TREE_DUPLICATE,		/* two entries of one name, a file and a directory too */
	TREE_UNSORTED,
	TREE_NO_MEMORY		/* not the tree's fault */
};

/* The modes git writes (S_IFDIR, S_IFREG|0644, S_IFREG|0755, S_IFLNK,
 * S_IFGITLINK). */
#define TREE_MODE_DIR		0040000
#define TREE_MODE_FILE		0100644
#define TREE_MODE_EXEC		0100755
#define TREE_MODE_LINK		0120000
#define TREE_MODE_GITLINK	0160000

struct tree_entry {
	unsigned		 mode;
	const char		*name;	/* not NUL-terminated for tree_name_check */
	size_t			 len;
	const unsigned char	*oid;	/* TREE_OID_RAWSZ bytes */
};

/* fsck's words for a problem ("duplicate entries", ...). */
const char	*tree_problem_text(enum tree_problem);

/*
 * The next entry of a raw tree at *off, which it advances: 1 and *e, 0 at
 * the end, -1 when the bytes are not an entry. e->name points into buf
 * and is followed there by its NUL.
 */
int	tree_entry_next(const unsigned char *buf, size_t len, size_t *off,
	    struct tree_entry *e);

/* One name, as the entry of that mode: TREE_OK or its problem. */
enum tree_problem	tree_name_check(const char *name, size_t len, unsigned mode);

/*
 * Every entry of a raw tree, then the tree as a whole (order, duplicates).
 * On a problem, *bad is the entry it concerns (for TREE_MALFORMED, the
 * last entry read whole, or one with len 0 when there is none).
 */
enum tree_problem	tree_entries_check(const unsigned char *buf, size_t len,
			    struct tree_entry *bad);

#endif
