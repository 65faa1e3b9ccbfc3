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

int
secret_load(struct secret *s, const char *path, char *err, size_t errlen)
{
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
		goto fail;
	}
	len = strcspn(buf, "\r\n");
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "SECRET_FILE %s: the first line must hold the secret",
		    path);
		goto fail;
	}
	explicit_bzero(buf + len, strlen(buf + len));
	s->bytes = (unsigned char *)buf;
	s->len = len;
	return 0;
fail:
	explicit_bzero(buf, strlen(buf));
	free(buf);
	return -1;
}

void
secret_free(struct secret *s)
{
	if (s->bytes != NULL) {
		explicit_bzero(s->bytes, s->len);
		free(s->bytes);
	}
	s->bytes = NULL;
	s->len = 0;
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

static int
verify_hmac(const char *value, const struct source_signature *sig,
    const struct secret *secret, const struct http_request *req)
{
	unsigned char want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	struct hmac_sha256_ctx ctx;
	size_t n = sig->prefix ? strlen(sig->prefix) : 0;
	int ok;

	if (strncmp(value, sig->prefix ? sig->prefix : "", n) != 0 ||
	    hex_decode(value + n, got, sizeof(got)) == -1)
		return 0;
	hmac_sha256_set_key(&ctx, secret->len, secret->bytes);
	hmac_sha256_update(&ctx, req->body_len, (const uint8_t *)req->body);
	hmac_sha256_digest(&ctx, sizeof(want), want);
	ok = memeql_sec(want, got, sizeof(want));
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
	int ok;

	sha256_of(secret->bytes, secret->len, want);
	sha256_of(value, strlen(value), got);
	ok = memeql_sec(want, got, sizeof(want));
	explicit_bzero(want, sizeof(want));
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
		snprintf(why, whylen, "%s does not match the secret", sig->header);
		return 401;
	}
	return 0;
}
