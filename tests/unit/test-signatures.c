/*
 * Every signed delivery of tests/payloads checked with the signature
 * its source declares and the secret the corpus' README documents: the
 * real one passes, and each has forged twins that must get 401 (a body
 * byte changed, no header, a wrong secret, a cut, garbage or mis-prefixed
 * value; for GitLab's token, a wrong token). While a secret is rotated
 * (two lines in SECRET_FILE) either one passes, and no other. Run from
 * the repository root.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signature.h"
#include "source.h"
#include "request.h"
#include "tap.h"

#define PAYLOADS	"tests/payloads/"

struct vector {
	const char	*file;		/* under PAYLOADS; .headers beside it */
	const char	*source;
	const char	*secret;
	const char	*header;	/* NULL: the source's own header */
};

/* The README's "Signature / secret vectors", each verified there with openssl. */
static const struct vector vectors[] = {
	{ "github/hmac-docs-test-vector.body", "github", "It's a Secret to Everybody", NULL },
	/* The README says this value was computed by the corpus' author, as the
	 * source's test does at run time. */
	{ "github/push-branch-update.json", "github",
	    "IsWishesWereHorsesWedAllBeEatingSteak!", NULL },
	{ "bitbucket-server/repo-refs_changed-branch-delete-signed.json", "bitbucket-server",
	    "secret", NULL },
	{ "bitbucket-server/repo-comment-added-real-delivery.json", "bitbucket-server",
	    "this is secret", NULL },
	{ "bitbucket-cloud/repo-push-branch-create-signed.json", "bitbucket-cloud",
	    "Gkvl$k$wyNpQAF42", NULL },
	{ "gitea/push-branch-create-signed.json", "gitea",
	    "IsWishesWereHorsesWedAllBeEatingSteak!", NULL },
	{ "gitea/create-branch-signed.json", "gitea",
	    "IsWishesWereHorsesWedAllBeEatingSteak!", NULL },
	{ "gitea/delete-branch-signed.json", "gitea",
	    "IsWishesWereHorsesWedAllBeEatingSteak!", NULL },
	/* The corpus has no signed Forgejo body; Forgejo signs as Gitea does
	 * (its real delivery sends one hex in X-Gitea-Signature and
	 * X-Forgejo-Signature), so Gitea's vector goes in Forgejo's header. */
	{ "gitea/push-branch-create-signed.json", "forgejo",
	    "IsWishesWereHorsesWedAllBeEatingSteak!", "X-Gitea-Signature" },
	{ "gogs/push-signed.json", "gogs", "sampleToken!", NULL },
	{ "gitlab/push-hook-doc-example.json", "gitlab", "sampleToken!", NULL },
	{ "gitlab/tag-push-hook-doc-example.json", "gitlab", "sampleToken!", NULL },
};

struct delivery {
	struct http_request	*req;
	char			*body;
	char			*headers;
};

/*
 * The request as the host sent it: the body and its .headers file, less
 * the header named drop, with the header named as set to value (when not
 * NULL) in its place, or added.
 */
static struct http_request *
request(const struct delivery *d, const char *drop, const char *as, const char *value)
{
	struct http_request *req = calloc(1, sizeof(*req));
	size_t used = 0;

	if (req == NULL)
		abort();
	req->method = "POST";
	req->path = "/webhook";
	req->body = d->body;
	req->body_len = d->req->body_len;
	if (d->headers != NULL)
		request_add_header_lines(req, &used, d->headers, drop);
	if (as != NULL && value != NULL)
		request_add_header(req, &used, as, strlen(as), value, strlen(value));
	return req;
}

static int
load(struct delivery *d, const char *file)
{
	char path[512];
	size_t len, stem = strcspn(file, ".");

	memset(d, 0, sizeof(*d));
	if ((d->req = calloc(1, sizeof(*d->req))) == NULL)
		return -1;
	snprintf(path, sizeof(path), PAYLOADS "%s", file);
	if ((d->body = tap_read_file(path, &len)) == NULL)
		return -1;
	d->req->body_len = len;
	snprintf(path, sizeof(path), PAYLOADS "%.*s.headers", (int)stem, file);
	d->headers = tap_read_file(path, &len);
	return d->headers == NULL ? -1 : 0;
}

