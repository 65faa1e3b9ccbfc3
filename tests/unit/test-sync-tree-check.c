/*
 * tree_entry.c and tree_check.c: each name class git's fsck refuses (and
 * libgit2's tests/checkout/nasty.c writes), the good twins git takes, each
 * judged the same by the git fsck --strict of this machine, raw
 * trees that git's porcelain never writes (duplicates, order, modes,
 * malformed bytes) written with git_odb_write into a temporary
 * repository, and the walk: a refusal names the commit and the path, an
 * unchanged subtree is skipped, a moved one is not, a path too long once
 * joined is refused, and a tree naming one subtree twice, forty deep,
 * is checked in time.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "tap.h"
#include "tree_check.h"
#include "tree_entry.h"

static git_repository *repo;
static git_odb *odb;

struct raw {
	unsigned char	buf[65536];
	size_t		len;
};

static void
add(struct raw *t, const char *mode, const char *name, size_t len, const git_oid *id)
{
	size_t m = strlen(mode);

	memcpy(t->buf + t->len, mode, m);
	t->buf[t->len + m] = ' ';
	memcpy(t->buf + t->len + m + 1, name, len);
	t->buf[t->len + m + 1 + len] = '\0';
	memcpy(t->buf + t->len + m + 2 + len, id->id, GIT_OID_RAWSZ);
	t->len += m + 2 + len + GIT_OID_RAWSZ;
}

#define ADD(t, mode, name, id)	add((t), (mode), (name), strlen(name), (id))

static git_oid blob, empty_tree;

static git_oid
write_tree(const struct raw *t)
{
	git_oid id;

	if (git_odb_write(&id, odb, t->buf, t->len, GIT_OBJECT_TREE) < 0) {
		fprintf(stderr, "odb write: %s\n", git_error_last()->message);
		exit(1);
	}
	return id;
}

static git_oid
commit_of(const git_oid *tree)
{
	char text[256];
	git_oid id;
	int n;

	n = snprintf(text, sizeof(text), "tree %s\nauthor T <t@example.org> 0 +0000\n"
	    "committer T <t@example.org> 0 +0000\n\ntest\n", git_oid_tostr_s(tree));
	if (git_odb_write(&id, odb, text, (size_t)n, GIT_OBJECT_COMMIT) < 0)
		exit(1);
	return id;
}

/* What an entry of that mode names: a tree for a directory. */
static const git_oid *
target(const char *mode)
{
	return strtoul(mode, NULL, 8) == TREE_MODE_DIR ? &empty_tree : &blob;
}

/* A tree of one entry, checked alone. */
static enum tree_problem
one(const char *mode, const char *name, size_t len)
{
	struct tree_entry bad;
	struct raw t = { .len = 0 };

	add(&t, mode, name, len, target(mode));
	return tree_entries_check(t.buf, t.len, &bad);
}

