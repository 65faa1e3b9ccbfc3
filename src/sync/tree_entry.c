/*
 * A raw tree's entries, checked as git's fsck.c (fsck_tree) and
 * read-cache.c (verify_path) check them, with the spellings of .git that
 * path.c (is_ntfs_dotgit) and utf8.c (is_hfs_dotgit) refuse. git checks
 * the NTFS and HFS+ spellings on every system, since a tree pushed from
 * Linux is checked out on the others; libgit2 1.5.1 refuses the NTFS ones
 * in a checkout on Linux too (core.protectNTFS is on by default), so a
 * name that passes here is one the checkout writes.
 *
 * Chosen beyond fsck's defaults, each for what a deploy writes:
 * - mode 100664 (fsck --strict refuses it; its default lets it pass, for
 *   git's own early history): a group-writable file is not ours to make;
 * - .gitattributes, .gitignore and .mailmap as links (newer git's fsck
 *   reports them; its checkout reads them without following links):
 *   libgit2 reads the first two through the work tree, so a link would
 *   read a file of the machine, or a FIFO that never answers;
 * - a name over NAME_MAX bytes, which no Linux file system takes (fsck
 *   has no such limit), and a path too long once joined (tree_check.c).
 * A zero-padded mode ("040000"), a warning of fsck, is taken: it names
 * the same mode, and old repositories hold some.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tree_entry.h"
#include "utf8.h"

const char *
tree_problem_text(enum tree_problem p)
{
	switch (p) {
	case TREE_OK: return "no problem";
	case TREE_MALFORMED: return "malformed tree object";
	case TREE_NOT_A_TREE: return "a directory entry that names no tree";
	case TREE_BAD_MODE: return "contains bad file modes";
	case TREE_EMPTY_NAME: return "contains empty pathname";
	case TREE_NUL_IN_NAME: return "contains a NUL byte in a name";
	case TREE_SLASH_IN_NAME: return "contains full pathnames";
	case TREE_NAME_TOO_LONG: return "a name longer than NAME_MAX (255 bytes)";
	case TREE_PATH_TOO_LONG: return "a path longer than PATH_MAX once checked out";
	case TREE_DOT: return "contains '.'";
	case TREE_DOTDOT: return "contains '..'";
	case TREE_DOTGIT: return "contains '.git'";
	case TREE_GITMODULES_LINK: return ".gitmodules is a symbolic link";
	case TREE_GITATTRIBUTES_LINK: return ".gitattributes is a symbolic link";
	case TREE_GITIGNORE_LINK: return ".gitignore is a symbolic link";
	case TREE_MAILMAP_LINK: return ".mailmap is a symbolic link";
	case TREE_DUPLICATE: return "contains duplicate file entries";
	case TREE_UNSORTED: return "not properly sorted";
	case TREE_NO_MEMORY: return "out of memory";
	}
	return "unknown problem";
}

int
tree_entry_next(const unsigned char *buf, size_t len, size_t *off, struct tree_entry *e)
{
	const unsigned char *p = buf + *off, *end = buf + len, *nul;
	unsigned mode = 0;
	int digits = 0;

	if (p == end)
		return 0;
	/* Octal digits then one space; seven digits hold every mode. */
	for (; p < end && *p != ' '; p++, digits++) {
		if (*p < '0' || *p > '7' || digits == 7)
			return -1;
		mode = mode << 3 | (unsigned)(*p - '0');
	}
	if (digits == 0 || p == end)
		return -1;
	p++;
	if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
	    (size_t)(end - nul - 1) < TREE_OID_RAWSZ)
		return -1;
	e->mode = mode;
	e->name = (const char *)p;
	e->len = (size_t)(nul - p);
	e->oid = nul + 1;
	*off = (size_t)(nul + 1 + TREE_OID_RAWSZ - buf);
	return 1;
}

static int
lower_is(unsigned char c, char want)
{
	return (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) == (unsigned char)want;
}

/* name[0..len) starts, case aside, with the ASCII word w. */
static int
starts_icase(const char *name, size_t len, const char *w)
{
	size_t i, n = strlen(w);

	if (len < n)
		return 0;
	for (i = 0; i < n; i++)
		if (!lower_is((unsigned char)name[i], w[i]))
			return 0;
	return 1;
}

