/*
 * The status record as --status reads it (src/front/status_print.c): a
 * record as sentry-source-sync writes it parses to its fields; every
 * twin that the helper would not write (a key out of order, an unknown
 * or missing one, an escape it would not make, a control byte, a number
 * out of range, a short object name, bytes after the last line, no final
 * newline) is refused whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_print.h"
#include "tap.h"

#define OID_A	"0123456789abcdef0123456789abcdef01234567"
#define OID_B	"89abcdef0123456789abcdef0123456789abcdef"

static const char good[] =
    "sentry-source-status 1\n"
    "time=1764522000\n"
    "duration_ms=1234\n"
    "mode=hook\n"
    "branch=feature/caf\\xc3\\xa9\n"
    "pushed=" OID_B "\n"
    "old=" OID_A "\n"
    "new=" OID_B "\n"
    "status=0\n"
    "message=develop moved \\x5c \\x0a\n";

/* The same as version 2 writes it, pinned by a rollback. (good above is
 * version 1: what an older helper left, read as not pinned.) */
static const char good2[] =
    "sentry-source-status 2\n"
    "time=1764522000\n"
    "duration_ms=1234\n"
    "mode=rollback\n"
    "branch=develop\n"
    "pushed=\n"
    "old=" OID_B "\n"
    "new=" OID_A "\n"
    "status=7\n"
    "message=rolled back\n"
    "pinned=1\n"
    "remote=" OID_B "\n";

/* Version 3, with TAG=: branch= empty, ref= naming the tag. */
static const char good3[] =
    "sentry-source-status 3\n"
    "time=1764522000\n"
    "duration_ms=1234\n"
    "mode=socket\n"
    "branch=\n"
    "pushed=" OID_B "\n"
    "old=" OID_A "\n"
    "new=" OID_B "\n"
    "status=0\n"
    "message=tag v1.10 moved from 0123456789ab to 89abcdef0123\n"
    "pinned=0\n"
    "remote=\n"
    "ref=refs/tags/v1.10\n";

static int
parses(const char *text, size_t len, struct status_record *r)
{
	char err[128];

	return status_parse(text, len, r, err, sizeof(err)) == 0;
}

/* base with one substring replaced; the result refused. */
static void
twin_of(const char *base, const char *from, const char *to, const char *why)
{
	struct status_record r;
	char buf[2048];
	const char *at;
	size_t n;

	if ((at = strstr(base, from)) == NULL) {
		tap_ok(0, "%s: [%s] not in the record", why, from);
		return;
	}
	n = (size_t)(at - base);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, base, to, at + strlen(from));
	tap_ok(!parses(buf, strlen(buf), &r), "refused: %s", why);
}

static void
twin(const char *from, const char *to, const char *why)
{
	twin_of(good, from, to, why);
}

