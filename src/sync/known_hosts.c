#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "known_hosts.h"

#define HOST_NAME_MAX_LEN	300
#define HASH_MAGIC		"|1|"

/*
 * Decode base64 of exactly len bytes into out (room for len * 3 / 4).
 * Returns the decoded length, or -1. Strict, as OpenSSH is: whole
 * quanta, padding only at the end, no white space (Nettle would skip it).
 */
static long
base64_decode(const char *in, size_t len, unsigned char *out)
{
	struct base64_decode_ctx ctx;
	size_t i, n = len * 3 / 4;

	if (len == 0 || len % 4 != 0 || len > 65536)
		return -1;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)in[i]) && in[i] != '+' && in[i] != '/' &&
		    (in[i] != '=' || i < len - 2))
			return -1;
	if (in[len - 2] == '=' && in[len - 1] != '=')
		return -1;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, out, len, in) || !base64_decode_final(&ctx))
		return -1;
	return (long)n;
}

/*
 * OpenSSH patterns: '*' any run, '?' one character; nothing else special.
 * Iterative, remembering only the last star, so no pattern can make it
 * recurse deeply or backtrack without bound.
 */
static int
wildmatch(const char *pat, size_t patlen, const char *s)
{
	const char *end = pat + patlen, *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (pat < end && *pat == '*') {
			star = ++pat;
			resume = s;
		} else if (pat < end && (*pat == '?' || tolower((unsigned char)*pat) == *s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star;
			s = ++resume;
		} else
			return 0;
	}
	while (pat < end && *pat == '*')
		pat++;
	return pat == end;
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
static int
hashed_match(const char *pat, size_t patlen, const char *name)
{
	unsigned char salt[64], want[64], got[SHA1_DIGEST_SIZE];
	const char *salt64 = pat + strlen(HASH_MAGIC), *bar;
	struct hmac_sha1_ctx ctx;
	long saltlen, wantlen;

	bar = memchr(salt64, '|', patlen - (salt64 - pat));
	if (bar == NULL || bar - salt64 > 80 || (pat + patlen) - (bar + 1) > 80)
		return 0;
	saltlen = base64_decode(salt64, bar - salt64, salt);
	wantlen = base64_decode(bar + 1, (pat + patlen) - (bar + 1), want);
	if (saltlen <= 0 || wantlen != SHA1_DIGEST_SIZE)
		return 0;
	hmac_sha1_set_key(&ctx, saltlen, salt);
	hmac_sha1_update(&ctx, strlen(name), (const uint8_t *)name);
	hmac_sha1_digest(&ctx, sizeof(got), got);
	return memeql_sec(got, want, sizeof(got));
}

/* 1 if the comma-separated patterns name the host, and no !pattern does. */
static int
patterns_match(const char *pats, size_t len, const char *name)
{
	const char *p = pats, *end = pats + len, *comma;
	int hit = 0, negated;
	size_t n;

	if (len > strlen(HASH_MAGIC) && strncmp(pats, HASH_MAGIC, strlen(HASH_MAGIC)) == 0)
		return hashed_match(pats, len, name);
	for (; p < end; p = comma + 1) {
		if ((comma = memchr(p, ',', end - p)) == NULL)
			comma = end;
		negated = *p == '!';
		n = comma - p - negated;
		if (wildmatch(p + negated, n, name)) {
			if (negated)
				return 0;
			hit = 1;
		}
	}
	return hit;
}

/* Split off the next blank-separated field of [*p, end). */
static int
field(const char **p, const char *end, const char **start, size_t *len)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	*start = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*len = *p - *start;
	return *len > 0;
}

/* The key type a wire-format public key names in its first field. */
static int
blob_type(const unsigned char *blob, size_t len, const char **type, size_t *typelen)
{
	size_t n;

	if (len < 4)
		return 0;
	n = (size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3];
	if (n == 0 || n > len - 4)
		return 0;
	*type = (const char *)blob + 4;
	*typelen = n;
	return 1;
}

enum known_host
known_hosts_check(const char *text, size_t len, const char *host, int port,
    const unsigned char *key, size_t keylen)
{
	const char *line, *eol, *end = text + len, *p, *f, *type = "";
	char name[HOST_NAME_MAX_LEN], *lower;
	unsigned char *blob;
	int named = 0, same_type = 0, matched = 0, revoked = 0, is_revoked;
	size_t flen, typelen = 0;
	long bloblen;

	if (port <= 0 || port == 22)
		snprintf(name, sizeof(name), "%s", host);
	else
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	/* Host names are case-insensitive; ssh lower-cases before it compares
	 * or hashes, and so do we. */
	for (lower = name; *lower != '\0'; lower++)
		*lower = tolower((unsigned char)*lower);
	blob_type(key, keylen, &type, &typelen);
	if ((blob = malloc(65536)) == NULL)
		return KNOWN_HOST_UNKNOWN;
	for (line = text; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', end - line)) == NULL)
			eol = end;
		p = line;
		if (!field(&p, eol, &f, &flen) || *f == '#')
			continue;
		is_revoked = 0;
		if (*f == '@') {
			if (flen != 8 || strncmp(f, "@revoked", 8) != 0)
				continue;	/* @cert-authority: not supported */
			is_revoked = 1;
			if (!field(&p, eol, &f, &flen))
				continue;
		}
		if (!patterns_match(f, flen, name))
			continue;
		if (!field(&p, eol, &f, &flen))
			continue;	/* no key type */
		if (!is_revoked && flen == typelen && memcmp(f, type, flen) == 0)
			same_type = 1;
		if (!field(&p, eol, &f, &flen))
			continue;	/* no key */
		if (flen > 0 && f[flen - 1] == '\r')
			flen--;
		bloblen = base64_decode(f, flen, blob);
		if (bloblen < 0)
			continue;
		if (is_revoked) {
			revoked |= (size_t)bloblen == keylen && memcmp(blob, key, keylen) == 0;
			continue;
		}
		named = 1;
		matched |= (size_t)bloblen == keylen && memcmp(blob, key, keylen) == 0;
	}
	free(blob);
	if (revoked)
		return KNOWN_HOST_REVOKED;
	if (matched)
		return KNOWN_HOST_MATCH;
	if (!named)
		return KNOWN_HOST_UNKNOWN;
	return same_type ? KNOWN_HOST_CHANGED : KNOWN_HOST_OTHER_TYPES;
}
