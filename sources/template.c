/*
 * template: the skeleton of a source, to copy into sources/NAME.c.
 * It is not compiled into the program.
 *
 * Say here, as every source does: which sender, which event, which refs,
 * and what the source does with them.
 *
 * A source is one file and one struct named source_<NAME> (dashes become
 * underscores); the Makefile finds it and adds it to the table. Its match
 * function sees only the request and its parsed body; it must not open
 * files, connect anywhere, run anything or keep state.
 *
 * Judge the push with the helpers every real source uses (source.h), so
 * that tags, other refs and deletions are ignored with the ref named, the
 * same way for every host:
 *   source_event(req, "X-Event", res)       the event header, or res bad
 *   source_push_members(&push, obj, "ref", "before", "after")
 *                                           one change named by three
 *                                           string members of obj
 *   source_push_change(&push, ref, old, new)
 *                                           one change from values you
 *                                           found (OID_ZERO for the side
 *                                           that does not exist)
 *   source_push_end(&push)                  after the last change, when
 *                                           none was final: says why
 * Each change call returns 1 when the push is decided (a match, or a bad
 * name): stop reading then. For anything that is no push, end with
 *   source_ignore(res, "why", ...)          well-formed, not for us (200)
 *   source_bad(res, "why", ...)             not this source's payload (400)
 *
 * .signature says how the host proves a request is its own; the caller
 * checks it over the body's bytes as received, before match is called,
 * and answers 401 when it fails, whenever the config names SECRET_FILE:
 *   { SOURCE_UNSIGNED, NULL, NULL }         the host cannot sign
 *   { SOURCE_HMAC_SHA256, "X-Hub-Signature-256", "sha256=" }
 *                                           header = prefix + hex HMAC
 *   { SOURCE_HMAC_SHA256, "X-Gitea-Signature", NULL }
 *                                           bare hex HMAC, no prefix
 *   { SOURCE_TOKEN, "X-Gitlab-Token", NULL }
 *                                           header = the secret itself
 * Name the one header the host signs with; a host's legacy SHA-1 header
 * is never the one.
 */
#include <string.h>

#include "source.h"

static void
template_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	struct source_push push = SOURCE_PUSH_INIT(rule, res);
	const cJSON *change;
	const char *event;

	/* The host names its event in a header; answer 200 to the others. */
	if ((event = source_event(req, "X-Template-Event", res)) == NULL)
		return;
	if (strcmp(event, "push") != 0) {
		source_ignore(res, "X-Template-Event %s is not a push", event);
		return;
	}
	/* A host that sends one change per push: */
	if (cJSON_GetObjectItemCaseSensitive(body, "changes") == NULL) {
		if (!source_push_members(&push, body, "ref", "before", "after"))
			source_push_end(&push);
		return;
	}
	/* A host that lists several: every one is judged, in payload order. */
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(body, "changes"))) {
		source_bad(res, "changes is not an array: not a push payload");
		return;
	}
	cJSON_ArrayForEach(change, cJSON_GetObjectItemCaseSensitive(body, "changes"))
		if (source_push_members(&push, change, "ref", "before", "after"))
			return;
	source_push_end(&push);
}

const struct source source_template = {
	.name = "template",
	.display_name = "Template: copy me",
	.builtin_branch = NULL,		/* the config's BRANCH= is required */
	.signature = { SOURCE_UNSIGNED, NULL, NULL },
	.match = template_match,
};
