/*
 * Two trees walked side by side. Entries are compared in git's tree
 * order (a directory's name as if it ended in '/'), sorted here rather
 * than trusted: a crafted tree may list them in any order.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tree_diff.h"

struct walk {
	git_repository	*repo;
	tree_diff_cb	 cb;
	void		*payload;
	char		 path[PATH_MAX];
};

static int
is_tree(const git_tree_entry *e)
{
	return git_tree_entry_filemode(e) == GIT_FILEMODE_TREE;
}

static int
entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), len = la < lb ? la : lb;
	unsigned char ca, cb;
	int c;

	if ((c = memcmp(na, nb, len)) != 0)
		return c;
	ca = len < la ? (unsigned char)na[len] : is_tree(a) ? '/' : '\0';
	cb = len < lb ? (unsigned char)nb[len] : is_tree(b) ? '/' : '\0';
	return ca - cb;
}

static int
qsort_cmp(const void *a, const void *b)
{
	return entry_cmp(*(const git_tree_entry *const *)a, *(const git_tree_entry *const *)b);
}

/* The tree's entries in git's order, in a new array (NULL tree: none). */
static int
sorted(git_tree *tree, const git_tree_entry ***v, size_t *n)
{
	size_t i;

	*v = NULL;
	*n = tree == NULL ? 0 : git_tree_entrycount(tree);
	if (*n == 0)
		return 0;
	if ((*v = calloc(*n, sizeof(**v))) == NULL) {
		git_error_set_oom();
		return -1;
	}
	for (i = 0; i < *n; i++)
		(*v)[i] = git_tree_entry_byindex(tree, i);
	qsort(*v, *n, sizeof(**v), qsort_cmp);
	return 0;
}

static int	walk_trees(struct walk *, size_t, git_tree *, git_tree *);

/* One side's entry (the other side has nothing of its name and kind). */
static int
one_side(struct walk *w, size_t len, const git_tree_entry *old, const git_tree_entry *new)
{
	const git_tree_entry *e = old != NULL ? old : new;
	git_tree *sub = NULL;
	int rc;

	if (!is_tree(e))
		return w->cb(w->path, old, new, w->payload);
	if (git_tree_lookup(&sub, w->repo, git_tree_entry_id(e)) < 0)
		return -1;
	rc = old != NULL ? walk_trees(w, len, sub, NULL) : walk_trees(w, len, NULL, sub);
	git_tree_free(sub);
	return rc;
}

/* Both sides hold the name as the same kind. */
static int
both(struct walk *w, size_t len, const git_tree_entry *old, const git_tree_entry *new)
{
	git_tree *a = NULL, *b = NULL;
	int rc = -1;

	if (git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(new)) &&
	    git_tree_entry_filemode(old) == git_tree_entry_filemode(new))
		return 0;
	if (!is_tree(old))
		return w->cb(w->path, old, new, w->payload);
	if (git_tree_lookup(&a, w->repo, git_tree_entry_id(old)) == 0 &&
	    git_tree_lookup(&b, w->repo, git_tree_entry_id(new)) == 0)
		rc = walk_trees(w, len, a, b);
	git_tree_free(b);
	git_tree_free(a);
	return rc;
}

/* w->path holds len bytes: the directory of both trees, with its '/'. */
static int
walk_trees(struct walk *w, size_t len, git_tree *from, git_tree *to)
{
	const git_tree_entry **ov = NULL, **nv = NULL, *o, *n;
	size_t oi = 0, ni = 0, on, nn, nlen;
	int c, rc = -1;

	if (sorted(from, &ov, &on) == -1 || sorted(to, &nv, &nn) == -1)
		goto out;
	while (oi < on || ni < nn) {
		o = oi < on ? ov[oi] : NULL;
		n = ni < nn ? nv[ni] : NULL;
		c = o == NULL ? 1 : n == NULL ? -1 : entry_cmp(o, n);
		nlen = strlen(git_tree_entry_name(c <= 0 ? o : n));
		if (len + nlen + 2 > sizeof(w->path)) {
			git_error_set_str(GIT_ERROR_INVALID, "a path in the tree is too long");
			goto out;
		}
		memcpy(w->path + len, git_tree_entry_name(c <= 0 ? o : n), nlen);
		w->path[len + nlen] = '\0';
		if (c <= 0 && is_tree(o))
			memcpy(w->path + len + nlen, "/", 2);
		else if (c > 0 && is_tree(n))
			memcpy(w->path + len + nlen, "/", 2);
		if (c < 0)
			rc = one_side(w, len + nlen + 1, o, NULL), oi++;
		else if (c > 0)
			rc = one_side(w, len + nlen + 1, NULL, n), ni++;
		else
			rc = both(w, len + nlen + 1, o, n), oi++, ni++;
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	w->path[len] = '\0';
	free(nv);
	free(ov);
	return rc;
}

int
tree_diff(git_repository *repo, git_tree *from, git_tree *to, tree_diff_cb cb,
    void *payload)
{
	struct walk *w;
	int rc;

	/* PATH_MAX on the heap: the walk recurses. */
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		git_error_set_oom();
		return -1;
	}
	w->repo = repo;
	w->cb = cb;
	w->payload = payload;
	rc = walk_trees(w, 0, from, to);
	free(w);
	return rc;
}
