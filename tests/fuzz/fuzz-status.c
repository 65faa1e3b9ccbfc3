/*
 * fuzz-status: status_parse (src/front/status_print.c), which reads the
 * status record --status prints. The record is the helper's, but it lies
 * beside the checkout, where anyone who can write that directory can put
 * other bytes.
 *
 * Input: the file's bytes, in an exact-size heap copy so AddressSanitizer
 * sees any read past its end.
 *
 * Checks: an accepted record has a known mode, object names of 0 or 40
 * hex digits, a status of 0 to 255 and texts within their bound; and it
 * is canonical: written back as sentry-source-sync writes it (every byte
 * outside 0x20-0x7e, and the backslash, as \xNN), it is the input byte
 * for byte. So two different files never read as the same record.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "status_print.h"

struct out {
	char	buf[4 * STATUS_TEXT_MAX * 2 + 1024];
	size_t	len;
};

static void
put(struct out *o, const char *s, size_t n)
{
	FUZZ_CHECK(o->len + n <= sizeof(o->buf), "the record written back is too long");
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_text(struct out *o, const char *key, const char *s, size_t n)
{
	char esc[5];
	size_t i;

	put_str(o, key);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '\\') {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			put_str(o, esc);
		} else
			put(o, s + i, 1);
	}
	put_str(o, "\n");
}

static int
oid_ok(const char *s)
{
	size_t n = strlen(s);

	return (n == 0 || n == STATUS_OID_LEN) && strspn(s, "0123456789abcdef") == n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_record r;
	struct out o = { .len = 0 };
	char err[128], line[80], *copy;
	int v1, v2;

	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	if (status_parse(copy, size, &r, err, sizeof(err)) == -1) {
		FUZZ_CHECK(strlen(err) > 0, "refused without a reason");
		free(copy);
		return 0;
	}
	FUZZ_CHECK(r.mode != NULL && (strcmp(r.mode, "socket") == 0 ||
	    strcmp(r.mode, "hook") == 0 || strcmp(r.mode, "sync") == 0 ||
	    strcmp(r.mode, "rollback") == 0), "an unknown mode");
	FUZZ_CHECK(oid_ok(r.pushed) && oid_ok(r.old) && oid_ok(r.new), "a bad object name");
	FUZZ_CHECK(r.status >= 0 && r.status <= 255, "status %d", r.status);
	FUZZ_CHECK(r.time >= 0 && r.duration_ms >= 0, "a negative number");
	FUZZ_CHECK(r.branch_len < STATUS_TEXT_MAX && r.message_len < STATUS_TEXT_MAX &&
	    r.branch[r.branch_len] == '\0' && r.message[r.message_len] == '\0',
	    "a text over its bound or not NUL-terminated");

	/* A version 1 record is read as it was written: no pinned= line. */
	v1 = size >= strlen(STATUS_MAGIC_V1) &&
	    memcmp(data, STATUS_MAGIC_V1, strlen(STATUS_MAGIC_V1)) == 0;
	FUZZ_CHECK(oid_ok(r.remote) && (r.pinned || r.remote[0] == '\0'), "a bad remote");
	v2 = size >= strlen(STATUS_MAGIC_V2) &&
	    memcmp(data, STATUS_MAGIC_V2, strlen(STATUS_MAGIC_V2)) == 0;
	put_str(&o, v1 ? STATUS_MAGIC_V1 "\n" : v2 ? STATUS_MAGIC_V2 "\n" : STATUS_MAGIC "\n");
	snprintf(line, sizeof(line), "time=%lld\nduration_ms=%lld\nmode=", r.time, r.duration_ms);
	put_str(&o, line);
	put_str(&o, r.mode);
	put_str(&o, "\n");
	put_text(&o, "branch=", r.branch, r.branch_len);
	put_str(&o, "pushed=");
	put_str(&o, r.pushed);
	put_str(&o, "\nold=");
	put_str(&o, r.old);
	put_str(&o, "\nnew=");
	put_str(&o, r.new);
	snprintf(line, sizeof(line), "\nstatus=%d\n", r.status);
	put_str(&o, line);
	put_text(&o, "message=", r.message, r.message_len);
	if (!v1) {
		snprintf(line, sizeof(line), "pinned=%d\nremote=%s\n", r.pinned, r.remote);
		put_str(&o, line);
	}
	if (!v1 && !v2)
		put_text(&o, "ref=", r.ref, r.ref_len);
	FUZZ_CHECK(o.len == size && memcmp(o.buf, data, size) == 0,
	    "accepted a record that is not in the writer's canonical form");
	free(copy);
	return 0;
}
