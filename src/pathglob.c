/*
 * A glob is run as a small NFA over its own byte offsets: each state is
 * where the rest of the glob starts, so a match costs at most glob length
 * times path length steps, however many stars there are (a backtracking
 * matcher is exponential on globs like *a*a*a*a*b).
 */
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "pathglob.h"

/* A glob is one word of a config line. */
#define PATHGLOB_MAX	LIMIT_CONFIG_LINE

enum token_type { TOKEN_BYTE, TOKEN_ANY, TOKEN_SET, TOKEN_STAR, TOKEN_STARSTAR };

struct token {
	enum token_type	type;
	size_t		len;	/* bytes of the glob it takes */
	unsigned char	byte;	/* TOKEN_BYTE */
};

/* The set opening at g[p] == '[': its length up to and with its ']'; 0
 * when no ']' closes it. A ']' first in the set is a member. */
static size_t
set_len(const char *g, size_t len, size_t p)
{
	size_t i = p + 1;

	if (i < len && (g[i] == '!' || g[i] == '^'))
		i++;
	if (i < len && g[i] == ']')
		i++;
	for (; i < len; i++) {
		if (g[i] == '\\' && i + 1 < len)
			i++;
		else if (g[i] == ']')
			return i + 1 - p;
	}
	return 0;
}

static struct token
token_at(const char *g, size_t len, size_t p)
{
	struct token t = { TOKEN_BYTE, 1, (unsigned char)g[p] };
	size_t n;

	switch (g[p]) {
	case '\\':
		if (p + 1 < len) {
			t.len = 2;
			t.byte = (unsigned char)g[p + 1];
		}
		break;
	case '?':
		t.type = TOKEN_ANY;
		break;
	case '*':
		t.type = TOKEN_STAR;
		if (p + 1 < len && g[p + 1] == '*') {
			t.type = TOKEN_STARSTAR;
			t.len = 2;
		}
		break;
	case '[':
		if ((n = set_len(g, len, p)) != 0) {
			t.type = TOKEN_SET;
			t.len = n;
		}
		break;
	}
	return t;
}

/* Is c in the set g[p..p+n), brackets included? */
static int
set_has(const char *g, size_t p, size_t n, unsigned char c)
{
	size_t i = p + 1, end = p + n - 1;
	unsigned char lo, hi;
	int negate = 0, in = 0;

	if (g[i] == '!' || g[i] == '^') {
		negate = 1;
		i++;
	}
	while (i < end) {
		if (g[i] == '\\' && i + 1 < end)
			i++;
		lo = hi = (unsigned char)g[i++];
		/* a-z; a '-' last in the set is itself */
		if (i + 1 < end && g[i] == '-') {
			i++;
			if (g[i] == '\\' && i + 1 < end)
				i++;
			hi = (unsigned char)g[i++];
		}
		if (c >= lo && c <= hi)
			in = 1;
	}
	return in != negate;
}

/*
 * A state is ENTERED when the glob reached it by a step or by nothing,
 * STAYED when a star there took one more byte; "**" "/" may stand for no
 * directory only where it was entered, not halfway through a name.
 */
#define ENTERED	1
#define STAYED	2

/* Add the states reachable without reading: past a star that matches
 * nothing, and past "**" "/" standing for no directory. */
static void
close_states(const char *g, size_t len, unsigned char *on)
{
	struct token t;
	size_t p;

	for (p = 0; p < len; p++) {
		if (!on[p])
			continue;
		t = token_at(g, len, p);
		if (t.type == TOKEN_STAR || t.type == TOKEN_STARSTAR)
			on[p + t.len] |= ENTERED;
		if (t.type == TOKEN_STARSTAR && (on[p] & ENTERED) &&
		    (p == 0 || g[p - 1] == '/') && p + 2 < len && g[p + 2] == '/')
			on[p + 3] |= ENTERED;
	}
}

