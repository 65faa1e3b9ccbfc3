/*
 * The rules of PUBLISH=releases on names (src/sync/release_name.c): what a
 * release's name is, the order of names, and which release a --rollback
 * target names. Expected values from sentry-source(8), Releases: names
 * TIME-COMMIT that sort in the order they were made. (Pruning follows
 * the history: tests/unit/test-sync-release-history.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_name.h"
#include "tap.h"

#define OID	"0123456789abcdef0123456789abcdef01234567"

typedef char name_t[RELEASE_NAME_LEN + 1];

static void
names_test(void)
{
	static const char *good[] = {
		"20261130T180834.123456Z-" OID,
		"19700101T000000.000000Z-" OID,
	};
	static const struct { const char *name, *why; } bad[] = {
		{ "", "the empty name" },
		{ "20261130T180834.123456Z-" "0123456789abcdef0123456789abcdef0123456", "39 hex digits" },
		{ "20261130T180834.123456Z-" OID "8", "41 hex digits" },
		{ "20261130T180834.123456Z-" "0123456789ABCDEF0123456789abcdef01234567", "upper-case hex" },
		{ "20261130t180834.123456Z-" OID, "a lower-case t" },
		{ "20261130T180834,123456Z-" OID, "a comma for the dot" },
		{ "20261130T180834.123456z-" OID, "a lower-case z" },
		{ "20261130T180834.123456Z_" OID, "an underscore for the dash" },
		{ "2026113aT180834.123456Z-" OID, "a letter in the date" },
		{ "20261130T18083x.123456Z-" OID, "a letter in the time" },
		{ ".new-20261130T180834.123456Z-" OID, "a release being written (.new-)" },
		{ ".failed-20261130T180834.123456Z-" OID, "a failed release (.failed-)" },
		{ "repo.git", "the repository" },
		{ ".next-link", "the link of a switch" },
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tap_ok(release_name_valid(good[i]), "a release's name: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(!release_name_valid(bad[i].name), "not a release's name: %s", bad[i].why);
}

static void
order_test(void)
{
	name_t names[] = {
		"20261130T180834.123457Z-" OID,
		"20261130T180834.123456Z-" "f123456789abcdef0123456789abcdef01234567",
		"20251231T235959.999999Z-" OID,
		"20261130T180834.123456Z-" OID,
	};

	qsort(names, 4, sizeof(names[0]), release_name_order);
	tap_ok(strncmp(names[0], "2025", 4) == 0, "order: last year's release first");
	tap_ok(strcmp(names[1], "20261130T180834.123456Z-" OID) == 0 &&
	    strncmp(names[2], "20261130T180834.123456Z-f", 25) == 0,
	    "order: two releases of one microsecond by commit");
	tap_ok(strncmp(names[3], "20261130T180834.123457Z", 23) == 0,
	    "order: a microsecond later is newer (two publishes in one second)");
}

static void
find_test(void)
{
	static const name_t names[] = {
		"20261130T180000.000000Z-" "abcdef0123456789abcdef0123456789abcdef01",
		"20261130T180001.000000Z-" "abcdef0f23456789abcdef0123456789abcdef01",
		"20261130T180002.000000Z-" "0123456789abcdef0123456789abcdef01234567",
		"20261130T180003.000000Z-" "0123456789abcdef0123456789abcdef01234567",
	};
	static const struct { const char *target; long want; const char *why; } cases[] = {
		{ "20261130T180001.000000Z-abcdef0f23456789abcdef0123456789abcdef01", 1,
		    "a release by its name" },
		{ "abcdef0123456789abcdef0123456789abcdef01", 0, "a commit, in full" },
		{ "abcdef0f", 1, "a commit by eight digits" },
		{ "abcdef", RELEASE_NAME_UNKNOWN, "six digits are too few" },
		{ "abcdef0", RELEASE_NAME_AMBIGUOUS, "seven digits that start two commits" },
		{ "0123456", 3, "two releases of one commit: the later in the order" },
		{ "fedcba9", RELEASE_NAME_UNKNOWN, "a commit no release holds" },
		{ "ABCDEF1", RELEASE_NAME_UNKNOWN, "upper-case hex" },
		{ "20261130T180009.000000Z-abcdef0f23456789abcdef0123456789abcdef01",
		    RELEASE_NAME_UNKNOWN, "a name no release has" },
	};
	size_t i;
	long got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = release_name_find(names, 4, cases[i].target);
		if (!tap_ok(got == cases[i].want, "find: %s", cases[i].why))
			printf("#   got %ld\n", got);
	}
	tap_ok(release_name_target_valid("abcdef1") && !release_name_target_valid("abc") &&
	    !release_name_target_valid("../x") && !release_name_target_valid(""),
	    "a target as written: a name or 7 to 40 hex digits");
}

int
main(void)
{
	names_test();
	order_test();
	find_test();
	return tap_done();
}
