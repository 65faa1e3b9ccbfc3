/*
 * bitbucket-cloud: Bitbucket Cloud (bitbucket.org) webhooks.
 *
 * Sender: bitbucket.org, X-Event-Key naming the event and, when the hook
 * has a secret, X-Hub-Signature "sha256=" and the hex HMAC-SHA256 of the
 * body. Event: repo:push, whose push.changes[] lists each ref the push
 * moved with its old and new state; other events are ignored with a
 * reason, as an error would count against the hook. Refs: a change names its ref by
 * short name and type (branch, tag, annotated_tag), so the full name is
 * built here: refs/heads/<name> for a branch, refs/tags/<name> for a tag.
 * A created ref has old null, a deleted one new null (created and closed
 * say the same), not 40 zeros. Every change is judged in order and the
 * first creation or move of a branch whose name BRANCH= matches is synced
 * to; tags, deletions and other kinds of ref are ignored with a reason.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <stdio.h>
#include <string.h>

#include "source.h"

/* The side's target commit, or NULL when the side is malformed. */
static const char *
side_hash(const cJSON *side)
{
	return source_string(cJSON_GetObjectItemCaseSensitive(side, "target"), "hash");
}

/* 1 when res is final, as source_push_change. */
static int
change_match(struct source_push *push, const cJSON *change)
{
	const cJSON *old_side = cJSON_GetObjectItemCaseSensitive(change, "old");
	const cJSON *new_side = cJSON_GetObjectItemCaseSensitive(change, "new");
	const cJSON *side = cJSON_IsObject(new_side) ? new_side : old_side;
	const char *name, *type, *prefix, *from = OID_ZERO, *to = OID_ZERO;
	char ref[LIMIT_REF_BYTES];
	int n;

	if ((!cJSON_IsObject(old_side) && !cJSON_IsNull(old_side)) ||
	    (!cJSON_IsObject(new_side) && !cJSON_IsNull(new_side)) ||
	    !cJSON_IsObject(side) ||
	    (name = source_string(side, "name")) == NULL ||
	    (type = source_string(side, "type")) == NULL ||
	    (cJSON_IsObject(old_side) && (from = side_hash(old_side)) == NULL) ||
	    (cJSON_IsObject(new_side) && (to = side_hash(new_side)) == NULL)) {
		source_bad(push->res, "push.changes entry without old or new, each null "
		    "or with a string name, type and target.hash");
		return 1;
	}
	if (strcmp(type, "branch") == 0)
		prefix = "refs/heads/";
	else if (strcmp(type, "tag") == 0 || strcmp(type, "annotated_tag") == 0)
		prefix = "refs/tags/";
	else {
		source_push_skip(push, "%s %s is not a branch", type, name);
		return 0;
	}
	n = snprintf(ref, sizeof(ref), "%s%s", prefix, name);
	if (n < 0 || (size_t)n >= sizeof(ref)) {
		source_bad(push->res, "ref name longer than %zu bytes", sizeof(ref) - 1);
		return 1;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(change, "created")))
		from = OID_ZERO;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(change, "closed")))
		to = OID_ZERO;
	return source_push_change(push, ref, from, to);
}

static void
bitbucket_cloud_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const cJSON *changes, *change;
	const char *event;

	if ((event = source_event(req, "X-Event-Key", res)) == NULL)
		return;
	if (strcmp(event, "repo:push") != 0) {
		source_ignore(res, "X-Event-Key %s is not a push", event);
		return;
	}
	changes = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(body, "push"), "changes");
	if (!cJSON_IsArray(changes)) {
		source_bad(res, "no push.changes array: not a Bitbucket Cloud push");
		return;
	}
	cJSON_ArrayForEach(change, changes)
		if (change_match(&push, change))
			return;
	source_push_end(&push);
}

const struct source source_bitbucket_cloud = {
	.name = "bitbucket-cloud",
	.display_name = "Bitbucket Cloud (repo:push)",
	.builtin_branch = NULL,
	.signature = { SOURCE_HMAC_SHA256, "X-Hub-Signature", "sha256=" },
	.match = bitbucket_cloud_match,
};
