/*
 * bitbucket-server: Bitbucket Server and Data Center's own webhooks.
 *
 * Sender: the server, X-Event-Key naming the event and, when the hook has
 * a secret, X-Hub-Signature "sha256=" and the hex HMAC-SHA256 of the body.
 * Events: repo:refs_changed, a push, with changes[] listing each ref it
 * moved (ref.id, the same as refId; fromHash, toHash; type ADD, UPDATE or
 * DELETE). mirror:repo_synchronized carries the same changes[] and is
 * accepted too: when CLONE_URL is a smart mirror, refs_changed arrives
 * before the mirror has the commits, and only this event says it has them
 * (subscribe the hook to one of the two, not both). Its changes[] is
 * empty when refLimitExceeded is true; that push is ignored with a reason
 * and left to the next --sync. diagnostics:ping, the "Test connection"
 * button, is answered 200; other events are ignored with a reason, as
 * an error would count against the hook. Refs: branches whose short name BRANCH=
 * matches; every change is judged in order and the first ADD or UPDATE of
 * a watched branch is synced to. Tags (ref.type TAG, whose name is under
 * refs/tags/ as well) and DELETEs are ignored with the ref named.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
changes_match(const cJSON *body, const struct source_rule *rule,
    struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const cJSON *changes, *change;
	const char *ref, *type, *from, *to;

	changes = cJSON_GetObjectItemCaseSensitive(body, "changes");
	if (!cJSON_IsArray(changes)) {
		source_bad(res, "no changes array: not a Bitbucket Server push");
		return;
	}
	cJSON_ArrayForEach(change, changes) {
		/* ref.id and refId are the same full name; older servers may
		 * send only one of them. */
		ref = source_string(cJSON_GetObjectItemCaseSensitive(change, "ref"), "id");
		if (ref == NULL)
			ref = source_string(change, "refId");
		type = source_string(change, "type");
		from = source_string(change, "fromHash");
		to = source_string(change, "toHash");
		if (ref == NULL || type == NULL || from == NULL || to == NULL) {
			source_bad(res, "changes entry without string ref.id, type, "
			    "fromHash and toHash");
			return;
		}
		if (strcmp(type, "ADD") == 0)
			from = OID_ZERO;
		else if (strcmp(type, "DELETE") == 0)
			to = OID_ZERO;
		else if (strcmp(type, "UPDATE") != 0) {
			source_bad(res, "%s: change type is not ADD, UPDATE or DELETE", ref);
			return;
		}
		if (source_push_change(&push, ref, from, to))
			return;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "refLimitExceeded")) &&
	    push.changes == 0) {
		source_ignore(res, "mirror synchronized more refs than Bitbucket lists "
		    "(refLimitExceeded); the next --sync will catch up");
		return;
	}
	source_push_end(&push);
}

static void
bitbucket_server_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	const char *event;

	if ((event = source_event(req, "X-Event-Key", res)) == NULL)
		return;
	if (strcmp(event, "repo:refs_changed") == 0 ||
	    strcmp(event, "mirror:repo_synchronized") == 0)
		changes_match(body, rule, res);
	else if (strcmp(event, "diagnostics:ping") == 0)
		source_ignore(res, "ping");
	else
		source_ignore(res, "X-Event-Key %s is not a push", event);
}

const struct source source_bitbucket_server = {
	.name = "bitbucket-server",
	.display_name = "Bitbucket Server / Data Center (repo:refs_changed)",
	.builtin_branch = NULL,
	.signature = { SOURCE_HMAC_SHA256, "X-Hub-Signature", "sha256=" },
	.match = bitbucket_server_match,
};
