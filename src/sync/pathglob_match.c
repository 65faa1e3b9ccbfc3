/*
 * A glob is run as a small NFA over its own byte offsets: each state is
 * where the rest of the glob starts, so a match costs at most glob length
 * times path length steps, however many stars there are (a backtracking
 * matcher is exponential on globs like *a*a*a*a*b).
 */
#include <string.h>

#include "pathglob.h"
#include "pathglob_match.h"

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
	struct pathglob_token t;
	size_t p;

	for (p = 0; p < len; p++) {
		if (!on[p])
			continue;
		t = pathglob_token_at(g, len, p);
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
	struct pathglob_token t;
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
			t = pathglob_token_at(g, len, p);
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

int
pathglob_list_match(const char *list, const char *path)
{
	const char *g;
	size_t pos = 0, len;

	while (pathglob_next(list, &pos, &g, &len))
		if (pathglob_match(g, len, path))
			return 1;
	return 0;
}
