/*
 * Checking a host's signature with Nettle: the digest, the MAC and the
 * constant-time comparison are Nettle's, none of them ours.
 *
 * Nettle is linked in statically (see the Makefile): no library to load
 * and no symbols to look up at start. libcrypto, opened for each signed
 * request, made that request cost 2.6 times the floor; bench/README.md
 * has the figures, and those of mbedTLS's libmbedcrypto, the other
 * candidate.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "bounds.h"
#include "file.h"
#include "hex.h"
#include "signature.h"

/* Why a line cannot be a secret, or NULL. */
static const char *
line_problem(const unsigned char *line, size_t len)
{
	size_t i;

	if (len == 0)
		return "is empty: one secret a line, no blank lines";
	for (i = 0; i < len; i++)
		if (line[i] < ' ' || line[i] == 0x7f)
			return "holds a control character";
	return NULL;
}

int
secret_parse(struct secret *s, unsigned char *buf, size_t len, char *err, size_t errlen)
{
	unsigned char *line = buf, *end = buf + len, *nl;
	size_t n = 0, linelen;
	const char *why;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		linelen = (size_t)((nl != NULL ? nl : end) - line);
		/* A CRLF file, as a Windows editor saves it. */
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (n == SECRET_MAX) {
			snprintf(err, errlen, "more than %d lines: the secret in use, and "
			    "one more only while it is rotated", SECRET_MAX);
			goto fail;
		}
		if ((why = line_problem(line, linelen)) != NULL) {
			snprintf(err, errlen, "line %zu %s", n + 1, why);
			goto fail;
		}
		s->key[n].bytes = line;
		s->key[n++].len = linelen;
		line = nl != NULL ? nl + 1 : end;
	}
	if (n == 0) {
		snprintf(err, errlen, "is empty: the first line must hold the secret");
		goto fail;
	}
	s->bytes = buf;
	s->size = len;
	s->n = n;
	return 0;
fail:
	explicit_bzero(buf, len);
	free(buf);
	memset(s->key, 0, sizeof(s->key));
	return -1;
}

int
secret_load(struct secret *s, const char *path, char *err, size_t errlen)
{
	char why[128];
	struct stat st;
	size_t len;
	char *buf;

	if ((buf = file_read(path, LIMIT_SECRET_BYTES, &len)) == NULL) {
		snprintf(err, errlen, "SECRET_FILE %s: %s", path, errno == EFBIG ?
		    "too large for a secret" : file_strerror(errno));
		return -1;
	}
	/* Like ssh with its keys: a secret others can read is no secret. */
	if (stat(path, &st) == 0 && (st.st_mode & 007)) {
		snprintf(err, errlen, "SECRET_FILE %s: mode %04o lets every user read "
		    "it; chmod o-rwx %s", path, (unsigned)(st.st_mode & 07777), path);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	if (secret_parse(s, (unsigned char *)buf, len, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "SECRET_FILE %s: %s", path, why);
		return -1;
	}
	return 0;
}

void
secret_free(struct secret *s)
{
	if (s->bytes != NULL) {
		explicit_bzero(s->bytes, s->size);
		free(s->bytes);
	}
	s->bytes = NULL;
	s->size = 0;
	s->n = 0;
	memset(s->key, 0, sizeof(s->key));
}

/* Exactly len bytes of hex, either case. */
static int
hex_decode(const char *hex, unsigned char *out, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if ((hi = hex_digit(hex[2 * i])) == -1 || (lo = hex_digit(hex[2 * i + 1])) == -1)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * len] == '\0' ? 0 : -1;
}

/* Every secret is tried, whichever matches: the time taken does not say
 * which one the host uses. */
static int
verify_hmac(const char *value, const struct source_signature *sig,
    const struct secret *secret, const struct http_request *req)
{
	unsigned char want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx ctx;
	size_t i, n = sig->prefix ? strlen(sig->prefix) : 0;
	int ok = 0;

	if (strncmp(value, sig->prefix ? sig->prefix : "", n) != 0 ||
	    hex_decode(value + n, got, sizeof(got)) == -1)
		return 0;
	for (i = 0; i < secret->n; i++) {
		hmac_sha256_set_key(&ctx, secret->key[i].len, secret->key[i].bytes);
		hmac_sha256_update(&ctx, req->body_len, (const uint8_t *)req->body);
		hmac_sha256_digest(&ctx, sizeof(want), want);
		ok |= memeql_sec(want, got, sizeof(want));
	}
	/* The context holds the key's inner and outer pads. */
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(want, sizeof(want));
	return ok;
}

static void
sha256_of(const void *bytes, size_t len, unsigned char out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, bytes);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* Digests first, so the comparison takes the same time whatever the lengths. */
static int
verify_token(const char *value, const struct secret *secret)
{
	unsigned char want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	size_t i;
	int ok = 0;

	sha256_of(value, strlen(value), got);
	for (i = 0; i < secret->n; i++) {
		sha256_of(secret->key[i].bytes, secret->key[i].len, want);
		ok |= memeql_sec(want, got, sizeof(want));
	}
	explicit_bzero(want, sizeof(want));
	explicit_bzero(got, sizeof(got));
	return ok;
}

int
signature_verify(const struct source_signature *sig, const struct secret *secret,
    const struct http_request *req, char *why, size_t whylen)
{
	const char *value;
	int ok;

	if (sig->how == SOURCE_UNSIGNED || secret->bytes == NULL)
		return 0;

	if ((value = http_header(req, sig->header)) == NULL) {
		snprintf(why, whylen, "no %s header: unsigned request", sig->header);
		return 401;
	}
	ok = sig->how == SOURCE_TOKEN ? verify_token(value, secret) :
	    verify_hmac(value, sig, secret, req);
	if (!ok) {
		snprintf(why, whylen, "%s does not match %s", sig->header, secret->n == 1 ?
		    "the secret" : "either secret of SECRET_FILE");
		return 401;
	}
	return 0;
}
