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
 * files, connect anywhere, run anything or keep state. It ends by calling
 * exactly one of:
 *   source_match(res, ref, old, new, change)  a push to sync to (200)
 *   source_ignore(res, "why", ...)            well-formed, not for us (200)
 *   source_bad(res, "why", ...)               not this source's payload (400)
 * source_match checks the ref and object names itself. For a host that
 * lists several changes in one push, source_push_change (source.h) judges
 * each in turn and says why none matched.
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
#include "source.h"

static void
template_match(const struct http_request *req, const cJSON *body,
    const struct source_rule *rule, struct source_result *res)
{
	const char *ref, *before, *after;

	(void)req;	/* headers: http_header(req, "X-Event") */
	ref = source_string(body, "ref");
	before = source_string(body, "before");
	after = source_string(body, "after");
	if (ref == NULL || before == NULL || after == NULL) {
		source_bad(res, "no ref, before and after: not a push payload");
		return;
	}
	if (!source_wants_ref(rule, ref)) {
		source_ignore(res, "%s is not a watched branch", ref);
		return;
	}
	if (source_oid_is_zero(after)) {
		source_ignore(res, "%s was deleted", ref);
		return;
	}
	source_match(res, ref, before, after,
	    source_oid_is_zero(before) ? PUSH_ADD : PUSH_UPDATE);
}

const struct source source_template = {
	.name = "template",
	.display_name = "Template: copy me",
	.builtin_branch = NULL,		/* the config's BRANCH= is required */
	.signature = { SOURCE_UNSIGNED, NULL, NULL },
	.match = template_match,
};
