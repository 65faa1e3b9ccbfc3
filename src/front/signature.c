/*
 * Checking a host's signature with libcrypto: the digest, the MAC and the
 * constant-time comparison are OpenSSL's, none of them ours.
 *
 * libcrypto is opened only when a signature is to be checked. Linked in,
 * its 17,000 relocations and page faults doubled the start of every
 * process (0.5 ms to 1.1 ms), unsigned sources and refused requests too.
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "bounds.h"
#include "file.h"
#include "hex.h"
#include "signature.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define CRYPTO_SONAME	"libcrypto.so." XSTR(OPENSSL_VERSION_MAJOR)

static struct {
	__typeof__(HMAC)		*hmac;
	__typeof__(EVP_sha256)		*sha256_md;
	__typeof__(SHA256)		*sha256;
	__typeof__(CRYPTO_memcmp)	*memcmp;
	__typeof__(OPENSSL_cleanse)	*cleanse;
} crypto;

/* 0 when libcrypto's functions are at hand; -1 with why. */
static int
crypto_open(char *why, size_t whylen)
{
	void *lib;

	if (crypto.hmac != NULL)
		return 0;
	if ((lib = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (crypto.sha256_md = dlsym(lib, "EVP_sha256")) == NULL ||
	    (crypto.sha256 = dlsym(lib, "SHA256")) == NULL ||
	    (crypto.memcmp = dlsym(lib, "CRYPTO_memcmp")) == NULL ||
	    (crypto.cleanse = dlsym(lib, "OPENSSL_cleanse")) == NULL ||
	    (crypto.hmac = dlsym(lib, "HMAC")) == NULL) {
		snprintf(why, whylen, "cannot load %s: %s", CRYPTO_SONAME, dlerror());
		return -1;
	}
	return 0;
}

int
secret_load(struct secret *s, const char *path, char *err, size_t errlen)
{
	struct stat st;
	size_t len;
	char *buf;

	if ((buf = file_read(path, LIMIT_SECRET_BYTES, &len)) == NULL) {
		snprintf(err, errlen, "SECRET_FILE %s: %s", path, errno == EFBIG ?
		    "too large for a secret" : strerror(errno));
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
	unsigned char want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
	unsigned int len = sizeof(want);
	size_t n = sig->prefix ? strlen(sig->prefix) : 0;
	int ok;

	if (strncmp(value, sig->prefix ? sig->prefix : "", n) != 0 ||
	    hex_decode(value + n, got, sizeof(got)) == -1)
		return 0;
	if (crypto.hmac(crypto.sha256_md(), secret->bytes, (int)secret->len,
	    (const unsigned char *)req->body, req->body_len, want, &len) == NULL)
		return 0;
	ok = len == sizeof(want) && crypto.memcmp(want, got, sizeof(want)) == 0;
	crypto.cleanse(want, sizeof(want));
	return ok;
}

/* Digests first, so the comparison takes the same time whatever the lengths. */
static int
verify_token(const char *value, const struct secret *secret)
{
	unsigned char want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
	int ok;

	if (crypto.sha256(secret->bytes, secret->len, want) == NULL ||
	    crypto.sha256((const unsigned char *)value, strlen(value), got) == NULL)
		return 0;
	ok = crypto.memcmp(want, got, sizeof(want)) == 0;
	crypto.cleanse(want, sizeof(want));
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
	if (crypto_open(why, whylen) == -1)
		return 500;
	ok = sig->how == SOURCE_TOKEN ? verify_token(value, secret) :
	    verify_hmac(value, sig, secret, req);
	if (!ok) {
		snprintf(why, whylen, "%s does not match the secret", sig->header);
		return 401;
	}
	return 0;
}
