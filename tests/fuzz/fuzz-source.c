/*
 * fuzz-source-NAME: one compiled-in source's match function, on the
 * request the front would hand it. tests/fuzz/run.sh builds this file once
 * per sources/NAME.c, with -DSOURCE_SYM=source_NAME (dashes become
 * underscores, as in the Makefile's table).
 *
 * Input: header lines ("Name: value", LF or CRLF line ends), an empty
 * line, then the body: a request as the front reads it, less the request
 * line "POST /webhook HTTP/1.1", Host and Content-Length, which are added
 * here after the input's lines. Content-Type defaults to application/json,
 * added last, so a Content-Type line in the input wins, as the first
 * field of a name does in http_header. The seeds are the captured
 * deliveries of tests/payloads/<host>/, each .headers file's lines
 * over its body, so the event headers a source reads are all explored.
 *
 * The request goes the front's way: http_parse_head on the head in
 * head[], a refusal for any type but JSON or a form, form_field's payload
 * for a form, then the JSON parse of src/front/serve.c (cJSON_ParseWithLengthOpts,
 * only blanks after the value). The match function then runs for the
 * rules "*", "develop" and the source's built-in branch, twice each.
 *
 * Checks: the verdict is one of the three; a match is a refs/heads/ ref of
 * printable bytes, NUL-terminated in its array, that the rule wants, with
 * two object names of 40 lowercase hex digits, the new one not all zeros,
 * and a change that is an ADD when the old one is; an ignored or bad
 * verdict has a reason, NUL-terminated in why[]; the second run gives the
 * same result as the first (a source keeps no state).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"
#include "http.h"
#include "source.h"

#ifndef SOURCE_SYM
#error "build with -DSOURCE_SYM=source_NAME (see tests/fuzz/run.sh)"
#endif

extern const struct source SOURCE_SYM;

/* source.c's source_find reads the table; this binary holds one source. */
const struct source *const source_table[] = { &SOURCE_SYM, NULL };

#define JSON	"application/json"
#define FORM	"application/x-www-form-urlencoded"

/* The end of the input's header lines (the empty line), or NULL. */
static const uint8_t *
fields_end(const uint8_t *data, size_t size, const uint8_t **body)
{
	const uint8_t *p = data, *end = data + size;

	/* Leading empty line: no fields. */
	for (;;) {
		if (end - p >= 1 && p[0] == '\n') {
			*body = p + 1;
			return p;
		}
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			*body = p + 2;
			return p;
		}
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		p++;
	}
}

/* The request the front would have read, or NULL when it would refuse it. */
static struct http_request *
request(const uint8_t *data, size_t size)
{
	static const char line[] = "POST /webhook HTTP/1.1\r\n";
	struct http_request *r;
	const uint8_t *fields, *body;
	size_t flen, blen;
	char tail[128];
	int n;

	if ((fields = fields_end(data, size, &body)) == NULL)
		return NULL;
	flen = (size_t)(fields - data);
	blen = size - (size_t)(body - data);
	n = snprintf(tail, sizeof(tail), "Host: fuzz.invalid\r\nContent-Length: %zu\r\n"
	    "Content-Type: " JSON "\r\n\r\n", blen);
	if (sizeof(line) - 1 + flen + (size_t)n > LIMIT_HEAD_BYTES)
		return NULL;	/* 431 */
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->body = malloc(blen + 1)) == NULL)
		abort();
	memcpy(r->head, line, sizeof(line) - 1);
	memcpy(r->head + sizeof(line) - 1, data, flen);
	memcpy(r->head + sizeof(line) - 1 + flen, tail, (size_t)n);
	r->head_len = r->buffered = sizeof(line) - 1 + flen + (size_t)n;
	memcpy(r->body, body, blen);
	r->body[blen] = '\0';
	r->body_len = blen;
	if (http_parse_head(r, r->head, r->head_len) != 0 ||
	    r->content_length != blen ||
	    (!http_media_type_is(http_header(r, "Content-Type"), JSON) &&
	    !http_media_type_is(http_header(r, "Content-Type"), FORM))) {
		http_request_free(r);
		free(r);
		return NULL;
	}
	return r;
}

/* As src/front/serve.c parse_json: one value, then only blanks. */
static cJSON *
parse_json(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *json;

	json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (json != NULL && end != NULL)
		end += strspn(end, " \t\r\n");
	if (json == NULL || end != text + len) {
		cJSON_Delete(json);
		return NULL;
	}
	return json;
}

