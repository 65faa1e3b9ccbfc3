/*
 * fuzz-tree-check: tree_entries_check (src/sync/tree_entry.c), which the
 * helper runs on every raw tree object a push brings before it writes.
 *
 * Input: the bytes of a tree object ("<mode> <name>\0<20 bytes>"...), in
 * an exact-size heap copy so AddressSanitizer sees any read past its end.
 *
 * Checks: the verdict agrees with the plain reference below, written
 * another way round (names folded, then compared whole; every pair of
 * entries compared for duplicates), on refusal and on acceptance; bytes
 * called malformed are, and malformed bytes are refused (for an entry
 * refused before them, or as malformed); a refused entry lies inside the input and is refused
 * alone by tree_name_check with the same reason when the reason is its
 * name's; an accepted tree's entries each pass tree_name_check.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tree_entry.h"

#define REF_MAX_ENTRIES	512

struct ref_entry {
	unsigned	 mode;
	const char	*name;
	size_t		 len;
};

/* Parse the whole input: the entry count, or -1 when malformed. */
static int
ref_parse(const unsigned char *p, size_t n, struct ref_entry *e, int max)
{
	size_t i = 0, start;
	int count = 0, digits;

	while (i < n) {
		if (count == max)
			return -2;
		e[count].mode = 0;
		for (digits = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++, digits++)
			e[count].mode = e[count].mode * 8 + (unsigned)(p[i] - '0');
		if (digits == 0 || digits > 7 || i >= n || p[i] != ' ')
			return -1;
		start = ++i;
		while (i < n && p[i] != '\0')
			i++;
		if (i >= n || n - i - 1 < 20)
			return -1;
		e[count].name = (const char *)p + start;
		e[count].len = i - start;
		i += 1 + 20;
		count++;
	}
	return count;
}

static int
ignorable(uint32_t c)
{
	return (c >= 0x200c && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x206a && c <= 0x206f) || c == 0xfeff;
}

/* One UTF-8 code point at s, or -1 when malformed (RFC 3629). */
static int
decode(const unsigned char *s, size_t n, uint32_t *c)
{
	int len, i;

	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] < 0xe0)
		len = 2, *c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		len = 3, *c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		len = 4, *c = s[0] & 0x07;
	else
		return -1;
	if ((size_t)len > n)
		return -1;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		*c = *c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && *c < 0x800) || (len == 4 && *c < 0x10000) || *c > 0x10ffff ||
	    (*c >= 0xd800 && *c < 0xe000))
		return -1;
	return len;
}

/* HFS+: the name without ignorable code points, ASCII in lower case, cut
 * at the first malformed sequence; then compared whole. */
static int
ref_hfs(const char *name, size_t len, const char *word)
{
	char folded[300], want[32];
	size_t i = 0, o = 0;
	uint32_t c;
	int k;

	while (i < len && o < sizeof(folded) - 5) {
		if ((k = decode((const unsigned char *)name + i, len - i, &c)) < 0)
			break;
		if (!ignorable(c)) {
			memcpy(folded + o, name + i, (size_t)k);
			if (k == 1)
				folded[o] = (char)tolower((unsigned char)folded[o]);
			o += (size_t)k;
		}
		i += (size_t)k;
	}
	folded[o] = '\0';
	want[0] = '.';
	strcpy(want + 1, word);
	return strcmp(folded, want) == 0;
}

/* NTFS: the name up to a stream (':', and for .git a backslash), in
 * lower case, less trailing dots and spaces; then compared whole. */
