/*
 * github: GitHub (and GitHub Enterprise Server) webhooks.
 *
 * Sender: GitHub, X-GitHub-Event naming the event and, when the hook has a
 * secret, X-Hub-Signature-256 "sha256=" and the hex HMAC-SHA256 of the
 * body. The legacy X-Hub-Signature (HMAC-SHA1) is never read: SHA-1 alone
 * is not accepted. Event: push, one per ref, named by ref, before and
 * after, with created and deleted saying what the 40 zeros say; ping,
 * sent when the hook is made, is answered 200; other events are ignored
 * with a reason, as an error would count against the hook. Refs: a branch whose
 * short name BRANCH= matches, created or moved; tags and deletions are
 * ignored with the ref named. The form content type is decoded by the
 * caller, so its payload field reaches this file as JSON.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
github_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const char *event, *ref, *before, *after;

	if ((event = source_event(req, "X-GitHub-Event", res)) == NULL)
		return;
	if (strcmp(event, "ping") == 0) {
		source_ignore(res, "ping");
		return;
	}
	if (strcmp(event, "push") != 0) {
		source_ignore(res, "X-GitHub-Event %s is not a push", event);
		return;
	}
	ref = source_string(body, "ref");
	before = source_string(body, "before");
	after = source_string(body, "after");
	if (ref == NULL || before == NULL || after == NULL) {
		source_bad(res, "no string ref, before and after: not a GitHub push");
		return;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "created")))
		before = OID_ZERO;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "deleted")))
		after = OID_ZERO;
	if (!source_push_change(&push, ref, before, after))
		source_push_end(&push);
}

const struct source source_github = {
	.name = "github",
	.display_name = "GitHub (push)",
	.builtin_branch = NULL,
	.signature = { SOURCE_HMAC_SHA256, "X-Hub-Signature-256", "sha256=" },
	.match = github_match,
};
