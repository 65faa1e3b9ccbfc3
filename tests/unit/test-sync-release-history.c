/*
 * PUBLISH=releases' history (src/sync/release_history.c): its lines
 * read and written, the order of releases by it, where --rollback goes,
 * what a publish prunes, and the file replaced whole. Expected values
 * from sentry-source(8), Releases: the history's order, never the
 * names' clock; the live release and the one a rollback goes to never
 * pruned; releases the history does not name first, by name.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "release_history.h"
#include "tap.h"

typedef char name_t[RELEASE_NAME_LEN + 1];

/*
 * Release X (A-Z) has commit X repeated; made at second X of a day, or,
 * written in lower case, a day earlier: a clock stepped back.
 */
static void
name_of(char letter, char *out)
{
	int early = letter >= 'a' && letter <= 'z';
	char up = early ? (char)(letter - 32) : letter;

	snprintf(out, RELEASE_NAME_LEN + 1, "202611%02dT1800%02d.000000Z-", early ? 29 : 30,
	    up - 'A');
	memset(out + RELEASE_STAMP_LEN + 1, "0123456789abcdef"[(up - 'A') % 16], 40);
	out[RELEASE_NAME_LEN] = '\0';
}

static char
letter_of(const char *name)
{
	char c = name[RELEASE_STAMP_LEN + 1];
	int v = c <= '9' ? c - '0' : c - 'a' + 10;

	return name[7] == '9' ? (char)('a' + v) : (char)('A' + v);
}

struct scene {
	name_t			names[16];
	size_t			n;
	struct release_event	e[32];
	size_t			ne;
	name_t			live;
};

/* present: the releases on disk; events: "pA rB fC", publish A,
 * rollback to B, C found live; the live one is the last event's. */
static void
scene(struct scene *s, const char *present, const char *events)
{
	const char *p;

	memset(s, 0, sizeof(*s));
	for (p = present; *p != '\0'; p++)
		name_of(*p, s->names[s->n++]);
	for (p = events; *p != '\0'; p++) {
		if (*p == ' ')
			continue;
		snprintf(s->e[s->ne].event, sizeof(s->e[0].event), "%s",
		    *p == 'p' ? "publish" : *p == 'r' ? "rollback" : "found");
		name_of(p[1], s->e[s->ne++].release);
		p++;
	}
	if (s->ne > 0)
		memcpy(s->live, s->e[s->ne - 1].release, sizeof(s->live));
	release_history_sort(s->names, s->n, s->e, s->ne);
}

static const char *
order(const struct scene *s)
{
	static char out[32];
	size_t i;

	for (i = 0; i < s->n; i++)
		out[i] = letter_of(s->names[i]);
	out[s->n] = '\0';
	return out;
}

static void
order_test(void)
{
	static const struct { const char *present, *events, *want, *why; } cases[] = {
		{ "ABC", "pA pB pC", "ABC", "publishes in order" },
		{ "ABC", "pA pB pC rB", "ACB", "a rollback makes its release the newest" },
		{ "ABCD", "pA pB pC rB pD", "ACBD", "a publish after a rollback" },
		{ "ABc", "pA pB pc", "ABc", "a release made under a clock a day behind is "
		    "still the newest" },
		{ "NMABC", "pA pB pC", "MNABC", "releases the history does not name come first, "
		    "by name" },
		{ "NMAB", "pB pA", "MNBA", "... whatever the order on disk" },
	};
	struct scene s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scene(&s, cases[i].present, cases[i].events);
		if (!tap_ok(strcmp(order(&s), cases[i].want) == 0, "order: %s (%s)",
		    cases[i].why, cases[i].want))
			printf("#   got %s\n", order(&s));
	}
}

static void
previous_test(void)
{
	static const struct { const char *present, *events; char want; const char *why; }
	    cases[] = {
		{ "ABC", "pA pB pC", 'B', "the one live before" },
		{ "ABC", "pA pB pC rB", 'A', "after a rollback, further back, not to the "
		    "one rolled away from" },
		{ "ABC", "pA pB pC rB rA", '-', "two rollbacks: nothing left but what was "
		    "rolled away from" },
		{ "ABCD", "pA pB pC rB pD", 'B', "after a rollback and a push, the release "
		    "rolled back to (the known good one)" },
		{ "ABc", "pA pB pc", 'B', "a clock a day behind: the one live before" },
		{ "A", "pA", '-', "one release: none" },
		{ "MNO", "fO", 'N', "no history but the live one found: the one before by "
		    "name, as before the history was kept" },
		{ "MNAB", "pA pB fN", 'B', "a release found live after B: B" },
		{ "ABC", "pA pB", 'B', "the live one (C) not in the history (a kill -9 "
		    "after its switch): the last live" },
	};
	struct scene s;
	size_t i;
	long at;
	char got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scene(&s, cases[i].present, cases[i].events);
		if (i == sizeof(cases) / sizeof(cases[0]) - 1)
			name_of('C', s.live);
		at = release_history_previous((const name_t *)s.names, s.n, s.live, s.e, s.ne);
		got = at < 0 ? '-' : letter_of(s.names[at]);
		if (!tap_ok(got == cases[i].want, "previous: %s (%c)", cases[i].why,
		    cases[i].want))
			printf("#   got %c\n", got);
	}
}

