/*
 * TAG='s choice of a tag (src/sync/tag_pick.c): which of a remote's refs
 * are tags, which of those the glob takes, and which is highest in
 * version order. Expected values from sentry-source.conf(5), TAG: glob
 * as fnmatch(3) without FNM_PATHNAME, order as strverscmp(3).
 */
#include <stdio.h>
#include <string.h>

#include "gitname.h"
#include "tap.h"
#include "tag_pick.h"

static void
names_test(void)
{
	tap_ok(tag_pick_name("refs/tags/v1.10") != NULL &&
	    strcmp(tag_pick_name("refs/tags/v1.10"), "v1.10") == 0, "a tag's short name");
	tap_ok(tag_pick_name("refs/tags/v1.10^{}") == NULL,
	    "an annotated tag's peeled line is not another tag");
	tap_ok(tag_pick_name("refs/heads/v1.10") == NULL, "a branch is no tag");
	tap_ok(tag_pick_name("refs/tags/") == NULL, "refs/tags/ alone is no tag");
	tap_ok(tag_pick_name("HEAD") == NULL, "HEAD is no tag");
}

static void
order_test(void)
{
	static const struct { const char *later, *earlier; } pairs[] = {
		{ "v1.10", "v1.9" },
		{ "v2.0", "v1.10" },
		{ "v1.9.1", "v1.9" },
		{ "v10", "v9" },
		{ "v2.0-rc1", "v1.10" },
		{ "v2.0-rc1", "v2.0" },	/* strverscmp: a suffix sorts after */
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		tap_ok(tag_pick_later(pairs[i].later, pairs[i].earlier) &&
		    !tag_pick_later(pairs[i].earlier, pairs[i].later),
		    "%s comes after %s", pairs[i].later, pairs[i].earlier);
	tap_ok(!tag_pick_later("v1.9", "v1.9"), "a tag is not after itself");
}

static void
highest_test(void)
{
	static const char *const refs[] = {
		"HEAD", "refs/heads/main", "refs/heads/v9.9", "refs/tags/v1.9",
		"refs/tags/v1.9^{}", "refs/tags/v1.10", "refs/tags/v1.10^{}", "refs/tags/v1.2",
		"refs/tags/release-3", "refs/tags/x/v7", "refs/pull/1/head",
	};
	static const char *const rc[] = { "refs/tags/v1.9", "refs/tags/v2.0-rc1",
	    "refs/tags/v1.10" };
	const size_t n = sizeof(refs) / sizeof(refs[0]);
	const char *best;
	size_t taken;

	taken = tag_pick_highest(refs, n, "v*", &best);
	tap_ok(taken == 3 && best != NULL && strcmp(best, "v1.10") == 0,
	    "v*: 3 tags, the highest v1.10 (got %zu, %s)", taken, best ? best : "none");
	taken = tag_pick_highest(refs, n, "*", &best);
	tap_ok(taken == 5 && best != NULL && strcmp(best, "x/v7") == 0,
	    "*: 5 tags, a slash taken too (got %zu, %s)", taken, best ? best : "none");
	taken = tag_pick_highest(refs, n, "release-[0-9]*", &best);
	tap_ok(taken == 1 && best != NULL && strcmp(best, "release-3") == 0,
	    "release-[0-9]*: release-3");
	taken = tag_pick_highest(refs, n, "deploy-*", &best);
	tap_ok(taken == 0 && best == NULL, "a glob that takes no tag picks none");
	taken = tag_pick_highest(refs, 0, "v*", &best);
	tap_ok(taken == 0 && best == NULL, "no refs: none");
	taken = tag_pick_highest(rc, 3, "v*", &best);
	tap_ok(taken == 3 && best != NULL && strcmp(best, "v2.0-rc1") == 0,
	    "v2.0-rc1 is after v1.10 and v1.9 (got %s)", best ? best : "none");
	/* A glob cannot leave out "-rc" alone: a narrower one can. */
	taken = tag_pick_highest(rc, 3, "v1.*", &best);
	tap_ok(taken == 2 && best != NULL && strcmp(best, "v1.10") == 0,
	    "v1.*: v1.10 over v1.9, v2.0-rc1 not taken (got %s)",
	    best ? best : "none");
}

int
main(void)
{
	names_test();
	order_test();
	highest_test();
	return tap_done();
}
