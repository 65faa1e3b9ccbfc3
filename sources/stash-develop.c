/*
 * stash-develop: Atlassian Stash's "Post-Receive WebHooks" plugin, for a
 * deployment that follows the develop branch: Sentry's one-off source.
 *
 * Sender: the Stash (Bitbucket Server) plugin; a JSON body with no event
 * header and no signature. Event: every push. Refs: refs/heads/develop
 * only, built in (the config must not set BRANCH). The payload is the
 * stash source's, so its judge is stash's: every refChanges entry is
 * looked at, not only the first; ADD and UPDATE sync, DELETE is ignored.
 * Referring to source_stash by name makes the link fail, rather than a
 * request, if sources/stash.c is ever removed.
 */
#include "source.h"

extern const struct source source_stash;

static void
stash_develop_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	source_stash.match(req, body, rule, res);
}

const struct source source_stash_develop = {
	.name = "stash-develop",
	.display_name = "Atlassian Stash, develop branch (Post-Receive WebHooks)",
	.builtin_branch = "develop",
	.signature = { SOURCE_UNSIGNED, NULL, NULL },	/* the plugin cannot sign */
	.match = stash_develop_match,
};
