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

size_t
release_name_prune(const char (*names)[RELEASE_NAME_LEN + 1], size_t n, unsigned long keep,
    const char *live, unsigned char *drop)
{
	size_t i, left, at = (size_t)-1;

	for (i = 0; i < n; i++) {
		drop[i] = 0;
		if (strcmp(names[i], live) == 0)
			at = i;
	}
	for (i = 0, left = n; i < n && left > keep; i++) {
		if (i == at || (at != (size_t)-1 && i + 1 == at))
			continue;
		drop[i] = 1;
		left--;
	}
	return n - left;
}