/* What NTFS drops at the end of a name: dots and spaces, up to the end
 * or an alternate data stream (":$INDEX_ALLOCATION"). */
static int
only_dots_spaces(const char *s, size_t len, size_t i, int backslash_ends)
{
	for (; i < len; i++) {
		if (s[i] == ':' || (backslash_ends && s[i] == '\\'))
			return 1;
		if (s[i] != '.' && s[i] != ' ')
			return 0;
	}
	return 1;
}

/* git's is_ntfs_dotgit: ".git" or its short name "git~1". */
static int
ntfs_dotgit(const char *s, size_t len)
{
	if (starts_icase(s, len, ".git"))
		return only_dots_spaces(s, len, 4, 1);
	if (starts_icase(s, len, "git~1"))
		return only_dots_spaces(s, len, 5, 1);
	return 0;
}

/*
 * git's is_ntfs_dot_generic: ".<word>", its 8.3 short name "<first six
 * letters>~1" to "~4", or the hashed one git knows ("gi7eba~N" for
 * .gitmodules), each with NTFS's trailing dots and spaces.
 */
static int
ntfs_dot_word(const char *s, size_t len, const char *word, const char *hashed)
{
	size_t i;
	int tilde = 0;

	if (len > 0 && s[0] == '.' && starts_icase(s + 1, len - 1, word))
		return only_dots_spaces(s, len, 1 + strlen(word), 0);
	if (len >= 8 && strncasecmp(s, word, 6) == 0 && s[6] == '~' &&
	    s[7] >= '1' && s[7] <= '4')
		return only_dots_spaces(s, len, 8, 0);
	for (i = 0; i < 8; i++) {
		if (i >= len)
			return 0;
		if (tilde) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
		} else if (s[i] == '~') {
			if (++i >= len || s[i] < '1' || s[i] > '9')
				return 0;
			tilde = 1;
		} else if (i >= 6 || (s[i] & 0x80) || !lower_is((unsigned char)s[i], hashed[i]))
			return 0;
	}
	return only_dots_spaces(s, len, 8, 0);
}

/* The length of a code point HFS+ ignores in a name (git's next_hfs_char):
 * zero-width joiners, direction marks, deprecated format characters, the
 * byte order mark; 0 for any other. */
static size_t
hfs_ignorable(const unsigned char *p, size_t n)
{
	if (n < 3)
		return 0;
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x8c && p[2] <= 0x8f) || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xaa && p[2] <= 0xaf)
		return 3;
	if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;
	return 0;
}

/*
 * git's is_hfs_dot_generic: "." and word, ASCII case aside, with any
 * ignorable code points between, and nothing after but more of them.
 * As in git, a malformed UTF-8 sequence after the word ends the name.
 */
static int
hfs_dot_word(const char *name, size_t len, const char *word)
{
	const unsigned char *p = (const unsigned char *)name, *end = p + len;
	char needle[16];
	const char *w;
	size_t k;

	snprintf(needle, sizeof(needle), ".%s", word);
	for (w = needle; *w != '\0'; w++) {
		while ((k = hfs_ignorable(p, (size_t)(end - p))) != 0)
			p += k;
		if (p == end || !lower_is(*p, *w))
			return 0;
		p++;
	}
	while ((k = hfs_ignorable(p, (size_t)(end - p))) != 0)
		p += k;
	return p == end || *p == '/' || utf8_len(p, (size_t)(end - p)) == 0;
}

/* The names git reads as its own files, in any spelling. */
static int
is_dot_word(const char *s, size_t len, const char *word, const char *hashed)
{
	return hfs_dot_word(s, len, word) || ntfs_dot_word(s, len, word, hashed);
}

static int
mode_ok(unsigned mode)
{
	switch (mode) {
	case TREE_MODE_DIR:
	case TREE_MODE_FILE:
	case TREE_MODE_EXEC:
	case TREE_MODE_LINK:
	case TREE_MODE_GITLINK:
		return 1;
	}
	return 0;
}

