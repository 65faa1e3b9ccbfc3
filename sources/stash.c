/*
 * stash: Atlassian Stash's "Post-Receive WebHooks" plugin (it also runs
 * on Bitbucket Server), for a deployment that follows the branches its
 * BRANCH= glob names.
 *
 * Sender: the plugin; a JSON body with no event header and no signature
 * (it cannot sign: restrict who may connect). Event: every push, one body
 * listing in refChanges[] each ref the push moved. Refs: branches whose
 * short name BRANCH= matches. Every entry is judged in order and the first
 * ADD or UPDATE of a watched branch is synced to; an UPDATE from 40 zeros
 * is a creation too (a real 2014 payload says so). Tags, other refs and
 * DELETEs are answered 200 with the reason. Its sibling stash-develop is
 * the same plugin with the branch built in.
 *
 * With TAG= instead of BRANCH=, a tag the glob takes is the match in
 * the same way, and branches are ignored (source.c judges both); an
 * annotated tag's object name is passed on as sent, and the helper
 * peels it to its commit.
 */
#include <string.h>

#include "source.h"

static void
stash_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const cJSON *changes, *change;
	const char *ref, *type, *from, *to;

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
			source_bad(res, "refChanges entry without string refId, type, "
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
	source_push_end(&push);
}

const struct source source_stash = {
	.name = "stash",
	.display_name = "Atlassian Stash (Post-Receive WebHooks plugin)",
	.builtin_branch = NULL,
	.signature = { SOURCE_UNSIGNED, NULL, NULL },	/* the plugin cannot sign */
	.match = stash_match,
};
