/*
 * The trees a move writes, checked with tree_entry.c before it writes.
 *
 * Which trees: the move writes the new commit's tree, not the commits
 * between (the checkout goes from the old tip's tree to the new tip's in
 * one step, and a release is the new tip alone). So the trees to check
 * are those of the new tip, walked from its root, less every subtree
 * whose object is the one the old tip has at the same path: that
 * directory is on disk already and nothing in it is written. This is what
 * keeps a small push to a large repository cheap; a first clone or a
 * release, with no old tip, checks the whole tree.
 *
 * One tree object may sit at many paths (a tree of two entries naming the
 * same subtree, nested forty deep, names 2^40 paths): each object is
 * checked once, and again only where its path is longer, since the
 * length of the path is all that differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "git_error.h"
#include "log.h"
#include "tree_check.h"

/* Escaped paths in a log line: the rest of the line must fit its 1 KiB. */
#define LOGGED_PATH_MAX	600

/* Trees checked whole, and the longest path each was checked at. */
struct seen {
	struct seen_slot { git_oid id; size_t plen; int used; } *slot;
	size_t	cap, n;
};

struct walk {
	git_repository		*repo;
	git_odb			*odb;
	size_t			 root_len;
	struct seen		 seen;
	struct tree_refusal	*r;
	char			 path[PATH_MAX];
};

static size_t
seen_index(const struct seen *s, const git_oid *id)
{
	size_t h, i;

	memcpy(&h, id->id, sizeof(h));
	for (i = h & (s->cap - 1); s->slot[i].used && !git_oid_equal(&s->slot[i].id, id);
	    i = (i + 1) & (s->cap - 1))
		;
	return i;
}

static int
seen_covers(const struct seen *s, const git_oid *id, size_t plen)
{
	size_t i;

	if (s->cap == 0)
		return 0;
	i = seen_index(s, id);
	return s->slot[i].used && s->slot[i].plen >= plen;
}

/* A memo: failing to grow it only costs time. */
static void
seen_add(struct seen *s, const git_oid *id, size_t plen)
{
	struct seen bigger;
	size_t i, j;

	if (2 * (s->n + 1) > s->cap) {
		bigger.cap = s->cap ? 2 * s->cap : 256;
		bigger.n = 0;
		if ((bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot))) == NULL)
			return;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i].used) {
				j = seen_index(&bigger, &s->slot[i].id);
				bigger.slot[j] = s->slot[i];
				bigger.n++;
			}
		free(s->slot);
		*s = bigger;
	}
	i = seen_index(s, id);
	if (!s->slot[i].used)
		s->n++;
	s->slot[i].id = *id;
	s->slot[i].used = 1;
	if (s->slot[i].plen < plen)
		s->slot[i].plen = plen;
}

static int
refuse(struct walk *w, size_t plen, const char *name, size_t len, enum tree_problem why)
{
	snprintf(w->r->path, sizeof(w->r->path), "%.*s%s%.*s", (int)plen, w->path,
	    plen > 0 && len > 0 ? "/" : "", (int)len, name != NULL ? name : "");
	w->r->why = why;
	return 1;
}

/*
 * The tree id at path path[0..plen), and below it; old is the old tip's
 * tree at the same path, or NULL. 0, 1 (refused) or -1; *whole says
 * whether nothing was skipped as the old tip's.
 */
