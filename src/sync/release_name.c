#include <string.h>

#include "release_name.h"

int
release_name_valid(const char *s)
{
	size_t i;

	if (strlen(s) != RELEASE_NAME_LEN || s[8] != 'T' || s[15] != '.' || s[22] != 'Z' ||
	    s[RELEASE_STAMP_LEN] != '-')
		return 0;
	for (i = 0; i < RELEASE_STAMP_LEN - 1; i++)
		if (i != 8 && i != 15 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return strspn(s + RELEASE_STAMP_LEN + 1, "0123456789abcdef") ==
	    RELEASE_NAME_LEN - RELEASE_STAMP_LEN - 1;
}

int
release_name_order(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
release_name_target_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return release_name_valid(s) || (s[n] == '\0' && n >= 7 && n <= 40);
}

long
release_name_find(const char (*names)[RELEASE_NAME_LEN + 1], size_t n, const char *target)
{
	size_t i, tl = strlen(target);
	long found = RELEASE_NAME_UNKNOWN;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], target) == 0)
			return (long)i;
	if (!release_name_target_valid(target) || tl > 40)
		return RELEASE_NAME_UNKNOWN;
	for (i = 0; i < n; i++) {
		if (strncmp(names[i] + RELEASE_STAMP_LEN + 1, target, tl) != 0)
			continue;
		/* Two releases of one commit are one answer: the newer. */
		if (found >= 0 && strcmp(names[found] + RELEASE_STAMP_LEN + 1,
		    names[i] + RELEASE_STAMP_LEN + 1) != 0)
			return RELEASE_NAME_AMBIGUOUS;
		found = (long)i;
	}
	return found;
}
