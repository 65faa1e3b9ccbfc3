/*
 * forgejo: Forgejo webhooks (Codeberg runs Forgejo).
 *
 * Sender: Forgejo, X-Forgejo-Event naming the event and, when the hook
 * has a secret, X-Forgejo-Signature: the bare hex HMAC-SHA256 of the body,
 * no prefix. A real delivery carries Gitea's, Gogs' and GitHub's headers
 * as well, with the same values; X-Forgejo-Event is read first and
 * X-Gitea-Event only when it is absent, as from a Forgejo that sends
 * Gitea's headers alone (a signed hook there needs SOURCE=gitea, since
 * only X-Forgejo-Signature is checked here). Event: push, one per ref,
 * named by ref, before and after (40 zeros on the side that does not
 * exist). The separate create and delete events are ignored with a
 * reason (the push event carries a new branch; deletions are never
 * synced), as are other events: an error would count against the hook. Refs: a
 * branch whose short name BRANCH= matches, created or moved; tags and
 * deletions are ignored with the ref named.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
forgejo_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const char *event, *ref;

	if ((event = http_header(req, "X-Forgejo-Event")) == NULL &&
	    (event = http_header(req, "X-Gitea-Event")) == NULL) {
		source_bad(res, "no X-Forgejo-Event or X-Gitea-Event header: not a "
		    "delivery from Forgejo");
		return;
	}
	if (strcmp(event, "create") == 0 || strcmp(event, "delete") == 0) {
		ref = source_string(body, "ref");
		source_ignore(res, "Forgejo event %s of %s: only push events are "
		    "judged", event, ref ? ref : "a ref");
		return;
	}
	if (strcmp(event, "push") != 0) {
		source_ignore(res, "Forgejo event %s is not a push", event);
		return;
	}
	if (!source_push_members(&push, body, "ref", "before", "after"))
		source_push_end(&push);
}

const struct source source_forgejo = {
	.name = "forgejo",
	.display_name = "Forgejo (push)",
	.builtin_branch = NULL,
	.signature = { SOURCE_HMAC_SHA256, "X-Forgejo-Signature", NULL },
	.match = forgejo_match,
};
