/*
 * What every source shares: the table lookup and the judging of refs and
 * object names. Nothing here knows any host's payload format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gitname.h"
#include "source.h"

const struct source *
source_find(const char *name)
{
	const struct source *const *s;

	for (s = source_table; *s != NULL; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

/* A ref whose short name the rule takes (gitname.h). */
int
source_wants_ref(const struct source_rule *rule, const char *ref)
{
	const char *branch = gitname_branch(ref), *tag = gitname_tag(ref);

	if (rule->tag != NULL)
		return tag != NULL && gitname_tag_takes(rule->tag, tag);
	return branch != NULL && gitname_rule_takes(rule->branch, branch);
}

int
source_oid_is_valid(const char *oid)
{
	size_t i;

	for (i = 0; i < OID_HEX_LEN; i++)
		if (!((oid[i] >= '0' && oid[i] <= '9') || (oid[i] >= 'a' && oid[i] <= 'f')))
			return 0;
	return oid[i] == '\0';
}

int
source_oid_is_zero(const char *oid)
{
	return strspn(oid, "0") == OID_HEX_LEN && oid[OID_HEX_LEN] == '\0';
}

/* The value of a string member, or NULL when absent or of another type. */
const char *
source_string(const cJSON *object, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/*
 * Record the push; the ref and object names came from a peer, so they are
 * checked here once for every source: what leaves this module is a branch
 * or tag ref of printable bytes and two 40-hex object names.
 */
void
source_match(struct source_result *res, const char *ref, const char *old_oid,
    const char *new_oid, enum push_change change)
{
	const char *p;

	if (strlen(ref) >= sizeof(res->push.ref)) {
		source_bad(res, "ref name longer than %zu bytes", sizeof(res->push.ref) - 1);
		return;
	}
	for (p = ref; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			source_bad(res, "ref name with a space or control character");
			return;
		}
	if (!source_oid_is_valid(old_oid) || !source_oid_is_valid(new_oid) ||
	    source_oid_is_zero(new_oid)) {
		source_bad(res, "%s: object names must be 40 lowercase hex digits", ref);
		return;
	}
	res->verdict = SOURCE_MATCH;
	strcpy(res->push.ref, ref);
	memcpy(res->push.old_oid, old_oid, OID_HEX_LEN + 1);
	memcpy(res->push.new_oid, new_oid, OID_HEX_LEN + 1);
	res->push.change = change;
}

static void
set_verdict(struct source_result *res, enum source_verdict v, const char *fmt, va_list ap)
{
	res->verdict = v;
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
}

void
source_ignore(struct source_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_verdict(res, SOURCE_IGNORED, fmt, ap);
	va_end(ap);
}

void
source_bad(struct source_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_verdict(res, SOURCE_BAD, fmt, ap);
	va_end(ap);
}

/*
 * How much a reason tells the operator: any change beats none, and a
 * watched branch that was deleted beats a change to something else.
 */
enum {
	RANK_NONE,
	RANK_OTHER,
	RANK_WATCHED
};

static void
push_vreason(struct source_push *p, int rank, const char *fmt, va_list ap)
{
	if (rank <= p->rank)
		return;
	p->rank = rank;
	set_verdict(p->res, SOURCE_IGNORED, fmt, ap);
}

static void __attribute__((format(printf, 3, 4)))
push_reason(struct source_push *p, int rank, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	push_vreason(p, rank, fmt, ap);
	va_end(ap);
}

int
source_push_change(struct source_push *p, const char *ref, const char *old_oid,
    const char *new_oid)
{
	int wanted;

	p->changes++;
	if (p->rule->tag != NULL ? gitname_tag(ref) == NULL : gitname_branch(ref) == NULL) {
		push_reason(p, RANK_OTHER, "%s is %s", ref, p->rule->tag != NULL ?
		    (gitname_branch(ref) != NULL ? "a branch, not a tag" : "not a tag") :
		    (gitname_tag(ref) != NULL ? "a tag, not a branch" : "not a branch"));
		return 0;
	}
	wanted = source_wants_ref(p->rule, ref);
	/* A deleted tag, as a deleted branch: nothing to deploy. */
	if (source_oid_is_zero(new_oid)) {
		push_reason(p, wanted ? RANK_WATCHED : RANK_OTHER, "%s was deleted", ref);
		return 0;
	}
	if (!wanted) {
		push_reason(p, RANK_OTHER, "%s is not a watched %s (%s)", ref,
		    p->rule->tag != NULL ? "tag" : "branch",
		    p->rule->tag != NULL ? p->rule->tag : p->rule->branch);
		return 0;
	}
	source_match(p->res, ref, old_oid, new_oid,
	    source_oid_is_zero(old_oid) ? PUSH_ADD : PUSH_UPDATE);
	return 1;
}

int
source_push_members(struct source_push *p, const cJSON *object, const char *ref_key,
    const char *old_key, const char *new_key)
{
	const char *ref, *old_oid, *new_oid;

	ref = source_string(object, ref_key);
	old_oid = source_string(object, old_key);
	new_oid = source_string(object, new_key);
	if (ref == NULL || old_oid == NULL || new_oid == NULL) {
		source_bad(p->res, "no string %s, %s and %s: not a push", ref_key,
		    old_key, new_key);
		return 1;
	}
	return source_push_change(p, ref, old_oid, new_oid);
}

void
source_push_skip(struct source_push *p, const char *fmt, ...)
{
	va_list ap;

	p->changes++;
	va_start(ap, fmt);
	push_vreason(p, RANK_OTHER, fmt, ap);
	va_end(ap);
}

void
source_push_end(struct source_push *p)
{
	struct source_result *res = p->res;
	size_t len;

	if (p->changes == 0) {
		source_ignore(res, "the push changes no ref");
		return;
	}
	len = strlen(res->why);
	if (p->changes > 1 && len < sizeof(res->why))
		snprintf(res->why + len, sizeof(res->why) - len,
		    " (and %u more change%s, none to sync)", p->changes - 1,
		    p->changes > 2 ? "s" : "");
}

const char *
source_event(const struct http_request *req, const char *header,
    struct source_result *res)
{
	const char *event = http_header(req, header);

	if (event == NULL)
		source_bad(res, "no %s header: not a delivery from this host", header);
	return event;
}
