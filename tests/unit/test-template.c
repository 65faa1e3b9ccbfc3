/*
 * sources/template.c built as a real source (make check links it here as
 * it would link sources/NAME.c) and given the pushes every source must
 * judge alike: a watched branch moved or created is the push; tags, other
 * branches and deletions are ignored with the ref named; every change of
 * a list is considered; a body that is no push is bad. A copy of the
 * template that breaks this fails here first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "source.h"
#include "tap.h"

#define A40	"1111111111111111111111111111111111111111"
#define B40	"2222222222222222222222222222222222222222"

extern const struct source source_template;

static struct source_result
judge(const char *event, const char *text, const char *branch)
{
	struct source_rule rule = { .branch = branch };
	struct source_result res;
	struct http_request *req = calloc(1, sizeof(*req));
	cJSON *json = cJSON_Parse(text);
	size_t used = 0;

	memset(&res, 0, sizeof(res));
	res.verdict = -1;
	if (req == NULL || json == NULL) {
		printf("Bail out! cannot build the request\n");
		exit(1);
	}
	req->method = "POST";
	req->path = "/webhook";
	request_add_header(req, &used, "X-Template-Event", 16, event, strlen(event));
	source_template.match(req, json, &rule, &res);
	cJSON_Delete(json);
	free(req);
	return res;
}

static void
expect(const char *what, struct source_result r, enum source_verdict v, const char *has)
{
	const char *seen = v == SOURCE_MATCH ? r.push.ref : r.why;

	tap_ok(r.verdict == v && strstr(seen, has) != NULL, "%s (verdict %d, \"%s\")",
	    what, r.verdict, seen);
}

int
main(void)
{
	struct source_result r;

	r = judge("push", "{\"ref\":\"refs/heads/develop\",\"before\":\"" A40
	    "\",\"after\":\"" B40 "\"}", "develop");
	expect("a push to the watched branch matches", r, SOURCE_MATCH, "refs/heads/develop");
	tap_ok(r.verdict == SOURCE_MATCH && strcmp(r.push.old_oid, A40) == 0 &&
	    strcmp(r.push.new_oid, B40) == 0 && r.push.change == PUSH_UPDATE,
	    "its old and new commits are the payload's, as an update");
	r = judge("push", "{\"ref\":\"refs/heads/develop\",\"before\":\"" OID_ZERO
	    "\",\"after\":\"" B40 "\"}", "develop");
	tap_ok(r.verdict == SOURCE_MATCH && r.push.change == PUSH_ADD,
	    "a created branch is a push too, as an add");
	expect("a tag named like the branch is a tag, not a branch", judge("push",
	    "{\"ref\":\"refs/tags/develop\",\"before\":\"" OID_ZERO "\",\"after\":\"" B40 "\"}",
	    "develop"), SOURCE_IGNORED, "refs/tags/develop is a tag");
	expect("another branch is ignored, named", judge("push",
	    "{\"ref\":\"refs/heads/main\",\"before\":\"" A40 "\",\"after\":\"" B40 "\"}",
	    "develop"), SOURCE_IGNORED, "refs/heads/main");
	expect("a deleted watched branch is ignored, named", judge("push",
	    "{\"ref\":\"refs/heads/develop\",\"before\":\"" A40 "\",\"after\":\"" OID_ZERO "\"}",
	    "develop"), SOURCE_IGNORED, "refs/heads/develop");
	expect("in a list, the watched branch after a tag is the push", judge("push",
	    "{\"changes\":[{\"ref\":\"refs/tags/v1\",\"before\":\"" OID_ZERO "\",\"after\":\""
	    A40 "\"},{\"ref\":\"refs/heads/develop\",\"before\":\"" A40 "\",\"after\":\""
	    B40 "\"}]}", "develop"), SOURCE_MATCH, "refs/heads/develop");
	expect("another event is ignored", judge("ping", "{}", "develop"),
	    SOURCE_IGNORED, "ping");
	expect("a push without ref is bad", judge("push", "{\"before\":\"" A40 "\"}", "develop"),
	    SOURCE_BAD, "ref");
	expect("a changes member that is no list is bad", judge("push", "{\"changes\":1}",
	    "develop"), SOURCE_BAD, "changes");
	return tap_done();
}
