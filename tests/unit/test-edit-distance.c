/*
 * The distance behind "did you mean": each kind of edit counted once, a
 * swap of neighbours as one, case ignored, and the limit and the word
 * bound honoured.
 */
#include <string.h>

#include "edit_distance.h"
#include "tap.h"

static void
expect(const char *a, const char *b, size_t limit, size_t want)
{
	size_t got = edit_distance(a, b, limit);

	tap_ok(got == want, "\"%s\" to \"%s\", limit %zu: %zu (got %zu)", a, b, limit,
	    want, got);
}

int
main(void)
{
	char longer[EDIT_DISTANCE_MAX_WORD + 2];

	expect("BRANCH", "BRANCH", 2, 0);
	expect("branch", "BRANCH", 2, 0);
	expect("BRANCHE", "BRANCH", 2, 1);
	expect("BRNCH", "BRANCH", 2, 1);
	expect("BRANCX", "BRANCH", 2, 1);
	expect("BRAHCN", "BRANCH", 2, 2);
	expect("BARNCH", "BRANCH", 2, 1);
	expect("TGA", "TAG", 2, 1);
	expect("", "TAG", 5, 3);
	expect("TAG", "", 5, 3);
	expect("", "", 2, 0);
	expect("CLONE_URL", "CLONE_PATH", 5, 4);
	/* Past the limit: limit + 1, whatever the true distance. */
	expect("CLONE_URL", "CLONE_PATH", 2, 3);
	expect("A", "ABCDEFGH", 2, 3);
	expect("KITTEN", "SITTING", 3, 3);
	expect("KITTEN", "SITTING", 2, 3);
	memset(longer, 'A', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	expect(longer, longer, 2, 3);
	longer[EDIT_DISTANCE_MAX_WORD] = '\0';
	expect(longer, longer, 2, 0);
	return tap_done();
}