static void
unload(struct delivery *d)
{
	free(d->req);
	free(d->body);
	free(d->headers);
}

/* secret is SECRET_FILE's text: one secret, or two on two lines. */
static int
verify(const struct source *src, const char *secret, struct http_request *req,
    char *why, size_t whylen)
{
	struct secret s = SECRET_INIT;
	unsigned char *bytes = (unsigned char *)strdup(secret);
	int rc;

	*why = '\0';
	if (bytes == NULL || secret_parse(&s, bytes, strlen(secret), why, whylen) == -1)
		return -1;
	rc = signature_verify(&src->signature, &s, req, why, whylen);
	secret_free(&s);
	return rc;
}

static void
expect(int want, const char *what, const struct vector *v, const struct source *src,
    const char *secret, struct http_request *req)
{
	char why[200];
	int got = verify(src, secret, req, why, sizeof(why));

	tap_ok(got == want, "%s by %s: %s: %d (got %d%s%s)", v->file, src->name, what,
	    want, got, *why ? ", " : "", why);
	free(req);
}

/* The header's value with its hex changed by how, "" when none. */
static void
twist(char *out, size_t len, const char *value, const char *prefix, const char *how)
{
	size_t n = prefix ? strlen(prefix) : 0;
	char *p;

	snprintf(out, len, "%s", value);
	if (strcmp(how, "cut") == 0)
		out[strlen(out) - 1] = '\0';
	else if (strcmp(how, "upper") == 0)
		for (p = out + n; *p != '\0'; p++)
			*p = toupper((unsigned char)*p);
	else if (strcmp(how, "garbage") == 0)
		out[n] = 'g';
	else if (strcmp(how, "longer") == 0)
		snprintf(out, len, "%s0", value);
	else if (strcmp(how, "other prefix") == 0)
		snprintf(out, len, "%s%s", n ? "sha1=" : "sha256=", value + n);
	else if (strcmp(how, "case of prefix") == 0 && n > 0)
		for (p = out; p < out + n; p++)
			*p = toupper((unsigned char)*p);
}

static void
hmac_twins(const struct vector *v, const struct source *src, struct delivery *d,
    const char *header, const char *value)
{
	static const char *hows[] = { "cut", "garbage", "longer", "other prefix",
	    "case of prefix" };
	const char *sig = src->signature.header, *prefix = src->signature.prefix;
	char twisted[256], what[64], wrong[256];
	size_t i, len;

	if (strcasecmp(header, sig) != 0)
		expect(401, "the value in the other host's header only", v, src, v->secret,
		    request(d, NULL, NULL, NULL));
	/* One byte of the body changed, the signature kept. */
	d->body[d->req->body_len / 2] ^= 0x01;
	expect(401, "one body byte changed", v, src, v->secret,
	    request(d, header, sig, value));
	d->body[d->req->body_len / 2] ^= 0x01;
	expect(401, "no signature header", v, src, v->secret, request(d, header, NULL, NULL));
	snprintf(wrong, sizeof(wrong), "%sx", v->secret);
	expect(401, "the secret with a byte more", v, src, wrong,
	    request(d, header, sig, value));
	len = strlen(v->secret);
	snprintf(wrong, sizeof(wrong), "%.*s", (int)(len - 1), v->secret);
	expect(401, "the secret a byte short", v, src, wrong, request(d, header, sig, value));
	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		if (prefix == NULL && strcmp(hows[i], "case of prefix") == 0)
			continue;
		twist(twisted, sizeof(twisted), value, prefix, hows[i]);
		snprintf(what, sizeof(what), "the signature, %s", hows[i]);
		expect(401, what, v, src, v->secret, request(d, header, sig, twisted));
	}
	expect(401, "an empty signature", v, src, v->secret, request(d, header, sig, ""));
	/*
	 * XXX signature.c decodes hex in either case, so the right MAC in
	 * upper case passes: it is the same MAC, and every host sends lower
	 * case. Recorded here so that a change of mind is a visible one.
	 */
	twist(twisted, sizeof(twisted), value, prefix, "upper");
	expect(0, "the signature in upper case (same MAC)", v, src, v->secret,
	    request(d, header, sig, twisted));
}

