/*
 * stash-develop: Atlassian Stash's "Post-Receive WebHooks" plugin, for a
 * deployment that follows the develop branch.
 *
 * Sender: the Stash (Bitbucket Server) plugin; a JSON body with no event
 * header and no signature. Event: every push. Refs: refs/heads/develop
 * only, built in (this is Sentry's one-off source). It looks at every
 * entry of refChanges, not only the first: a push of several branches
 * names develop wherever it likes. ADD and UPDATE sync; DELETE is ignored.
 */
#include <string.h>

#include "source.h"

static void
stash_develop_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	const cJSON *changes, *change;
	const char *ref, *type, *from, *to;
	int deleted = 0;

	(void)req;
	changes = cJSON_GetObjectItemCaseSensitive(body, "refChanges");
	if (!cJSON_IsArray(changes)) {
		source_bad(res, "no refChanges array: not a Stash post-receive payload");
		return;
	}
	cJSON_ArrayForEach(change, changes) {
		ref = source_string(change, "refId");
		type = source_string(change, "type");
		from = source_string(change, "fromHash");
		to = source_string(change, "toHash");
		if (ref == NULL || type == NULL || from == NULL || to == NULL) {
			source_bad(res, "refChanges entry without refId, type, fromHash and toHash");
			return;
		}
		if (!source_wants_ref(rule, ref))
			continue;
		if (strcmp(type, "ADD") == 0 || strcmp(type, "UPDATE") == 0) {
			source_match(res, ref, from, to,
			    *type == 'A' || source_oid_is_zero(from) ? PUSH_ADD : PUSH_UPDATE);
			return;
		}
		if (strcmp(type, "DELETE") == 0)
			deleted = 1;
	}
	if (deleted)
		source_ignore(res, "refs/heads/%s was deleted", rule->branch);
	else
		source_ignore(res, "no change to refs/heads/%s", rule->branch);
}

const struct source source_stash_develop = {
	.name = "stash-develop",
	.display_name = "Atlassian Stash, develop branch (Post-Receive WebHooks)",
	.builtin_branch = "develop",
	.signature = { SOURCE_UNSIGNED, NULL, NULL },	/* the plugin cannot sign */
	.match = stash_develop_match,
};
