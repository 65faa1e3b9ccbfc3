/*
 * intent_cost: what recording where the work tree goes costs a sync, with
 * the helper's own code (src/sync/intent.c, linked from build/): record
 * the move of HEAD to itself (write, fsync, rename, fsync of the git
 * directory) and forget it (unlink), N times, in the checkout named.
 *
 * usage: intent_cost CHECKOUT N
 * prints: median_ns=... p90_ns=... n=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <git2.h>

#include "intent.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	git_repository *repo = NULL;
	git_oid head;
	long long *t, t0;
	int i, n;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: intent_cost CHECKOUT N\n");
		return 64;
	}
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL || git_libgit2_init() < 0 ||
	    git_repository_open(&repo, argv[1]) < 0 ||
	    git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		fprintf(stderr, "intent_cost: cannot open %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (intent_record(repo, "develop", &head, &head) == -1)
			return 1;
		intent_clear(repo);
		t[i] = now_ns() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("median_ns=%lld p90_ns=%lld n=%d\n", t[n / 2], t[n * 9 / 10], n);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(t);
	return 0;
}