/* As src/front/serve.c judge_body, less the signature: the JSON the source sees. */
static cJSON *
body_json(const struct http_request *r)
{
	cJSON *json;
	char *payload;
	size_t len;

	if (!http_media_type_is(http_header(r, "Content-Type"), FORM))
		return parse_json(r->body, r->body_len);
	if ((payload = form_field(r->body, r->body_len, "payload", &len)) == NULL)
		return NULL;
	json = parse_json(payload, len);
	free(payload);
	return json;
}

static void
check_result(const struct source_result *res, const struct source_rule *rule)
{
	const struct push *p = &res->push;
	const char *c;

	FUZZ_CHECK(res->verdict == SOURCE_MATCH || res->verdict == SOURCE_IGNORED ||
	    res->verdict == SOURCE_BAD, "verdict %d", (int)res->verdict);
	if (res->verdict != SOURCE_MATCH) {
		FUZZ_CHECK(memchr(res->why, '\0', sizeof(res->why)) != NULL,
		    "why[] not NUL-terminated");
		FUZZ_CHECK(res->why[0] != '\0', "verdict %d without a reason",
		    (int)res->verdict);
		return;
	}
	FUZZ_CHECK(memchr(p->ref, '\0', sizeof(p->ref)) != NULL, "ref not NUL-terminated");
	/* A branch for BRANCH=, a tag for TAG=, never the other. */
	FUZZ_CHECK(strncmp(p->ref, rule->tag != NULL ? "refs/tags/" : "refs/heads/",
	    rule->tag != NULL ? 10 : 11) == 0 && p->ref[rule->tag != NULL ? 10 : 11] != '\0',
	    "matched %s", p->ref);
	for (c = p->ref; *c != '\0'; c++)
		FUZZ_CHECK((unsigned char)*c > ' ' && *c != 0x7f,
		    "byte 0x%02x in the matched ref", (unsigned char)*c);
	FUZZ_CHECK(source_wants_ref(rule, p->ref), "matched %s, not wanted by %s",
	    p->ref, rule->tag != NULL ? rule->tag : rule->branch);
	FUZZ_CHECK(source_oid_is_valid(p->old_oid) && source_oid_is_valid(p->new_oid),
	    "object names %.41s %.41s", p->old_oid, p->new_oid);
	FUZZ_CHECK(!source_oid_is_zero(p->new_oid), "match of a deletion");
	FUZZ_CHECK(p->change == PUSH_ADD || p->change == PUSH_UPDATE, "change %d",
	    (int)p->change);
	FUZZ_CHECK(!source_oid_is_zero(p->old_oid) || p->change == PUSH_ADD,
	    "an UPDATE from 40 zeros");
}

static void
check_same(const struct source_result *a, const struct source_result *b)
{
	FUZZ_CHECK(a->verdict == b->verdict, "verdict %d, then %d", (int)a->verdict,
	    (int)b->verdict);
	if (a->verdict == SOURCE_MATCH)
		FUZZ_CHECK(strcmp(a->push.ref, b->push.ref) == 0 &&
		    strcmp(a->push.old_oid, b->push.old_oid) == 0 &&
		    strcmp(a->push.new_oid, b->push.new_oid) == 0 &&
		    a->push.change == b->push.change, "another push the second time");
	else
		FUZZ_CHECK(strcmp(a->why, b->why) == 0, "\"%s\", then \"%s\"", a->why,
		    b->why);
}

static void
judge(const struct http_request *r, const cJSON *json, const char *branch,
    const char *tag)
{
	struct source_rule rule = { .branch = branch, .tag = tag };
	/* As src/front/serve.c starts it. */
	struct source_result first = { .verdict = SOURCE_IGNORED };
	struct source_result second = { .verdict = SOURCE_IGNORED };

	SOURCE_SYM.match(r, json, &rule, &first);
	check_result(&first, &rule);
	SOURCE_SYM.match(r, json, &rule, &second);
	check_same(&first, &second);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request *r;
	cJSON *json;

	if ((r = request(data, size)) == NULL)
		return 0;
	if ((json = body_json(r)) != NULL) {
		judge(r, json, "*", NULL);
		judge(r, json, "develop", NULL);
		if (SOURCE_SYM.builtin_branch != NULL)
			judge(r, json, SOURCE_SYM.builtin_branch, NULL);
		else	/* TAG= */
			judge(r, json, NULL, "*");
		cJSON_Delete(json);
	}
	http_request_free(r);
	free(r);
	return 0;
}