int
main(void)
{
	struct status_record r;
	char big[4 * STATUS_TEXT_MAX];
	size_t n;

	tap_ok(parses(good, strlen(good), &r), "the helper's record parses");
	tap_ok(r.time == 1764522000 && r.duration_ms == 1234, "time and duration");
	tap_ok(strcmp(r.mode, "hook") == 0, "mode hook");
	tap_ok(r.branch_len == 13 && memcmp(r.branch, "feature/caf\xc3\xa9", 13) == 0,
	    "the branch decoded to its UTF-8 bytes");
	tap_ok(strcmp(r.pushed, OID_B) == 0 && strcmp(r.old, OID_A) == 0 &&
	    strcmp(r.new, OID_B) == 0, "the three commits");
	tap_ok(r.status == 0, "status 0");
	tap_ok(r.message_len == 17 && memcmp(r.message, "develop moved \\ \n", 17) == 0,
	    "the message decoded: a backslash and a newline");

	{
		char buf[2048];

		snprintf(buf, sizeof(buf), "%s", good);
		memmove(strstr(buf, "pushed=") + 7, strstr(buf, "pushed=") + 7 + 40,
		    strlen(strstr(buf, "pushed=") + 7 + 40) + 1);
		tap_ok(parses(buf, strlen(buf), &r) && r.pushed[0] == '\0',
		    "an empty pushed= parses as none");
	}
	twin("sentry-source-status 1", "sentry-source-status 3", "another version");
	twin("sentry-source-status 1", "sentry-source-status 2", "version 2 without pinned=");
	tap_ok(parses(good, strlen(good), &r) && !r.pinned && r.remote[0] == '\0',
	    "a version 1 record reads as not pinned");
	tap_ok(parses(good2, strlen(good2), &r) && r.pinned && strcmp(r.remote, OID_B) == 0 &&
	    r.status == 7 && strcmp(r.mode, "rollback") == 0,
	    "a version 2 record: pinned, the remote's tip, the last sync's status");
	twin_of(good2, "pinned=1", "pinned=2", "pinned= other than 0 or 1");
	twin_of(good2, "pinned=1", "pinned=", "an empty pinned=");
	twin_of(good2, "pinned=1\n", "", "version 2 without pinned=");
	twin_of(good2, "pinned=1", "pinned=0", "a remote named when not pinned");
	twin_of(good2, "remote=" OID_B "\n", "remote=" OID_B "\nmore\n", "a line after remote=");
	twin_of(good2, "remote=" OID_B "\n", "remote=0123\n", "a short remote");
	tap_ok(parses(good3, strlen(good3), &r) && r.branch_len == 0 && r.ref_len == 15 &&
	    strcmp(r.ref, "refs/tags/v1.10") == 0, "version 3: the ref of a tag");
	tap_ok(parses(good2, strlen(good2), &r) && r.ref_len == 0,
	    "version 2: no ref, read as not known");
	twin_of(good3, "ref=refs/tags/v1.10\n", "", "version 3 without ref=");
	twin_of(good3, "ref=refs/tags/v1.10\n", "ref=refs/tags/v1.10\nmore\n",
	    "a line after ref=");
	twin_of(good3, "ref=refs/tags/v1.10", "ref=refs/tags/v\x01", "a control byte in ref=");
	twin("time=1764522000\nduration_ms=1234\n", "duration_ms=1234\ntime=1764522000\n",
	    "keys out of order");
	twin("mode=hook\n", "", "a missing key");
	twin("mode=hook\n", "mode=hook\nextra=1\n", "an unknown key");
	twin("mode=hook", "mode=cron", "an unknown mode");
	twin("status=0", "status=256", "a status over 255");
	twin("status=0", "status=-1", "a negative status");
	twin("status=0", "status=00", "a number with a leading zero");
	twin("status=0", "status=", "an empty number");
	twin("time=1764522000", "time=99999999999999999999", "a time that overflows");
	twin("old=" OID_A, "old=0123456789abcdef", "a short object name");
	twin("old=" OID_A, "old=0123456789ABCDEF0123456789abcdef01234567", "upper-case hex");
	twin("caf\\xc3", "caf\\x41", "an escape of a printable byte");
	twin("caf\\xc3", "caf\\xC3", "an upper-case escape");
	twin("caf\\xc3", "caf\\q", "an unknown escape");
	twin("caf\\xc3\\xa9\n", "caf\\x\n", "a cut escape");
	twin("caf\\xc3", "caf\xc3", "a raw byte outside ASCII");
	twin("caf\\xc3", "caf\t", "a raw control byte");
	twin("\\x0a\n", "\\x0a\nmore\n", "a line after the message");
	twin("\\x0a\n", "\\x0a", "no final newline");

	n = strlen(good);
	tap_ok(!parses(good, n - 1, &r), "a record cut short");
	tap_ok(!parses("", 0, &r), "an empty file");
	/* The message at its bound, and one byte over it. */
	n = (size_t)(strstr(good, "message=") + 8 - good);
	memcpy(big, good, n);
	memset(big + n, 'a', STATUS_TEXT_MAX - 1);
	big[n + STATUS_TEXT_MAX - 1] = '\n';
	tap_ok(parses(big, n + STATUS_TEXT_MAX, &r) && r.message_len == STATUS_TEXT_MAX - 1,
	    "a message of %d bytes parses", STATUS_TEXT_MAX - 1);
	memset(big + n, 'a', STATUS_TEXT_MAX);
	big[n + STATUS_TEXT_MAX] = '\n';
	tap_ok(!parses(big, n + STATUS_TEXT_MAX + 1, &r), "a message of %d bytes is refused",
	    STATUS_TEXT_MAX);
	return tap_done();
}
