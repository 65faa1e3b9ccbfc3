/*
 * The stash-develop source on the real Stash payloads of tests/payloads
 * and on hostile twins. Expected values were read from the files
 * themselves (the refChanges of each), not from the parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "tap.h"

#define PAYLOADS	"tests/payloads/stash/"
#define Z40		"0000000000000000000000000000000000000000"

static const struct source *src;

static struct source_result
judge_text(const char *text, const char *branch)
{
	struct source_rule rule = { .branch = branch };
	struct source_result res;
	struct http_request *req = calloc(1, sizeof(*req));
	cJSON *json = cJSON_Parse(text);

	memset(&res, 0, sizeof(res));
	res.verdict = -1;
	if (json != NULL)
		src->match(req, json, &rule, &res);
	cJSON_Delete(json);
	free(req);
	return res;
}

static struct source_result
judge_file(const char *name, const char *branch)
{
	struct source_result res;
	char path[256];
	size_t len;
	char *text;

	snprintf(path, sizeof(path), PAYLOADS "%s", name);
	if ((text = tap_read_file(path, &len)) == NULL) {
		memset(&res, 0, sizeof(res));
		res.verdict = -1;
		return res;
	}
	res = judge_text(text, branch);
	free(text);
	return res;
}

static void
expect_match(const char *name, const char *branch, const char *ref,
    const char *old, const char *new, enum push_change change)
{
	struct source_result r = judge_file(name, branch);

	tap_ok(r.verdict == SOURCE_MATCH && strcmp(r.push.ref, ref) == 0 &&
	    strcmp(r.push.old_oid, old) == 0 && strcmp(r.push.new_oid, new) == 0 &&
	    r.push.change == change, "%s, watching %s: %s %.7s..%.7s", name, branch,
	    ref, old, new);
}

static void
expect_verdict(const char *what, struct source_result r, enum source_verdict v,
    const char *why_has)
{
	tap_ok(r.verdict == v && strstr(r.why, why_has) != NULL,
	    "%s: %s (got %d \"%s\")", what, v == SOURCE_IGNORED ? "ignored" : "bad",
	    r.verdict, r.why);
}

int
main(void)
{
	static const char *stock[] = {
		"post-receive-branch-create-2014-edited.json", "post-receive-branch-create.json",
		"post-receive-branch-delete-2014.json", "post-receive-branch-delete.json",
		"post-receive-branch-update.json", "post-receive-doc-example.json",
	};
	size_t i;

	src = source_find("stash-develop");
	if (!tap_ok(src != NULL && strcmp(src->builtin_branch, "develop") == 0,
	    "stash-develop is compiled in and follows develop"))
		return tap_done();

	/* None of the real payloads touches develop; the reason names the
	 * branch each one changed. */
	for (i = 0; i < sizeof(stock) / sizeof(stock[0]); i++)
		expect_verdict(stock[i], judge_file(stock[i], "develop"), SOURCE_IGNORED,
		    "refs/heads/");

	/* The same payloads, watching the branch they push. */
	expect_match("post-receive-branch-update.json", "feature_branch",
	    "refs/heads/feature_branch", "6b1c3cca52bc27b3073084656186048b6d2f6a67",
	    "08ea6861a4ab73facb1ca42309f295d5ceb77127", PUSH_UPDATE);
	expect_match("post-receive-branch-create.json", "feature_branch",
	    "refs/heads/feature_branch", Z40,
	    "6b1c3cca52bc27b3073084656186048b6d2f6a67", PUSH_ADD);
	expect_match("post-receive-doc-example.json", "master", "refs/heads/master",
	    "2c847c4e9c2421d038fff26ba82bc859ae6ebe20",
	    "f259e9032cdeb1e28d073e8a79a1fd6f9587f233", PUSH_UPDATE);
	/* Type UPDATE with an all-zero fromHash is a creation all the same. */
	expect_match("post-receive-branch-create-2014-edited.json", "dev_hook_test",
	    "refs/heads/dev_hook_test", Z40,
	    "30f6aabc3f5024aadce4f301287fa4f6d84f185d", PUSH_ADD);
	expect_verdict("post-receive-branch-delete.json, watching feature_branch",
	    judge_file("post-receive-branch-delete.json", "feature_branch"),
	    SOURCE_IGNORED, "deleted");

	/* develop as the second change of a push, after another branch. */
	{
		struct source_result r = judge_text("{\"refChanges\":["
		    "{\"refId\":\"refs/heads/main\",\"fromHash\":\"" Z40 "\",\"toHash\":"
		    "\"1111111111111111111111111111111111111111\",\"type\":\"ADD\"},"
		    "{\"refId\":\"refs/heads/develop\",\"fromHash\":"
		    "\"2222222222222222222222222222222222222222\",\"toHash\":"
		    "\"3333333333333333333333333333333333333333\",\"type\":\"UPDATE\"}]}",
		    "develop");
		tap_ok(r.verdict == SOURCE_MATCH &&
		    strcmp(r.push.new_oid, "3333333333333333333333333333333333333333") == 0,
		    "develop as the second of two refChanges matches");
	}

	/* Hostile twins. */
	expect_verdict("refChanges missing", judge_text("{\"changes\":[]}", "develop"),
	    SOURCE_BAD, "refChanges");
	expect_verdict("refChanges an object",
	    judge_text("{\"refChanges\":{\"refId\":\"refs/heads/develop\"}}", "develop"),
	    SOURCE_BAD, "refChanges");
	expect_verdict("refId a number", judge_text("{\"refChanges\":[{\"refId\":7,"
	    "\"fromHash\":\"" Z40 "\",\"toHash\":\"" Z40 "\",\"type\":\"ADD\"}]}",
	    "develop"), SOURCE_BAD, "refId");
	expect_verdict("toHash not hex", judge_text("{\"refChanges\":[{\"refId\":"
	    "\"refs/heads/develop\",\"fromHash\":\"" Z40 "\",\"toHash\":"
	    "\"../../../../etc/passwd\",\"type\":\"ADD\"}]}", "develop"),
	    SOURCE_BAD, "hex");
	expect_verdict("uppercase hex", judge_text("{\"refChanges\":[{\"refId\":"
	    "\"refs/heads/develop\",\"fromHash\":\"" Z40 "\",\"toHash\":"
	    "\"ABCDEF0000000000000000000000000000000000\",\"type\":\"ADD\"}]}", "develop"),
	    SOURCE_BAD, "hex");
	expect_verdict("develop DELETE", judge_text("{\"refChanges\":[{\"refId\":"
	    "\"refs/heads/develop\",\"fromHash\":\"1111111111111111111111111111111111111111\","
	    "\"toHash\":\"" Z40 "\",\"type\":\"DELETE\"}]}", "develop"),
	    SOURCE_IGNORED, "deleted");
	expect_verdict("a tag named develop", judge_text("{\"refChanges\":[{\"refId\":"
	    "\"refs/tags/develop\",\"fromHash\":\"" Z40 "\",\"toHash\":"
	    "\"1111111111111111111111111111111111111111\",\"type\":\"ADD\"}]}", "develop"),
	    SOURCE_IGNORED, "is a tag");
	expect_verdict("develop-next is not develop", judge_text("{\"refChanges\":[{\"refId\":"
	    "\"refs/heads/develop-next\",\"fromHash\":\"" Z40 "\",\"toHash\":"
	    "\"1111111111111111111111111111111111111111\",\"type\":\"ADD\"}]}", "develop"),
	    SOURCE_IGNORED, "not a watched branch (develop)");
	expect_verdict("empty refChanges", judge_text("{\"refChanges\":[]}", "develop"),
	    SOURCE_IGNORED, "changes no ref");
	return tap_done();
}