static void
prune_test(void)
{
	static const struct {
		const char *present, *events;
		unsigned long keep;
		const char *want, *why;
	} cases[] = {
		{ "ABCD", "pA pB pC pD", 3, "A", "the oldest beyond KEEP_RELEASES=3" },
		{ "ABCD", "pA pB pC rB pD", 3, "A", "after a rollback and a push the one "
		    "rolled back to stays" },
		{ "ABCDE", "pA pB pC rB pD pE", 3, "AC", "... and the one rolled away from "
		    "goes first" },
		{ "ABCd", "pA pB pC pd", 3, "A", "a publish under a clock a day behind keeps "
		    "the one live before it" },
		{ "ABCd", "pA pB pC pd", 1, "AB", "KEEP_RELEASES=1 still keeps the one "
		    "before" },
		{ "MNAB", "pA pB", 2, "MN", "the releases the history does not name go first" },
	};
	struct scene s;
	unsigned char drop[16];
	char got[17];
	size_t i, j, k, count;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scene(&s, cases[i].present, cases[i].events);
		count = release_history_prune((const name_t *)s.names, s.n, cases[i].keep,
		    s.live, s.e, s.ne, drop);
		for (j = k = 0; j < s.n; j++)
			if (drop[j])
				got[k++] = letter_of(s.names[j]);
		got[k] = '\0';
		if (!tap_ok(strcmp(got, cases[i].want) == 0 && count == k, "prune: %s (%s)",
		    cases[i].why, cases[i].want))
			printf("#   got %s, count %zu\n", got, count);
	}
}

static void
line_test(void)
{
	static const char *bad[] = {
		"2026-12-04T17:45:00Z publish\n",
		"2026-12-04T17:45:00Z publish 0000000000000000000000000000000000000000 "
		    "20261130T180000.000000Z-1111111111111111111111111111111111111111\n",
		"2026-12-04T17:45:00Z publish 0000000000000000000000000000000000000000 "
		    "20261130T180000.000000Z-0000000000000000000000000000000000000000x\n",
		"2026-12-04T17:45:00Z publish 0000000000000000000000000000000000000000 "
		    "20261130T180000.000000Z-0000000000000000000000000000000000000000",
	};
	static const char *why[] = { "too few fields", "a commit not the release's",
	    "a name run on", "half a line (no newline)" };
	struct release_event e[4];
	char buf[RELEASE_HISTORY_LINE_MAX], text[1024];
	name_t a;
	size_t i;

	name_of('A', a);
	tap_ok(release_history_line(buf, sizeof(buf), 1764870300, "publish", a, "was none") ==
	    0 && strcmp(buf, "2025-12-04T17:45:00Z publish "
	    "0000000000000000000000000000000000000000 " "20261130T180000.000000Z-"
	    "0000000000000000000000000000000000000000 was none\n") == 0,
	    "a line: time, event, commit, release, reason");
	tap_ok(release_history_line(buf, sizeof(buf), 0, "publish", a, "a\nb") == -1,
	    "a reason with a newline is refused");
	snprintf(text, sizeof(text), "%s", buf);
	tap_ok(release_history_parse(text, e, 4) == 1 && strcmp(e[0].release, a) == 0 &&
	    strcmp(e[0].event, "publish") == 0, "the line read back");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", buf, bad[i]);
		tap_ok(release_history_parse(text, e, 4) == 1, "not an event: %s", why[i]);
	}
}

static void
file_test(void)
{
	char dir[] = "/tmp/test-history.XXXXXX", line[RELEASE_HISTORY_LINE_MAX], path[64];
	struct release_event *e;
	struct stat st;
	name_t a, b;
	size_t n, i;
	int fd, ok = 1;

	if (mkdtemp(dir) == NULL || (fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		tap_ok(0, "a directory for the history");
		return;
	}
	tap_ok(release_history_read(fd, &n) == NULL && n == 0, "no history: no events");
	name_of('A', a);
	name_of('B', b);
	release_history_line(line, sizeof(line), 0, "publish", a, "was none");
	tap_ok(release_history_append(fd, line) == 0, "the first line");
	/* A temporary a kill -9 left is replaced, never appended to. */
	close(openat(fd, ".history.new", O_WRONLY | O_CREAT, 0644));
	release_history_line(line, sizeof(line), 0, "rollback", b, "from x");
	tap_ok(release_history_append(fd, line) == 0, "a second line over a left temporary");
	e = release_history_read(fd, &n);
	tap_ok(n == 2 && strcmp(e[0].release, a) == 0 && strcmp(e[1].event, "rollback") == 0,
	    "both read back, in order");
	free(e);
	tap_ok(fstatat(fd, ".history.new", &st, 0) == -1 && errno == ENOENT,
	    "no temporary left");
	for (i = 0; i < RELEASE_HISTORY_LINES + 10; i++)
		ok &= release_history_append(fd, line) == 0;
	e = release_history_read(fd, &n);
	tap_ok(ok && n == RELEASE_HISTORY_LINES && strcmp(e[n - 1].event, "rollback") == 0,
	    "the history keeps the newest %d lines", RELEASE_HISTORY_LINES);
	free(e);
	snprintf(path, sizeof(path), "%s/" RELEASE_HISTORY_FILE, dir);
	unlink(path);
	rmdir(dir);
	close(fd);
}

int
main(void)
{
	order_test();
	previous_test();
	prune_test();
	line_test();
	file_test();
	return tap_done();
}