static void
token_twins(const struct vector *v, const struct source *src, struct delivery *d,
    const char *value)
{
	const char *sig = src->signature.header;
	char token[256];
	size_t len = strlen(value);

	expect(401, "no token header", v, src, v->secret, request(d, sig, NULL, NULL));
	snprintf(token, sizeof(token), "%.*s", (int)(len - 1), value);
	expect(401, "the token a byte short", v, src, v->secret, request(d, sig, sig, token));
	snprintf(token, sizeof(token), "%sx", value);
	expect(401, "the token with a byte more", v, src, v->secret,
	    request(d, sig, sig, token));
	snprintf(token, sizeof(token), "%s", value);
	token[0] ^= 0x20;
	expect(401, "the token in another case", v, src, v->secret,
	    request(d, sig, sig, token));
	expect(401, "an empty token", v, src, v->secret, request(d, sig, sig, ""));
	expect(401, "a wrong token", v, src, "anotherToken!", request(d, sig, sig, value));
	/* A token proves the sender, not the body: GitLab's weakness. */
	d->body[d->req->body_len / 2] ^= 0x01;
	expect(0, "one body byte changed (a token does not cover the body)", v, src,
	    v->secret, request(d, NULL, NULL, NULL));
	d->body[d->req->body_len / 2] ^= 0x01;
}

/* SECRET_FILE with two lines: the real secret first or second passes. */
static void
rotation(const struct vector *v, const struct source *src, struct delivery *d,
    const char *header, const char *value)
{
	const char *sig = src->signature.header;
	char file[600];

	snprintf(file, sizeof(file), "%s\nthe next secret\n", v->secret);
	expect(0, "rotating: the secret on line 1 of 2", v, src, file,
	    request(d, header, sig, value));
	snprintf(file, sizeof(file), "the old secret\r\n%s\r\n", v->secret);
	expect(0, "rotating: the secret on line 2 of 2 (CRLF)", v, src, file,
	    request(d, header, sig, value));
	expect(401, "rotating: two secrets, neither the host's", v, src,
	    "the old secret\nthe next secret", request(d, header, sig, value));
}

static void
vector(const struct vector *v)
{
	const struct source *src = source_find(v->source);
	const char *header = v->header ? v->header : src ? src->signature.header : NULL;
	struct delivery d;
	const char *value;
	char copy[256];

	if (src == NULL || header == NULL || load(&d, v->file) == -1) {
		tap_ok(0, "%s by %s: source, body or headers missing", v->file, v->source);
		unload(&d);
		return;
	}
	{
		struct http_request *all = request(&d, NULL, NULL, NULL);

		value = http_header(all, header);
		snprintf(copy, sizeof(copy), "%s", value ? value : "");
		free(all);
	}
	/* The real delivery, in the header the source reads. */
	expect(0, "the real signature", v, src, v->secret,
	    request(&d, header, src->signature.header, copy));
	rotation(v, src, &d, header, copy);
	if (src->signature.how == SOURCE_TOKEN)
		token_twins(v, src, &d, copy);
	else
		hmac_twins(v, src, &d, header, copy);
	unload(&d);
}

