/*
 * gitea: Gitea webhooks.
 *
 * Sender: Gitea, X-Gitea-Event naming the event and, when the hook has a
 * secret, X-Gitea-Signature: the bare hex HMAC-SHA256 of the body, no
 * prefix. Event: push, one per ref, named by ref, before and after (40
 * zeros on the side that does not exist). Gitea also sends separate
 * create and delete events, whose ref is a short name: they are ignored
 * with a reason, since the push event that comes with a new branch
 * carries the same change, and deletions are never synced. Other events
 * are ignored with a reason too: an error would count against the hook. Refs: a branch
 * whose short name BRANCH= matches, created or moved; tags and deletions
 * are ignored with the ref named.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
gitea_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const char *event, *ref;

	if ((event = source_event(req, "X-Gitea-Event", res)) == NULL)
		return;
	if (strcmp(event, "create") == 0 || strcmp(event, "delete") == 0) {
		ref = source_string(body, "ref");
		source_ignore(res, "X-Gitea-Event %s of %s: only push events are "
		    "judged", event, ref ? ref : "a ref");
		return;
	}
	if (strcmp(event, "push") != 0) {
		source_ignore(res, "X-Gitea-Event %s is not a push", event);
		return;
	}
	if (!source_push_members(&push, body, "ref", "before", "after"))
		source_push_end(&push);
}

const struct source source_gitea = {
	.name = "gitea",
	.display_name = "Gitea (push)",
	.builtin_branch = NULL,
	.signature = { SOURCE_HMAC_SHA256, "X-Gitea-Signature", NULL },
	.match = gitea_match,
};