static const struct {
	const char	*name;
	const char	*mode;
	enum tree_problem want;
} names[] = {
	/* libgit2 1.5.1 tests/checkout/nasty.c, and git's t1450/t7415 */
	{ ".git", "40000", TREE_DOTGIT },
	{ ".GIT", "40000", TREE_DOTGIT },
	{ ".Git", "40000", TREE_DOTGIT },
	{ ".git", "100644", TREE_DOTGIT },
	{ "git~1", "40000", TREE_DOTGIT },
	{ "GIT~1", "40000", TREE_DOTGIT },
	{ ".git.", "40000", TREE_DOTGIT },
	{ ".git ", "40000", TREE_DOTGIT },
	{ ".git. . .", "40000", TREE_DOTGIT },
	{ "git~1.", "40000", TREE_DOTGIT },
	{ ".git::$INDEX_ALLOCATION", "40000", TREE_DOTGIT },
	{ "git~1::$INDEX_ALLOCATION", "40000", TREE_DOTGIT },
	{ ".git\\foobar", "100644", TREE_DOTGIT },
	{ ".\\.GIT\\foobar", "100644", TREE_DOTGIT },
	{ "x\\git~1", "100644", TREE_DOTGIT },
	{ ".git\xe2\x80\x8c", "40000", TREE_DOTGIT },
	{ ".g\xe2\x80\x8cit", "40000", TREE_DOTGIT },
	{ ".gi\xe2\x80\x8dT", "40000", TREE_DOTGIT },
	{ "\xef\xbb\xbf.git", "40000", TREE_DOTGIT },
	{ ".\xe2\x81\xaf" "git\xe2\x80\xae", "40000", TREE_DOTGIT },
	{ ".git\xff", "40000", TREE_DOTGIT },	/* git ends the name at bad UTF-8 */
	{ ".", "40000", TREE_DOT },
	{ "..", "40000", TREE_DOTDOT },
	{ "..", "100644", TREE_DOTDOT },
	{ "a/b", "100644", TREE_SLASH_IN_NAME },
	{ "/", "40000", TREE_SLASH_IN_NAME },
	{ ".gitmodules", "120000", TREE_GITMODULES_LINK },
	{ ".GITMODULES", "120000", TREE_GITMODULES_LINK },
	{ "gitmod~1", "120000", TREE_GITMODULES_LINK },
	{ "GITMOD~4", "120000", TREE_GITMODULES_LINK },
	{ "gi7eba~9", "120000", TREE_GITMODULES_LINK },
	{ ".gitmodules ..", "120000", TREE_GITMODULES_LINK },
	{ ".gitmodules:x", "120000", TREE_GITMODULES_LINK },
	{ ".gitmodules\xe2\x80\x8c", "120000", TREE_GITMODULES_LINK },
	{ "x\\.gitmodules", "120000", TREE_GITMODULES_LINK },
	{ ".gitattributes", "120000", TREE_GITATTRIBUTES_LINK },
	{ "gi7d29~1", "120000", TREE_GITATTRIBUTES_LINK },
	{ ".gitignore", "120000", TREE_GITIGNORE_LINK },
	{ "gitign~2", "120000", TREE_GITIGNORE_LINK },
	{ ".mailmap", "120000", TREE_MAILMAP_LINK },
	{ ".Mailmap.", "120000", TREE_MAILMAP_LINK },
	{ "file", "100664", TREE_BAD_MODE },
	{ "file", "100600", TREE_BAD_MODE },
	{ "file", "100000", TREE_BAD_MODE },
	{ "file", "0", TREE_BAD_MODE },
	{ "file", "140000", TREE_BAD_MODE },
	{ "file", "60000", TREE_BAD_MODE },
	/* The twins git takes */
	{ ".github", "40000", TREE_OK },
	{ ".gitfoo", "40000", TREE_OK },
	{ ".git2", "40000", TREE_OK },
	{ ".gi", "40000", TREE_OK },
	{ "a.git", "40000", TREE_OK },
	{ "git~2", "40000", TREE_OK },
	{ "git~10", "40000", TREE_OK },
	{ "...", "40000", TREE_OK },
	{ ".git.x", "40000", TREE_OK },
	{ ".git\xc3\xa9", "40000", TREE_OK },	/* a letter after .git: another name */
	{ ".gitmodules", "100644", TREE_OK },
	{ "gitmod~1", "100644", TREE_OK },
	{ "gitmod~5", "120000", TREE_OK },
	{ ".gitignore", "100644", TREE_OK },
	{ ".gitattributes", "100755", TREE_OK },
	{ ".mailmap", "100644", TREE_OK },
	{ ".gitmodulesx", "120000", TREE_OK },
	{ "x\\y", "100644", TREE_OK },
	{ "\x1b[31m", "100644", TREE_OK },	/* git takes it; the log escapes it */
	{ "link", "120000", TREE_OK },
	{ "sub", "160000", TREE_OK },
	{ "zero-padded", "040000", TREE_OK },	/* fsck warns; the same mode */
};

static void
name_classes(void)
{
	enum tree_problem p;
	char name[300], shown[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = one(names[i].mode, names[i].name, strlen(names[i].name));
		tree_path_escape(names[i].name, shown, sizeof(shown));
		tap_ok(p == names[i].want, "%s %s: %s (want %s)", names[i].mode,
		    shown, tree_problem_text(p), tree_problem_text(names[i].want));
	}
	memset(name, 'n', sizeof(name));
	tap_ok(one("100644", name, 255) == TREE_OK, "a 255-byte name is taken");
	tap_ok(one("100644", name, 256) == TREE_NAME_TOO_LONG, "a 256-byte name is refused");
	tap_ok(one("100644", "", 0) == TREE_EMPTY_NAME, "an empty name is refused");
	tap_ok(tree_name_check("a\0b", 3, TREE_MODE_FILE) == TREE_NUL_IN_NAME,
	    "a NUL in a listed name is refused");
}