int
pathglob_match(const char *g, size_t len, const char *path)
{
	unsigned char a[PATHGLOB_MAX + 1], b[PATHGLOB_MAX + 1];
	unsigned char *on = a, *next = b, *swap, c;
	struct token t;
	size_t p;

	if (len > PATHGLOB_MAX)
		return 0;
	memset(on, 0, len + 1);
	on[0] = ENTERED;
	close_states(g, len, on);
	for (; *path != '\0'; path++) {
		c = (unsigned char)*path;
		memset(next, 0, len + 1);
		for (p = 0; p < len; p++) {
			if (!on[p])
				continue;
			t = token_at(g, len, p);
			switch (t.type) {
			case TOKEN_STAR:
				if (c != '/')
					next[p] |= STAYED;
				break;
			case TOKEN_STARSTAR:
				next[p] |= STAYED;
				break;
			case TOKEN_ANY:
				if (c != '/')
					next[p + t.len] |= ENTERED;
				break;
			case TOKEN_SET:
				if (c != '/' && set_has(g, p, t.len, c))
					next[p + t.len] |= ENTERED;
				break;
			case TOKEN_BYTE:
				if (c == t.byte)
					next[p + t.len] |= ENTERED;
				break;
			}
		}
		/* No state left: no later byte can bring one back. */
		for (p = 0; p <= len && !next[p]; p++)
			;
		if (p > len)
			return 0;
		close_states(g, len, next);
		swap = on;
		on = next;
		next = swap;
	}
	return on[len];
}

/* The glob of the list at *pos: 1 with its start and length, 0 at the end. */
static int
next_glob(const char *list, size_t *pos, const char **glob, size_t *len)
{
	size_t i = *pos;

	while (list[i] == ' ' || list[i] == '\t')
		i++;
	if (list[i] == '\0') {
		*pos = i;
		return 0;
	}
	*glob = list + i;
	while (list[i] != '\0' && list[i] != ' ' && list[i] != '\t') {
		if (list[i] == '\\' && list[i + 1] != '\0')
			i++;
		i++;
	}
	*len = (size_t)(list + i - *glob);
	*pos = i;
	return 1;
}

int
pathglob_list_match(const char *list, const char *path)
{
	const char *g;
	size_t pos = 0, len;

	while (next_glob(list, &pos, &g, &len))
		if (pathglob_match(g, len, path))
			return 1;
	return 0;
}

/* Does the set open with [:name:], which fnmatch(3) knows and we do not? */
static int
class_name(const char *set, size_t n)
{
	size_t i = set[1] == '!' || set[1] == '^' ? 2 : 1;

	return i + 1 < n && set[i] == '[' && set[i + 1] == ':';
}

/* Why the glob can match no path, or not the way it reads; NULL if fine. */
static const char *
glob_problem(const char *g, size_t len)
{
	struct token t;
	size_t p;

	if (len > PATHGLOB_MAX)
		return "is too long";
	if (g[0] == '/')
		return "starts with /: globs are relative to the repository root";
	if (g[len - 1] == '/')
		return "ends in /: it would match no file; dir/** matches the files below dir";
	for (p = 0; p < len; p += t.len) {
		t = token_at(g, len, p);
		if (g[p] == '\\' && t.len == 1)
			return "ends in a backslash";
		if (g[p] == '[' && t.type != TOKEN_SET)
			return "has a [ that no ] closes";
		if (t.type == TOKEN_SET && class_name(g + p, t.len))
			return "uses a class name such as [:alpha:], which is not supported";
	}
	return NULL;
}

int
pathglob_check_list(const char *list, char *err, size_t errlen)
{
	const char *g, *why;
	size_t pos = 0, len;

	while (next_glob(list, &pos, &g, &len))
		if ((why = glob_problem(g, len)) != NULL) {
			snprintf(err, errlen, "glob %.*s %s", (int)(len > 200 ? 200 : len), g, why);
			return -1;
		}
	return 0;
}
