/*
 * fuzz-form: form_field (src/front/form.c), which takes GitHub's form bodies
 * (application/x-www-form-urlencoded, the JSON in payload=) apart.
 *
 * Input: byte 0 picks a field name from names[] (the front asks only for
 * "payload"; the others reach the '+', '%' and empty-key paths); the rest
 * is the body, in an exact-size heap copy so AddressSanitizer sees any
 * read past its end.
 *
 * Checks: form_field agrees with the plain reference below on whether the
 * field is there (ENOENT), repeated or badly escaped (EINVAL), and on its
 * decoded bytes; the value it returns is NUL-terminated at the length it
 * reports. Then every byte of the body, percent-encoded (either hex case)
 * or sent as itself or '+', must decode back to the body.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

/* At most 21 bytes each: a key of more than 64 encoded bytes, which
 * form.c never matches, cannot decode to one of these. */
static const char *const names[] = {
	"payload", "", "p", "pay load", "a&b", "k=v", "%", "+", "\xc3\xa9t\xc3\xa9",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The reference decoder: out has room for len bytes; -1 on a bad escape. */
static long
ref_decode(const char *s, size_t len, char *out)
{
	size_t i = 0, n = 0;

	while (i < len) {
		if (s[i] == '%') {
			if (len - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				return -1;
			out[n++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 3;
		} else {
			out[n++] = s[i] == '+' ? ' ' : s[i];
			i++;
		}
	}
	return (long)n;
}

/* The reference: split at '&', then at the first '='; compare decoded keys. */
static char *
ref_field(const char *body, size_t len, const char *name, size_t *outlen, int *err)
{
	const char *seg = body, *end = body + len, *amp, *eq, *value = NULL;
	size_t value_len = 0;
	char *buf, *out;
	long n;

	if ((buf = malloc(len + 1)) == NULL)
		abort();
	for (;;) {
		amp = memchr(seg, '&', (size_t)(end - seg));
		if (amp == NULL)
			amp = end;
		eq = memchr(seg, '=', (size_t)(amp - seg));
		if (eq == NULL)
			eq = amp;
		n = ref_decode(seg, (size_t)(eq - seg), buf);
		if (n >= 0 && (size_t)n == strlen(name) && memcmp(buf, name, (size_t)n) == 0) {
			if (value != NULL) {
				free(buf);
				*err = EINVAL;
				return NULL;
			}
			value = eq == amp ? amp : eq + 1;
			value_len = (size_t)(amp - value);
		}
		if (amp == end)
			break;
		seg = amp + 1;
	}
	free(buf);
	if (value == NULL) {
		*err = ENOENT;
		return NULL;
	}
	if ((out = malloc(value_len + 1)) == NULL)
		abort();
	if ((n = ref_decode(value, value_len, out)) < 0) {
		free(out);
		*err = EINVAL;
		return NULL;
	}
	out[n] = '\0';
	*outlen = (size_t)n;
	return out;
}

static void
check_field(const char *body, size_t len, const char *name)
{
	size_t got_len = 0, want_len = 0;
	char *got, *want;
	int got_err, want_err = 0;

	errno = 0;
	got = form_field(body, len, name, &got_len);
	got_err = errno;
	want = ref_field(body, len, name, &want_len, &want_err);
	if (want == NULL) {
		FUZZ_CHECK(got == NULL, "field \"%s\": a value where the reference "
		    "says errno %d", name, want_err);
		FUZZ_CHECK(got_err == want_err, "field \"%s\": errno %d, want %d", name,
		    got_err, want_err);
		return;
	}
	FUZZ_CHECK(got != NULL, "field \"%s\": errno %d, want a value", name, got_err);
	FUZZ_CHECK(got_len == want_len && memcmp(got, want, got_len) == 0,
	    "field \"%s\": %zu bytes, want %zu", name, got_len, want_len);
	FUZZ_CHECK(got[got_len] == '\0', "field \"%s\": not NUL-terminated", name);
	free(got);
	free(want);
}

/* payload=<every byte of body, escaped one way or another> decodes to body. */
static void
check_round_trip(const uint8_t *body, size_t len)
{
	static const char digits[2][17] = { "0123456789abcdef", "0123456789ABCDEF" };
	size_t i, n = 0, got_len = 0;
	char *enc, *got;

	if ((enc = malloc(8 + 3 * len)) == NULL)
		abort();
	memcpy(enc, "payload=", 8);
	n = 8;
	for (i = 0; i < len; i++) {
		if (body[i] == ' ' && i % 2 == 0) {
			enc[n++] = '+';
		} else if (body[i] != '%' && body[i] != '&' && body[i] != '+' &&
		    body[i] != ' ' && i % 3 != 0) {
			enc[n++] = (char)body[i];
		} else {
			enc[n++] = '%';
			enc[n++] = digits[i % 2][body[i] >> 4];
			enc[n++] = digits[i % 2][body[i] & 15];
		}
	}
	got = form_field(enc, n, "payload", &got_len);
	FUZZ_CHECK(got != NULL, "an encoded body does not decode: errno %d", errno);
	FUZZ_CHECK(got_len == len && memcmp(got, body, len) == 0,
	    "an encoded body decodes to other bytes");
	free(got);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size == 0)
		return 0;
	/* As the reader's body, but without its NUL: nothing may read past. */
	if ((body = malloc(size - 1)) == NULL)
		abort();
	memcpy(body, data + 1, size - 1);
	check_field(body, size - 1, names[data[0] % NNAMES]);
	if (data[0] % NNAMES != 0)
		check_field(body, size - 1, "payload");
	free(body);
	check_round_trip(data + 1, size - 1);
	return 0;
}
