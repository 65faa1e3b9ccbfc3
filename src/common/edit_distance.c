/*
 * The optimal string alignment distance (Levenshtein's, plus the swap
 * of two neighbouring characters, the commonest typo), row by row: three
 * rows of b's length, on the stack.
 */
#include <string.h>

#include "edit_distance.h"

static int
same(char x, char y)
{
	if (x >= 'a' && x <= 'z')
		x = (char)(x - 'a' + 'A');
	if (y >= 'a' && y <= 'z')
		y = (char)(y - 'a' + 'A');
	return x == y;
}

static size_t
min3(size_t x, size_t y, size_t z)
{
	size_t m = x < y ? x : y;

	return m < z ? m : z;
}

size_t
edit_distance(const char *a, const char *b, size_t limit)
{
	size_t rows[3][EDIT_DISTANCE_MAX_WORD + 1];
	size_t *before = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t la = strlen(a), lb = strlen(b), i, j, d;

	if (la > EDIT_DISTANCE_MAX_WORD || lb > EDIT_DISTANCE_MAX_WORD)
		return limit + 1;
	/* At least one edit per character of difference in length. */
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			d = min3(prev[j] + 1, cur[j - 1] + 1,
			    prev[j - 1] + !same(a[i - 1], b[j - 1]));
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
			    same(a[i - 2], b[j - 1]) && before[j - 2] + 1 < d)
				d = before[j - 2] + 1;
			cur[j] = d;
		}
		t = before;
		before = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] > limit ? limit + 1 : prev[lb];
}
