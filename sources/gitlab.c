/*
 * gitlab: GitLab webhooks: project hooks, system hooks and integrations.
 *
 * Sender: GitLab, X-Gitlab-Token carrying the hook's secret token itself
 * (GitLab does not sign; the caller compares the token). Events: the
 * body's object_kind decides, push or tag_push, one per ref, named by ref,
 * before and after. X-Gitlab-Event is not read: it says "Push Hook" or
 * "Tag Push Hook" from a project hook but "System Hook" or "Service Hook"
 * from the others for the same body, so it adds nothing the body does
 * not say. Other object kinds are ignored with a reason, as is a system
 * hook's body that has only event_name (project_create and the like):
 * GitLab disables a hook that keeps failing. Refs: a branch whose short
 * name BRANCH= matches, created or moved (before and after 40 zeros say
 * which); tag pushes and deletions are ignored with the ref named.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
gitlab_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const char *kind, *name;

	(void)req;
	if ((kind = source_string(body, "object_kind")) == NULL) {
		if ((name = source_string(body, "event_name")) != NULL)
			source_ignore(res, "event_name %s is not a push", name);
		else
			source_bad(res, "no object_kind: not a GitLab event");
		return;
	}
	if (strcmp(kind, "push") != 0 && strcmp(kind, "tag_push") != 0) {
		source_ignore(res, "object_kind %s is not a push", kind);
		return;
	}
	if (!source_push_members(&push, body, "ref", "before", "after"))
		source_push_end(&push);
}

const struct source source_gitlab = {
	.name = "gitlab",
	.display_name = "GitLab (Push Hook)",
	.builtin_branch = NULL,
	.signature = { SOURCE_TOKEN, "X-Gitlab-Token", NULL },
	.match = gitlab_match,
};