/*
 * The same verdicts from the git on this machine: every name class, and
 * trees of duplicates and disorder, written together and judged by one
 * git fsck --strict. Where this file chose otherwise it says so: a name
 * over NAME_MAX (fsck has no limit), a zero-padded mode (fsck warns; the
 * mode is the same).
 */
static void
fsck_agrees(const char *dir)
{
	static const struct {
		const char *mode1, *name1, *mode2, *name2;
		enum tree_problem want;
	} pairs[] = {
		{ "100644", "h", "100644", "h", TREE_DUPLICATE },
		{ "120000", "h", "40000", "h", TREE_DUPLICATE },
		{ "100644", "b", "100644", "a", TREE_UNSORTED },
		{ "40000", "a", "100644", "a.c", TREE_UNSORTED },
		{ "100644", "a.c", "40000", "a", TREE_OK },
	};
	enum { NNAMES = sizeof(names) / sizeof(names[0]), NPAIRS = sizeof(pairs) / sizeof(pairs[0]) };
	git_oid ids[NNAMES + NPAIRS];
	char cmd[256], line[1024], shown[128], *out = NULL;
	size_t i, len = 0, cap = 0, k;
	int said, refused;
	struct raw t;
	FILE *f;

	for (i = 0; i < NNAMES; i++) {
		t.len = 0;
		ADD(&t, names[i].mode, names[i].name,
		    target(names[i].mode));
		ids[i] = write_tree(&t);
	}
	for (i = 0; i < NPAIRS; i++) {
		t.len = 0;
		ADD(&t, pairs[i].mode1, pairs[i].name1,
		    target(pairs[i].mode1));
		ADD(&t, pairs[i].mode2, pairs[i].name2,
		    target(pairs[i].mode2));
		ids[NNAMES + i] = write_tree(&t);
	}
	snprintf(cmd, sizeof(cmd), "git --git-dir=%s fsck --strict --no-dangling 2>&1", dir);
	if ((f = popen(cmd, "r")) == NULL) {
		tap_ok(0, "git fsck runs");
		return;
	}
	/* Its messages, less the warnings this file chose to take. */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "zero-padded") != NULL)
			continue;
		k = strlen(line);
		if (len + k + 1 > cap && (out = realloc(out, cap = 2 * (len + k + 1))) == NULL)
			exit(1);
		memcpy(out + len, line, k + 1);
		len += k;
	}
	if (pclose(f) == -1 || len == 0) {
		tap_ok(0, "git fsck reports something");
		free(out);
		return;
	}
	for (i = 0; i < NNAMES + NPAIRS; i++) {
		said = strstr(out, git_oid_tostr_s(&ids[i])) != NULL;
		if (i < NNAMES) {
			refused = names[i].want != TREE_OK;
			tree_path_escape(names[i].name, shown, sizeof(shown));
		} else {
			refused = pairs[i - NNAMES].want != TREE_OK;
			snprintf(shown, sizeof(shown), "%s %s, %s %s", pairs[i - NNAMES].mode1,
			    pairs[i - NNAMES].name1, pairs[i - NNAMES].mode2,
			    pairs[i - NNAMES].name2);
		}
		tap_ok(said == refused, "git fsck --strict %s %s as this check does",
		    i < NNAMES ? names[i].mode : "tree", shown);
	}
	free(out);
}