enum tree_problem
tree_name_check(const char *name, size_t len, unsigned mode)
{
	const char *bs;
	size_t rest;

	if (len == 0)
		return TREE_EMPTY_NAME;
	if (memchr(name, '\0', len) != NULL)
		return TREE_NUL_IN_NAME;
	if (memchr(name, '/', len) != NULL)
		return TREE_SLASH_IN_NAME;
	if (len > NAME_MAX)
		return TREE_NAME_TOO_LONG;
	if (len == 1 && name[0] == '.')
		return TREE_DOT;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return TREE_DOTDOT;
	if (hfs_dot_word(name, len, "git") || ntfs_dotgit(name, len))
		return TREE_DOTGIT;
	/* fsck also reads a backslash as Windows does: "x\.git". */
	for (bs = name; (bs = memchr(bs, '\\', len - (size_t)(bs - name))) != NULL; ) {
		bs++;
		rest = len - (size_t)(bs - name);
		if (ntfs_dotgit(bs, rest))
			return TREE_DOTGIT;
		if (mode == TREE_MODE_LINK && ntfs_dot_word(bs, rest, "gitmodules", "gi7eba"))
			return TREE_GITMODULES_LINK;
	}
	if (!mode_ok(mode))
		return TREE_BAD_MODE;
	if (mode != TREE_MODE_LINK)
		return TREE_OK;
	if (is_dot_word(name, len, "gitmodules", "gi7eba"))
		return TREE_GITMODULES_LINK;
	if (is_dot_word(name, len, "gitattributes", "gi7d29"))
		return TREE_GITATTRIBUTES_LINK;
	if (is_dot_word(name, len, "gitignore", "gi250a"))
		return TREE_GITIGNORE_LINK;
	if (is_dot_word(name, len, "mailmap", "maba30"))
		return TREE_MAILMAP_LINK;
	return TREE_OK;
}

/* git's base_name_compare: a directory sorts as if its name ended in '/'. */
static int
git_order(const struct tree_entry *a, const struct tree_entry *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	unsigned char ca, cb;
	int c;

	if ((c = memcmp(a->name, b->name, n)) != 0)
		return c;
	ca = n < a->len ? (unsigned char)a->name[n] : a->mode == TREE_MODE_DIR ? '/' : '\0';
	cb = n < b->len ? (unsigned char)b->name[n] : b->mode == TREE_MODE_DIR ? '/' : '\0';
	return ca - cb;
}

static int
by_bytes(const void *x, const void *y)
{
	const struct tree_entry *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if ((c = memcmp(a->name, b->name, n)) != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

enum tree_problem
tree_entries_check(const unsigned char *buf, size_t len, struct tree_entry *bad)
{
	struct tree_entry e, prev, *all = NULL;
	enum tree_problem p = TREE_OK;
	size_t off = 0, n = 0, i;
	int r, c;

	memset(bad, 0, sizeof(*bad));
	/* Each entry alone, and in git's order: an equal neighbour is a
	 * duplicate of the same kind. */
	while ((r = tree_entry_next(buf, len, &off, &e)) == 1) {
		if ((p = tree_name_check(e.name, e.len, e.mode)) != TREE_OK) {
			*bad = e;
			return p;
		}
		if (n > 0 && (c = git_order(&prev, &e)) >= 0) {
			*bad = e;
			return c == 0 ? TREE_DUPLICATE : TREE_UNSORTED;
		}
		prev = e;
		n++;
	}
	if (r == -1) {
		if (n > 0)
			*bad = prev;
		return TREE_MALFORMED;
	}
	/* A file and a directory of one name sort apart ("a", "a.c", "a/"):
	 * the names alone, sorted, put them side by side. */
	if (n < 2)
		return TREE_OK;
	if ((all = calloc(n, sizeof(*all))) == NULL)
		return TREE_NO_MEMORY;
	for (off = 0, i = 0; i < n && tree_entry_next(buf, len, &off, &all[i]) == 1; i++)
		;
	qsort(all, n, sizeof(*all), by_bytes);
	for (i = 1; i < n; i++)
		if (by_bytes(&all[i - 1], &all[i]) == 0) {
			*bad = all[i];
			p = TREE_DUPLICATE;
			break;
		}
	free(all);
	return p;
}
