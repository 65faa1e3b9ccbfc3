/*
 * The syntax of INCLUDE_FILES/EXCLUDE_FILES globs, shared by the front,
 * which refuses a bad glob before it answers, and the helper's matcher
 * (src/sync/pathglob_match.c).
 */
#include <stdio.h>
#include <string.h>

#include "pathglob.h"

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

struct pathglob_token
pathglob_token_at(const char *g, size_t len, size_t p)
{
	struct pathglob_token t = { TOKEN_BYTE, 1, (unsigned char)g[p] };
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

int
pathglob_next(const char *list, size_t *pos, const char **glob, size_t *len)
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
	struct pathglob_token t;
	size_t p;

	if (len > PATHGLOB_MAX)
		return "is too long";
	if (g[0] == '/')
		return "starts with /: globs are relative to the repository root";
	if (g[len - 1] == '/')
		return "ends in /: it would match no file; dir/** matches the files below dir";
	for (p = 0; p < len; p += t.len) {
		t = pathglob_token_at(g, len, p);
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

	while (pathglob_next(list, &pos, &g, &len))
		if ((why = glob_problem(g, len)) != NULL) {
			snprintf(err, errlen, "glob %.*s %s", (int)(len > 200 ? 200 : len), g, why);
			return -1;
		}
	return 0;
}