/* GitHub's legacy SHA-1 signature is never accepted. */
static void
sha1_only(void)
{
	static const struct vector v = { "github/push-branch-update-signed-sha1.json",
	    "github", "mysecret", NULL };
	const struct source *github = source_find("github");
	const struct source *bbs = source_find("bitbucket-server");
	struct delivery d;
	char value[256];

	if (github == NULL || bbs == NULL || load(&d, v.file) == -1) {
		tap_ok(0, "%s: source, body or headers missing", v.file);
		unload(&d);
		return;
	}
	/* As adnanh's test sends it: X-Hub-Signature, bare SHA-1 hex. */
	expect(401, "HMAC-SHA1 in X-Hub-Signature, none in X-Hub-Signature-256", &v, github,
	    v.secret, request(&d, NULL, NULL, NULL));
	/* As GitHub sends it, sha1= and the hex, to a source that reads
	 * X-Hub-Signature: neither the prefix nor the length is SHA-256's. */
	snprintf(value, sizeof(value), "sha1=f68df0375d7b03e3eb29b4cf9f9ec12e08f42ff8");
	expect(401, "sha1= and the hex in X-Hub-Signature", &v, bbs, v.secret,
	    request(&d, "X-Hub-Signature", "X-Hub-Signature", value));
	expect(401, "bare SHA-1 hex in X-Hub-Signature", &v, bbs,
	    v.secret, request(&d, NULL, NULL, NULL));
	/* The same hex in the SHA-256 header, with its prefix. */
	snprintf(value, sizeof(value), "sha256=f68df0375d7b03e3eb29b4cf9f9ec12e08f42ff8");
	expect(401, "SHA-1 hex as sha256= in X-Hub-Signature-256", &v, github, v.secret,
	    request(&d, NULL, "X-Hub-Signature-256", value));
	unload(&d);
}

/* What the caller relies on besides the vectors. */
static void
policy(void)
{
	const struct vector v = { "gogs/push-signed.json", "stash", "sampleToken!", NULL };
	struct secret none = SECRET_INIT;
	struct delivery d;
	char why[200] = "";

	if (load(&d, v.file) == -1) {
		tap_ok(0, "%s: body or headers missing", v.file);
		unload(&d);
		return;
	}
	expect(0, "an unsigned source with a secret: nothing to check", &v,
	    source_find("stash"), v.secret, request(&d, "X-Gogs-Signature", NULL, NULL));
	{
		struct http_request *req = request(&d, "X-Gogs-Signature", NULL, NULL);

		tap_ok(signature_verify(&source_find("gogs")->signature, &none, req, why,
		    sizeof(why)) == 0, "no SECRET_FILE: a signed source takes unsigned "
		    "requests (the config decides)");
		free(req);
	}
	unload(&d);
}

/* SECRET_FILE's shape: one or two non-empty lines, nothing else. */
static void
file_shapes(void)
{
	static const struct {
		const char	*text;
		size_t		 n;	/* secrets, or 0: refused */
		const char	*why;
	} shapes[] = {
		{ "one", 1, NULL },
		{ "one\n", 1, NULL },
		{ "one\r\n", 1, NULL },
		{ "one\ntwo", 2, NULL },
		{ "one\ntwo\n", 2, NULL },
		{ "one\ntwo\nthree\n", 0, "more than 2 lines" },
		{ "one\ntwo\n\n", 0, "more than 2 lines" },
		{ "one\n\n", 0, "line 2 is empty" },
		{ "\ntwo\n", 0, "line 1 is empty" },
		{ "\n", 0, "line 1 is empty" },
		{ "", 0, "is empty" },
		{ "one\ttab\n", 0, "line 1 holds a control character" },
		{ "one\ntw\ro\n", 0, "line 2 holds a control character" },
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct secret s = SECRET_INIT;
		unsigned char *buf = (unsigned char *)strdup(shapes[i].text);
		int rc;

		why[0] = '\0';
		rc = buf == NULL ? -2 : secret_parse(&s, buf, strlen(shapes[i].text), why,
		    sizeof(why));
		if (shapes[i].n > 0)
			tap_ok(rc == 0 && s.n == shapes[i].n && s.key[0].len == 3,
			    "SECRET_FILE of %zu bytes: %zu secret%s (%s)",
			    strlen(shapes[i].text), shapes[i].n, shapes[i].n == 1 ? "" : "s", why);
		else
			tap_ok(rc == -1 && strstr(why, shapes[i].why) != NULL && s.bytes == NULL,
			    "SECRET_FILE of %zu bytes refused: \"%s\"", strlen(shapes[i].text), why);
		secret_free(&s);
	}
}

int
main(void)
{
	size_t i;

	file_shapes();
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		vector(&vectors[i]);
	sha1_only();
	policy();
	return tap_done();
}
