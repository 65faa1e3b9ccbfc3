/*
 * tree_diff.c against libgit2's own git_diff_tree_to_tree: random pairs
 * of trees whose names sort differently as files and as directories
 * ("a", "a.b", "a-c", "a/"), with files become directories and back,
 * links, executable bits and submodules, must name the same paths with
 * the same sides present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "tap.h"
#include "tree_diff.h"

#define MAXCHANGES	512

static git_repository *repo;
static git_oid blobs[2], commit_id;
static const char *names[] = { "a", "a.b", "a-c", "b", "z" };

struct change {
	char	path[64];
	int	old, new;	/* present on that side */
};

struct changes {
	struct change	v[MAXCHANGES];
	size_t		n;
};

/* One level of random entries under prefix, into the index. */
static void
fill(git_index *index, const char *prefix, int depth)
{
	static const git_filemode_t modes[] = { GIT_FILEMODE_BLOB,
	    GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK, GIT_FILEMODE_COMMIT };
	git_index_entry e;
	char path[64];
	size_t i;
	int kind;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", prefix, names[i]);
		kind = rand() % (depth < 2 ? 4 : 3);
		if (kind == 0)
			continue;
		if (kind == 3) {
			strcat(path, "/");
			fill(index, path, depth + 1);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.path = path;
		e.mode = modes[rand() % (kind == 1 ? 1 : 4)];
		git_oid_cpy(&e.id, e.mode == GIT_FILEMODE_COMMIT ? &commit_id :
		    &blobs[rand() % 2]);
		if (git_index_add(index, &e) < 0) {
			fprintf(stderr, "index add %s: %s\n", path, git_error_last()->message);
			exit(1);
		}
	}
}

static git_tree *
random_tree(void)
{
	git_index *index;
	git_tree *tree;
	git_oid id;

	if (git_index_new(&index) < 0)
		exit(1);
	fill(index, "", 0);
	if (git_index_write_tree_to(&id, index, repo) < 0 ||
	    git_tree_lookup(&tree, repo, &id) < 0) {
		fprintf(stderr, "tree: %s\n", git_error_last()->message);
		exit(1);
	}
	git_index_free(index);
	return tree;
}

static struct change *
find(struct changes *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].path, path) == 0)
			return &c->v[i];
	if (c->n == MAXCHANGES)
		exit(1);
	snprintf(c->v[c->n].path, sizeof(c->v[c->n].path), "%s", path);
	return &c->v[c->n++];
}

static int
note(const char *path, const git_tree_entry *old, const git_tree_entry *new, void *payload)
{
	struct change *ch = find(payload, path);

	ch->old |= old != NULL;
	ch->new |= new != NULL;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path, ((const struct change *)b)->path);
}

/* libgit2's diff, a file become a link counted once as in tree_diff. */
static void
theirs(git_tree *a, git_tree *b, struct changes *c)
{
	const git_diff_delta *d;
	struct change *ch;
	git_diff *diff;
	size_t i;

	if (git_diff_tree_to_tree(&diff, repo, a, b, NULL) < 0)
		exit(1);
	for (i = 0; i < git_diff_num_deltas(diff); i++) {
		d = git_diff_get_delta(diff, i);
		ch = find(c, d->new_file.path);
		ch->old |= d->status != GIT_DELTA_ADDED;
		ch->new |= d->status != GIT_DELTA_DELETED;
	}
	git_diff_free(diff);
}

static int
same(struct changes *x, struct changes *y)
{
	size_t i;

	qsort(x->v, x->n, sizeof(x->v[0]), cmp);
	qsort(y->v, y->n, sizeof(y->v[0]), cmp);
	if (x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++)
		if (strcmp(x->v[i].path, y->v[i].path) != 0 || x->v[i].old != y->v[i].old ||
		    x->v[i].new != y->v[i].new)
			return 0;
	return 1;
}

static int
stop(const char *path, const git_tree_entry *old, const git_tree_entry *new, void *payload)
{
	(void)path, (void)old, (void)new;
	++*(int *)payload;
	return 7;
}

int
main(void)
{
	static struct changes ours_c, theirs_c;
	char dir[] = "/tmp/test-sync-tree-diff.XXXXXX", cmd[64];
	git_tree *a, *b;
	int i, agree = 0, calls = 0, rc;

	git_libgit2_init();
	srand(24);
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 1) < 0 ||
	    git_blob_create_from_buffer(&blobs[0], repo, "x\n", 2) < 0 ||
	    git_blob_create_from_buffer(&blobs[1], repo, "y\n", 2) < 0) {
		perror("repository");
		return 1;
	}
	/* Any id will do for a gitlink: its commit is not in this repository. */
	git_oid_cpy(&commit_id, &blobs[1]);
	for (i = 0; i < 500; i++) {
		a = i % 10 == 0 ? NULL : random_tree();
		b = random_tree();
		ours_c.n = theirs_c.n = 0;
		if (tree_diff(repo, a, b, note, &ours_c) == 0)
			theirs(a, b, &theirs_c);
		agree += same(&ours_c, &theirs_c);
		git_tree_free(a);
		git_tree_free(b);
	}
	tap_ok(agree == 500, "500 random pairs of trees: the same changes as libgit2 (%d agree)",
	    agree);
	a = random_tree();
	ours_c.n = 0;
	tap_ok(tree_diff(repo, a, a, note, &ours_c) == 0 && ours_c.n == 0,
	    "a tree against itself: nothing");
	ours_c.n = 0;
	tap_ok(tree_diff(repo, NULL, NULL, note, &ours_c) == 0 && ours_c.n == 0,
	    "two empty trees: nothing");
	do {
		b = random_tree();
		rc = git_tree_entrycount(b) > 0 ? tree_diff(repo, NULL, b, stop, &calls) : -2;
		if (rc == -2)
			git_tree_free(b);
	} while (rc == -2);
	tap_ok(rc == 7 && calls == 1, "a callback's nonzero return stops the walk, returned");
	git_tree_free(b);
	git_tree_free(a);
	git_repository_free(repo);
	git_libgit2_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