static void
raw_trees(void)
{
	struct tree_entry bad;
	struct raw t;
	enum tree_problem p;

#define CHECK(want, what) do {							\
	p = tree_entries_check(t.buf, t.len, &bad);				\
	tap_ok(p == (want), "%s: %s", (what), tree_problem_text(p));		\
} while (0)
	t.len = 0;
	CHECK(TREE_OK, "the empty tree");
	t.len = 0; ADD(&t, "100644", "a", &blob); ADD(&t, "100644", "a", &blob);
	CHECK(TREE_DUPLICATE, "two files a");
	tap_ok(bad.len == 1 && bad.name[0] == 'a', "the duplicate is named");
	t.len = 0; ADD(&t, "40000", "a", &empty_tree); ADD(&t, "40000", "a", &empty_tree);
	CHECK(TREE_DUPLICATE, "two directories a");
	t.len = 0; ADD(&t, "100644", "h", &blob); ADD(&t, "40000", "h", &empty_tree);
	CHECK(TREE_DUPLICATE, "a file h and a directory h, side by side");
	t.len = 0; ADD(&t, "120000", "h", &blob); ADD(&t, "40000", "h", &empty_tree);
	CHECK(TREE_DUPLICATE, "a link h and a directory h");
	t.len = 0; ADD(&t, "100644", "a", &blob); ADD(&t, "100644", "a-b", &blob);
	ADD(&t, "100644", "a.c", &blob); ADD(&t, "40000", "a", &empty_tree);
	CHECK(TREE_DUPLICATE, "a file a and a directory a, with a-b and a.c between");
	t.len = 0; ADD(&t, "100644", "b", &blob); ADD(&t, "100644", "a", &blob);
	CHECK(TREE_UNSORTED, "b before a");
	t.len = 0; ADD(&t, "40000", "a", &empty_tree); ADD(&t, "100644", "a.c", &blob);
	CHECK(TREE_UNSORTED, "directory a before a.c (a/ sorts after a.c)");
	t.len = 0; ADD(&t, "100644", "a.c", &blob); ADD(&t, "40000", "a", &empty_tree);
	ADD(&t, "100644", "b", &blob);
	CHECK(TREE_OK, "a.c, a/, b in git's order");
	t.len = 0; ADD(&t, "100644", "a", &blob); t.len--;
	CHECK(TREE_MALFORMED, "an object name cut short");
	t.len = 0; memcpy(t.buf, "100644 a", 8); t.len = 8;
	CHECK(TREE_MALFORMED, "a name without its NUL");
	t.len = 0; ADD(&t, "100648", "a", &blob);
	CHECK(TREE_MALFORMED, "an 8 in a mode");
	t.len = 0; ADD(&t, "", "a", &blob);
	CHECK(TREE_MALFORMED, "no mode");
	t.len = 0; ADD(&t, "00000100644", "a", &blob);
	CHECK(TREE_MALFORMED, "a mode of eleven digits");
	t.len = 0; memcpy(t.buf, "100644", 6); t.len = 6;
	CHECK(TREE_MALFORMED, "a mode without a space");
#undef CHECK
}

/* A commit whose root holds dir/<sub> for each sub, plus a file. */
static git_oid
nest(const char *dir, const git_oid *sub)
{
	struct raw t = { .len = 0 };

	ADD(&t, "40000", dir, sub);
	return write_tree(&t);
}