static void
ntfs_fold(const char *name, size_t len, int backslash, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o < size - 1; i++) {
		if (name[i] == ':' || (backslash && name[i] == '\\'))
			break;
		out[o++] = (char)tolower((unsigned char)name[i]);
	}
	while (o > 0 && (out[o - 1] == '.' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
}

static int
ref_ntfs_dotgit(const char *name, size_t len)
{
	char f[300];

	ntfs_fold(name, len, 1, f, sizeof(f));
	return strcmp(f, ".git") == 0 || strcmp(f, "git~1") == 0;
}

static int
ref_ntfs_word(const char *name, size_t len, const char *word, const char *hashed)
{
	char f[300], s[16];
	int k, d;

	ntfs_fold(name, len, 0, f, sizeof(f));
	if (f[0] == '.' && strcmp(f + 1, word) == 0)
		return 1;
	for (d = '1'; d <= '4'; d++) {
		snprintf(s, sizeof(s), "%.6s~%c", word, d);
		if (strcmp(f, s) == 0)
			return 1;
	}
	/* k letters of the hashed prefix, '~', a digit 1-9, digits to 8. */
	if (strlen(f) != 8)
		return 0;
	for (k = 0; k <= 6; k++) {
		if (strncmp(f, hashed, (size_t)k) != 0 || f[k] != '~' || k + 1 >= 8 ||
		    f[k + 1] < '1' || f[k + 1] > '9')
			continue;
		for (d = k + 2; d < 8 && isdigit((unsigned char)f[d]); d++)
			;
		if (d == 8)
			return 1;
	}
	return 0;
}

static int
ref_word(const char *name, size_t len, const char *word, const char *hashed)
{
	return ref_hfs(name, len, word) || ref_ntfs_word(name, len, word, hashed);
}

/* 1 when git (and the choices of tree_entry.c) refuse the entry. */
static int
ref_refuses(const struct ref_entry *e)
{
	const char *bs;
	size_t i;

	if (e->len == 0 || e->len > 255 || memchr(e->name, '/', e->len))
		return 1;
	if ((e->len == 1 && e->name[0] == '.') || (e->len == 2 && !memcmp(e->name, "..", 2)))
		return 1;
	if (ref_hfs(e->name, e->len, "git") || ref_ntfs_dotgit(e->name, e->len))
		return 1;
	for (i = 0; i < e->len; i++) {
		if (e->name[i] != '\\')
			continue;
		bs = e->name + i + 1;
		if (ref_ntfs_dotgit(bs, e->len - i - 1))
			return 1;
		if (e->mode == 0120000 &&
		    ref_ntfs_word(bs, e->len - i - 1, "gitmodules", "gi7eba"))
			return 1;
	}
	if (e->mode != 040000 && e->mode != 0100644 && e->mode != 0100755 &&
	    e->mode != 0120000 && e->mode != 0160000)
		return 1;
	return e->mode == 0120000 && (ref_word(e->name, e->len, "gitmodules", "gi7eba") ||
	    ref_word(e->name, e->len, "gitattributes", "gi7d29") ||
	    ref_word(e->name, e->len, "gitignore", "gi250a") ||
	    ref_word(e->name, e->len, "mailmap", "maba30"));
}

/* Names as git sorts them: a directory's with a '/' after it. */
static int
ref_before(const struct ref_entry *a, const struct ref_entry *b)
{
	char ka[300], kb[300];

	snprintf(ka, sizeof(ka), "%.*s%s", (int)a->len, a->name, a->mode == 040000 ? "/" : "");
	snprintf(kb, sizeof(kb), "%.*s%s", (int)b->len, b->name, b->mode == 040000 ? "/" : "");
	return strcmp(ka, kb) < 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref_entry e[REF_MAX_ENTRIES];
	struct tree_entry bad;
	enum tree_problem p;
	unsigned char *buf;
	int n, i, j, ref_ok = 1;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	p = tree_entries_check(buf, size, &bad);
	n = ref_parse(buf, size, e, REF_MAX_ENTRIES);
	if (n == -2 || p == TREE_NO_MEMORY)
		goto out;
	/* Entries are checked as they are read: an entry refused before
	 * malformed bytes is the reason given. */
	FUZZ_CHECK(p != TREE_MALFORMED || n == -1, "malformed, but the reference reads %d "
	    "entries", n);
	if (n == -1) {
		FUZZ_CHECK(p != TREE_OK, "malformed bytes accepted");
		goto out;
	}
	for (i = 0; i < n && ref_ok; i++) {
		if (ref_refuses(&e[i]))
			ref_ok = 0;
		/* Names are at most 255 bytes here: the longer are refused. */
		else if (i > 0 && !ref_before(&e[i - 1], &e[i]))
			ref_ok = 0;
		for (j = 0; j < i && ref_ok; j++)
			if (e[j].len == e[i].len && memcmp(e[j].name, e[i].name, e[i].len) == 0)
				ref_ok = 0;
	}
	FUZZ_CHECK(ref_ok == (p == TREE_OK), "reference %s, got %s",
	    ref_ok ? "accepts" : "refuses", tree_problem_text(p));
	if (p != TREE_OK) {
		FUZZ_CHECK(bad.name >= (const char *)buf &&
		    bad.name + bad.len <= (const char *)buf + size, "bad entry outside the input");
		if (p != TREE_DUPLICATE && p != TREE_UNSORTED)
			FUZZ_CHECK(tree_name_check(bad.name, bad.len, bad.mode) == p,
			    "the refused entry alone: %s",
			    tree_problem_text(tree_name_check(bad.name, bad.len, bad.mode)));
	} else
		for (i = 0; i < n; i++)
			FUZZ_CHECK(tree_name_check(e[i].name, e[i].len, e[i].mode) == TREE_OK,
			    "entry %d refused alone", i);
out:
	free(buf);
	return 0;
}