static int
walk(struct walk *w, const git_oid *id, git_tree *old, size_t plen, int *whole)
{
	git_odb_object *obj = NULL;
	git_tree *old_sub = NULL;
	const git_tree_entry *oe;
	struct tree_entry e, bad;
	enum tree_problem p;
	const unsigned char *buf;
	size_t len, off = 0, nlen;
	git_oid sub;
	int rc = -1, r, sub_whole;

	*whole = 1;
	if (seen_covers(&w->seen, id, plen))
		return 0;
	r = git_odb_read(&obj, w->odb, id);
	if (r == GIT_ENOTFOUND || (r == 0 && git_odb_object_type(obj) != GIT_OBJECT_TREE)) {
		rc = refuse(w, plen, NULL, 0, TREE_NOT_A_TREE);
		goto out;
	}
	if (r < 0)
		goto out;
	buf = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	if ((p = tree_entries_check(buf, len, &bad)) == TREE_NO_MEMORY) {
		git_error_set_oom();
		goto out;
	}
	if (p != TREE_OK) {
		rc = refuse(w, plen, bad.name, bad.len, p);
		goto out;
	}
	while (tree_entry_next(buf, len, &off, &e) == 1) {
		nlen = plen + (plen > 0) + e.len;
		/* libgit2 opens root/path whole: open(2) takes PATH_MAX with its NUL. */
		if (w->root_len + 1 + nlen >= PATH_MAX) {
			rc = refuse(w, plen, e.name, e.len, TREE_PATH_TOO_LONG);
			goto out;
		}
		if (e.mode != TREE_MODE_DIR)
			continue;
		git_oid_fromraw(&sub, e.oid);
		/* e.name is followed by its NUL in the object. */
		if (old != NULL && (oe = git_tree_entry_byname(old, e.name)) != NULL &&
		    git_tree_entry_type(oe) == GIT_OBJECT_TREE) {
			if (git_oid_equal(git_tree_entry_id(oe), &sub)) {
				*whole = 0;
				continue;
			}
			/* An old tree that cannot be read: the new one is checked whole. */
			if (git_tree_lookup(&old_sub, w->repo, git_tree_entry_id(oe)) < 0)
				old_sub = NULL;
		}
		if (plen > 0)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen > 0), e.name, e.len);
		r = walk(w, &sub, old_sub, nlen, &sub_whole);
		git_tree_free(old_sub);
		old_sub = NULL;
		if (r != 0) {
			rc = r;
			goto out;
		}
		if (!sub_whole)
			*whole = 0;
	}
	if (*whole)
		seen_add(&w->seen, id, plen);
	rc = 0;
out:
	git_odb_object_free(obj);
	return rc;
}

int
tree_check(git_repository *repo, const git_oid *from, const git_oid *to, size_t root_len,
    struct tree_refusal *r)
{
	struct walk w = { .repo = repo, .root_len = root_len, .r = r };
	git_commit *new = NULL, *old = NULL;
	git_tree *old_tree = NULL;
	int rc = -1, whole;

	memset(r, 0, sizeof(*r));
	git_oid_tostr(r->commit, sizeof(r->commit), to);
	if (git_repository_odb(&w.odb, repo) < 0 || git_commit_lookup(&new, repo, to) < 0)
		goto out;
	/* An old tip that cannot be read: everything is checked. */
	if (from != NULL && (git_commit_lookup(&old, repo, from) < 0 ||
	    git_commit_tree(&old_tree, old) < 0))
		old_tree = NULL;
	if (old_tree != NULL && git_oid_equal(git_tree_id(old_tree), git_commit_tree_id(new)))
		rc = 0;
	else
		rc = walk(&w, git_commit_tree_id(new), old_tree, 0, &whole);
out:
	free(w.seen.slot);
	git_tree_free(old_tree);
	git_commit_free(old);
	git_commit_free(new);
	git_odb_free(w.odb);
	return rc;
}

void
tree_path_escape(const char *path, char *buf, size_t len)
{
	const unsigned char *p;
	size_t n = 0;

	if (len < 8) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (n + 4 + 4 >= len) {
			memcpy(buf + n, "...", 4);
			return;
		}
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", *p);
		else
			buf[n++] = (char)*p;
	}
	buf[n] = '\0';
}

int
tree_check_sync(git_repository *repo, const git_oid *from, const git_oid *to,
    const char *root, const char *where)
{
	struct tree_refusal r;
	char path[LOGGED_PATH_MAX];

	switch (tree_check(repo, from, to, strlen(root), &r)) {
	case 0:
		return EXIT_OK;
	case 1:
		tree_path_escape(r.path, path, sizeof(path));
		log_err("%s: refusing commit %.12s: %s%s%s: %s; nothing written", where,
		    r.commit, r.path[0] == '\0' ? "its root tree" : "\"",
		    path, r.path[0] == '\0' ? "" : "\"", tree_problem_text(r.why));
		return EXIT_TREE_REFUSED;
	default:
		log_err("%s: checking the trees of %s: %s", where, r.commit, last_git_error());
		return EXIT_SYNC_FAILED;
	}
}