static void
walks(void)
{
	struct tree_refusal r;
	struct raw t;
	git_oid bad, good, root, c_old, c_new, c_moved, id;
	char path[PATH_MAX], esc[64];
	clock_t start;
	int i, rc;

	t.len = 0; ADD(&t, "100644", "ok", &blob); ADD(&t, "40000", ".GIT", &empty_tree);
	bad = write_tree(&t);
	t.len = 0; ADD(&t, "100644", "ok", &blob);
	good = write_tree(&t);

	/* deep/er/.GIT: named with its whole path and the commit. */
	id = nest("er", &bad);
	root = nest("deep", &id);
	c_new = commit_of(&root);
	rc = tree_check(repo, NULL, &c_new, 10, &r);
	tap_ok(rc == 1 && r.why == TREE_DOTGIT && strcmp(r.path, "deep/er/.GIT") == 0 &&
	    strcmp(r.commit, git_oid_tostr_s(&c_new)) == 0,
	    "a nested .GIT is refused as deep/er/.GIT of its commit (%d, %s)", rc, r.path);

	/* The old tip holds the bad subtree at x: a push that changes only y
	 * writes nothing in x; the same subtree moved to z is written. */
	t.len = 0; ADD(&t, "40000", "x", &bad); ADD(&t, "40000", "y", &good);
	root = write_tree(&t);
	c_old = commit_of(&root);
	t.len = 0; ADD(&t, "40000", "x", &bad); ADD(&t, "40000", "y", &empty_tree);
	root = write_tree(&t);
	c_new = commit_of(&root);
	rc = tree_check(repo, &c_old, &c_new, 10, &r);
	tap_ok(rc == 0, "a subtree the old tip has at the same path is not walked (%d)", rc);
	rc = tree_check(repo, NULL, &c_new, 10, &r);
	tap_ok(rc == 1 && strcmp(r.path, "x/.GIT") == 0,
	    "from nothing, the same commit is refused at x/.GIT (%d, %s)", rc, r.path);
	t.len = 0; ADD(&t, "40000", "y", &good); ADD(&t, "40000", "z", &bad);
	root = write_tree(&t);
	c_moved = commit_of(&root);
	rc = tree_check(repo, &c_old, &c_moved, 10, &r);
	tap_ok(rc == 1 && strcmp(r.path, "z/.GIT") == 0,
	    "the subtree moved to z is refused (%d, %s)", rc, r.path);
	rc = tree_check(repo, &c_old, &c_old, 10, &r);
	tap_ok(rc == 0, "no move, nothing written, nothing refused");

	/* A root tree entry naming a blob. */
	root = nest("d", &blob);
	c_new = commit_of(&root);
	rc = tree_check(repo, NULL, &c_new, 10, &r);
	tap_ok(rc == 1 && r.why == TREE_NOT_A_TREE && strcmp(r.path, "d") == 0,
	    "a directory entry naming a blob is refused (%d)", rc);

	/* 200 levels of a 10-byte name: 2199 bytes; PATH_MAX counts from
	 * where the checkout writes. */
	id = good;
	for (i = 0; i < 200; i++)
		id = nest("0123456789", &id);
	c_new = commit_of(&id);
	rc = tree_check(repo, NULL, &c_new, 100, &r);
	tap_ok(rc == 0, "a 2199-byte path under a 100-byte directory is taken (%d)", rc);
	rc = tree_check(repo, NULL, &c_new, PATH_MAX - 2200, &r);
	tap_ok(rc == 1 && r.why == TREE_PATH_TOO_LONG,
	    "the same under a %d-byte directory is refused (%d)", PATH_MAX - 2200, rc);

	/* Each level names the one below twice: 2^40 paths, 40 objects. */
	id = good;
	for (i = 0; i < 40; i++) {
		t.len = 0; ADD(&t, "40000", "a", &id); ADD(&t, "40000", "b", &id);
		id = write_tree(&t);
	}
	c_new = commit_of(&id);
	start = clock();
	rc = tree_check(repo, NULL, &c_new, 10, &r);
	tap_ok(rc == 0 && clock() - start < CLOCKS_PER_SEC,
	    "a tree naming one subtree twice, 40 deep, in %ld ms (%d)",
	    (long)((clock() - start) * 1000 / CLOCKS_PER_SEC), rc);

	/* What a log line shows of a path. */
	snprintf(path, sizeof(path), "a\x1b[31m\\\xc2\x9b" "b");
	tree_path_escape(path, esc, sizeof(esc));
	tap_ok(strcmp(esc, "a\\x1b[31m\\x5c\\xc2\\x9bb") == 0, "escaped: %s", esc);
	memset(path, 'x', 200);
	path[200] = '\0';
	tree_path_escape(path, esc, sizeof(esc));
	tap_ok(strlen(esc) < sizeof(esc) && strcmp(esc + strlen(esc) - 3, "...") == 0,
	    "a long path is cut with ...");
}

int
main(void)
{
	char dir[] = "/tmp/test-sync-tree-check.XXXXXX";
	struct raw t = { .len = 0 };
	char cmd[64];

	git_libgit2_init();
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 1) < 0 ||
	    git_repository_odb(&odb, repo) < 0) {
		perror("repository");
		return 1;
	}
	if (git_odb_write(&blob, odb, "x\n", 2, GIT_OBJECT_BLOB) < 0)
		return 1;
	empty_tree = write_tree(&t);
	name_classes();
	fsck_agrees(dir);
	raw_trees();
	walks();
	git_odb_free(odb);
	git_repository_free(repo);
	git_libgit2_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
