/*
 * Every source on the corpus of tests/payloads, one TAP line per row
 * of tests/payloads.tsv (whose expected values come from the corpus'
 * README and the files, not from these parsers), then hostile twins: bad
 * shapes, other events, pings, and pushes of several changes, each of
 * which must be reachable, not only the first. Run from the repository
 * root, as tests/run.sh does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "request.h"
#include "tap.h"

#define TABLE		"tests/payloads.tsv"
#define PAYLOADS	"tests/payloads/"
#define COLUMNS		11

#define Z	"0000000000000000000000000000000000000000"
#define A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C	"cccccccccccccccccccccccccccccccccccccccc"
#define D	"dddddddddddddddddddddddddddddddddddddddd"

static const char *verdict_names[] = { "match", "ignored", "bad" };

static const char *
verdict_name(int v)
{
	return v >= 0 && v <= SOURCE_BAD ? verdict_names[v] : "none";
}

/* A POST request with the first header (if any), then the lines. */
static struct http_request *
request(const char *name, const char *value, const char *lines)
{
	struct http_request *req = calloc(1, sizeof(*req));
	size_t used = 0;

	if (req == NULL)
		abort();
	req->method = "POST";
	req->path = "/webhook";
	if (name != NULL)
		request_add_header(req, &used, name, strlen(name), value, strlen(value));
	if (lines != NULL)
		request_add_header_lines(req, &used, lines, NULL);
	return req;
}

/* A body the caller could not parse is answered 400, as serve.c does. */
static struct source_result
judge(const struct source *src, struct http_request *req, const char *body,
    size_t len, const char *branch)
{
	struct source_rule rule = { .branch = branch };
	struct source_result res;
	cJSON *json;

	/* payloads.tsv's tag:GLOB: a TAG= rule. */
	if (strncmp(branch, "tag:", 4) == 0) {
		rule.branch = NULL;
		rule.tag = branch + 4;
	}

	memset(&res, 0, sizeof(res));
	res.verdict = -1;
	req->body = (char *)body;
	req->body_len = len;
	if ((json = cJSON_ParseWithLength(body, len)) == NULL)
		source_bad(&res, "body is not valid JSON");
	else
		src->match(req, json, &rule, &res);
	cJSON_Delete(json);
	return res;
}

/* Split a line into COLUMNS tab-separated fields, in place. */
static int
split(char *line, char **col)
{
	int n = 0;

	for (;;) {
		col[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
		if (n == COLUMNS)
			return -1;
	}
	return n == COLUMNS ? 0 : -1;
}

static char *
read_headers(const char *dir, const char *file)
{
	char path[512];
	size_t len, stem = strcspn(file, ".");

	snprintf(path, sizeof(path), PAYLOADS "%s/%.*s.headers", dir, (int)stem, file);
	return tap_read_file(path, &len);
}

static void
row(char **col)
{
	const char *dir = col[0], *file = col[1], *name = col[2], *hname = col[3];
	const char *hvalue = col[4], *branch = col[5], *verdict = col[6];
	const char *ref = col[7], *old = col[8], *new = col[9], *change = col[10];
	const struct source *src = source_find(name);
	struct source_result r;
	struct http_request *req;
	char path[512], *body, *headers;
	size_t len;
	int want, ok;

	snprintf(path, sizeof(path), PAYLOADS "%s/%s", dir, file);
	if (src == NULL || (body = tap_read_file(path, &len)) == NULL) {
		tap_ok(0, "%s/%s: no source %s or no body", dir, file, name);
		return;
	}
	headers = read_headers(dir, file);
	req = request(strcmp(hname, "-") ? hname : NULL, hvalue, headers);
	r = judge(src, req, body, len, branch);
	for (want = 0; want <= SOURCE_BAD; want++)
		if (strcmp(verdict, verdict_names[want]) == 0)
			break;
	ok = (int)r.verdict == want;
	if (ok && want == SOURCE_MATCH)
		ok = strcmp(r.push.ref, ref) == 0 && strcmp(r.push.old_oid, old) == 0 &&
		    strcmp(r.push.new_oid, new) == 0 &&
		    r.push.change == (strcmp(change, "add") == 0 ? PUSH_ADD : PUSH_UPDATE);
	else if (ok && strcmp(ref, "-") != 0)
		ok = strstr(r.why, ref) != NULL;
	if (want == SOURCE_MATCH)
		tap_ok(ok, "%s/%s by %s, BRANCH %s: %s %.7s..%.7s %s (got %s %s %.7s..%.7s "
		    "%s)", dir, file, name, branch, ref, old, new, change,
		    verdict_name(r.verdict), r.push.ref, r.push.old_oid, r.push.new_oid,
		    r.verdict == SOURCE_MATCH ? "" : r.why);
	else
		tap_ok(ok, "%s/%s by %s, BRANCH %s: %s naming \"%s\" (got %s \"%s\")",
		    dir, file, name, branch, verdict, ref, verdict_name(r.verdict), r.why);
	free(req);
	free(headers);
	free(body);
}

static void
table(void)
{
	char *text, *line, *next, *col[COLUMNS];
	size_t len;
	int rows = 0;

	if ((text = tap_read_file(TABLE, &len)) == NULL) {
		tap_ok(0, "%s cannot be read", TABLE);
		return;
	}
	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next != '\0')
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if (split(line, col) == -1) {
			tap_ok(0, "%s: a row without %d columns", TABLE, COLUMNS);
			continue;
		}
		row(col);
		rows++;
	}
	free(text);
	tap_ok(rows > 0, "%s has %d rows", TABLE, rows);
}

/*
 * Twins are written with ' for ", to stay readable; no body needs a '.
 * want: the ref of a match, or a text the reason must contain.
 */
struct twin {
	const char	*source;
	const char	*headers;	/* "Name: value" lines */
	const char	*branch;
	const char	*body;
	int		 verdict;
	const char	*want;
	const char	*new_oid;	/* match only */
	int		 change;	/* match only */
};

#define M	SOURCE_MATCH
#define I	SOURCE_IGNORED
#define X	SOURCE_BAD

/* Stash: a tag, then three branches, the last one created. */
#define STASH_CHANGE(ref, from, to, type) \
	"{'refId':'" ref "','fromHash':'" from "','toHash':'" to "','type':'" type "'}"
#define STASH_MULTI "{'refChanges':[" \
	STASH_CHANGE("refs/tags/v1", Z, A, "ADD") "," \
	STASH_CHANGE("refs/heads/feature", A, B, "UPDATE") "," \
	STASH_CHANGE("refs/heads/develop", B, C, "UPDATE") "," \
	STASH_CHANGE("refs/heads/main", Z, D, "ADD") "]}"
#define STASH_ONE(ref, from, to, type) "{'refChanges':[" STASH_CHANGE(ref, from, to, type) "]}"

/* Bitbucket Server: the same, in changes[] with ref objects. */
#define BBS_CHANGE(ref, kind, from, to, type) \
	"{'ref':{'id':'" ref "','type':'" kind "'},'refId':'" ref "','fromHash':'" \
	from "','toHash':'" to "','type':'" type "'}"
#define BBS_MULTI "{'eventKey':'repo:refs_changed','changes':[" \
	BBS_CHANGE("refs/tags/v1", "TAG", Z, A, "ADD") "," \
	BBS_CHANGE("refs/heads/feature", "BRANCH", A, B, "UPDATE") "," \
	BBS_CHANGE("refs/heads/develop", "BRANCH", B, C, "UPDATE") "," \
	BBS_CHANGE("refs/heads/main", "BRANCH", Z, D, "ADD") "]}"
#define BBS_ONE(ref, from, to, type) \
	"{'changes':[" BBS_CHANGE(ref, "BRANCH", from, to, type) "]}"
#define BBS_PUSH	"X-Event-Key: repo:refs_changed"

/* Bitbucket Cloud: short names, null sides. */
#define BBC_SIDE(type, name, hash) \
	"{'type':'" type "','name':'" name "','target':{'hash':'" hash "'}}"
#define BBC_MULTI "{'push':{'changes':[" \
	"{'old':null,'new':" BBC_SIDE("tag", "v1", A) ",'created':true}," \
	"{'old':" BBC_SIDE("branch", "feature", A) ",'new':" BBC_SIDE("branch", "feature", B) "}," \
	"{'old':" BBC_SIDE("branch", "develop", B) ",'new':" BBC_SIDE("branch", "develop", C) "}," \
	"{'old':null,'new':" BBC_SIDE("branch", "main", D) ",'created':true}]}}"
#define BBC_ONE(old, new) "{'push':{'changes':[{'old':" old ",'new':" new "}]}}"
#define BBC_PUSH	"X-Event-Key: repo:push"

/* GitHub and the hosts that copied its ref, before and after. */
#define RBA(ref, before, after) "{'ref':'" ref "','before':'" before "','after':'" after "'}"

static const struct twin twins[] = {
	/* stash: every change is judged, in order. */
	{ "stash", "", "feature", STASH_MULTI, M, "refs/heads/feature", B, PUSH_UPDATE },
	{ "stash", "", "develop", STASH_MULTI, M, "refs/heads/develop", C, PUSH_UPDATE },
	{ "stash", "", "main", STASH_MULTI, M, "refs/heads/main", D, PUSH_ADD },
	{ "stash", "", "*", STASH_MULTI, M, "refs/heads/feature", B, PUSH_UPDATE },
	{ "stash", "", "release", STASH_MULTI, I,
	    "refs/tags/v1 is a tag, not a branch (and 3 more changes", 0, 0 },
	{ "stash", "", "develop", "{'refChanges':[" STASH_CHANGE("refs/heads/feature", A, B,
	    "UPDATE") "," STASH_CHANGE("refs/heads/develop", B, Z, "DELETE") "]}", I,
	    "refs/heads/develop was deleted", 0, 0 },
	{ "stash", "", "develop", "{'refChanges':[]}", I, "no ref", 0, 0 },
	{ "stash", "", "develop", "{'refChanges':{'refId':'refs/heads/develop'}}", X,
	    "refChanges", 0, 0 },
	{ "stash", "", "develop", "{'changes':[]}", X, "refChanges", 0, 0 },
	{ "stash", "", "develop", "{'refChanges':[{'refId':'refs/heads/develop','fromHash':'"
	    A "','type':'UPDATE'}]}", X, "toHash", 0, 0 },
	{ "stash", "", "develop", STASH_ONE("refs/heads/develop", A, "../../etc/passwd",
	    "UPDATE"), X, "hex", 0, 0 },
	{ "stash", "", "develop", STASH_ONE("refs/heads/develop", A,
	    "ABCDEF0000000000000000000000000000000000", "UPDATE"), X, "hex", 0, 0 },
	{ "stash", "", "*", STASH_ONE("refs/heads/dev\\u0007elop", A, B, "UPDATE"), X,
	    "control", 0, 0 },
	{ "stash", "", "develop", STASH_ONE("refs/heads/develop", A, B, "MERGE"), X,
	    "ADD, UPDATE or DELETE", 0, 0 },
	/* Hashes are checked on the change that is synced, not on others. */
	{ "stash", "", "develop", STASH_ONE("refs/heads/main", "x", "y", "UPDATE"), I,
	    "refs/heads/main", 0, 0 },

	/* bitbucket-server */
	{ "bitbucket-server", BBS_PUSH, "feature", BBS_MULTI, M, "refs/heads/feature", B,
	    PUSH_UPDATE },
	{ "bitbucket-server", BBS_PUSH, "develop", BBS_MULTI, M, "refs/heads/develop", C,
	    PUSH_UPDATE },
	{ "bitbucket-server", BBS_PUSH, "main", BBS_MULTI, M, "refs/heads/main", D, PUSH_ADD },
	{ "bitbucket-server", BBS_PUSH, "release", BBS_MULTI, I, "refs/tags/v1", 0, 0 },
	{ "bitbucket-server", "X-Event-Key: mirror:repo_synchronized", "develop", BBS_MULTI,
	    M, "refs/heads/develop", C, PUSH_UPDATE },
	{ "bitbucket-server", BBS_PUSH, "develop", "{'changes':[{'refId':'refs/heads/develop',"
	    "'fromHash':'" A "','toHash':'" B "','type':'UPDATE'}]}", M, "refs/heads/develop",
	    B, PUSH_UPDATE },
	{ "bitbucket-server", "X-Event-Key: mirror:repo_synchronized", "develop",
	    "{'changes':[],'refLimitExceeded':true}", I, "refLimitExceeded", 0, 0 },
	{ "bitbucket-server", "X-Event-Key: diagnostics:ping", "develop", "{'test':true}", I,
	    "ping", 0, 0 },
	{ "bitbucket-server", "X-Event-Key: pr:merged", "develop", BBS_MULTI, I, "pr:merged",
	    0, 0 },
	{ "bitbucket-server", "X-Event-Key: repo:push", "develop", BBS_MULTI, I, "repo:push",
	    0, 0 },
	{ "bitbucket-server", "", "develop", BBS_MULTI, X, "X-Event-Key", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", "{'changes':{}}", X, "changes", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", "{'test':true}", X, "changes", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", "{'changes':[{'ref':{'id':'refs/heads/develop'},"
	    "'toHash':'" B "','type':'UPDATE'}]}", X, "fromHash", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", BBS_ONE("refs/heads/develop", A, "1234",
	    "UPDATE"), X, "hex", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "*", BBS_ONE("refs/heads/a\\nb", A, B, "UPDATE"), X,
	    "control", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", BBS_ONE("refs/heads/develop", B, Z,
	    "DELETE"), I, "refs/heads/develop was deleted", 0, 0 },
	{ "bitbucket-server", BBS_PUSH, "develop", BBS_ONE("refs/heads/develop", A, B, "RENAME"),
	    X, "ADD, UPDATE or DELETE", 0, 0 },

	/* bitbucket-cloud */
	{ "bitbucket-cloud", BBC_PUSH, "feature", BBC_MULTI, M, "refs/heads/feature", B,
	    PUSH_UPDATE },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_MULTI, M, "refs/heads/develop", C,
	    PUSH_UPDATE },
	{ "bitbucket-cloud", BBC_PUSH, "main", BBC_MULTI, M, "refs/heads/main", D, PUSH_ADD },
	{ "bitbucket-cloud", BBC_PUSH, "release", BBC_MULTI, I, "refs/tags/v1", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_ONE(BBC_SIDE("branch", "develop", A),
	    "null"), I, "refs/heads/develop was deleted", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", "{'push':{'changes':[{'old':"
	    BBC_SIDE("branch", "develop", A) ",'new':" BBC_SIDE("branch", "develop", B)
	    ",'closed':true}]}}", I, "deleted", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "v2", BBC_ONE("null", BBC_SIDE("annotated_tag", "v2", A)),
	    I, "refs/tags/v2", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "default", BBC_ONE("null", BBC_SIDE("bookmark",
	    "default", A)), I, "bookmark default", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", "{'push':{'changes':[]}}", I, "no ref", 0, 0 },
	{ "bitbucket-cloud", "X-Event-Key: repo:fork", "develop", BBC_MULTI, I, "repo:fork",
	    0, 0 },
	{ "bitbucket-cloud", "X-Event-Key: diagnostics:ping", "develop", BBC_MULTI, I,
	    "diagnostics:ping", 0, 0 },
	{ "bitbucket-cloud", "", "develop", BBC_MULTI, X, "X-Event-Key", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", "{'push':{'changes':{}}}", X, "push.changes",
	    0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", "{'changes':[]}", X, "push.changes", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_ONE("null", "null"), X, "old or new", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_ONE("'develop'", BBC_SIDE("branch",
	    "develop", B)), X, "old or new", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", "{'push':{'changes':[{'new':"
	    BBC_SIDE("branch", "develop", B) "}]}}", X, "old or new", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_ONE("null",
	    "{'type':'branch','name':'develop','target':{}}"), X, "target.hash", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "develop", BBC_ONE(BBC_SIDE("branch", "develop", A),
	    BBC_SIDE("branch", "develop", "not hex")), X, "hex", 0, 0 },
	{ "bitbucket-cloud", BBC_PUSH, "*", BBC_ONE("null", BBC_SIDE("branch", "a\\u001bb", B)),
	    X, "control", 0, 0 },

	/* github: one ref per push; flags agree with the zeros. */
	{ "github", "X-GitHub-Event: push", "main", RBA("refs/heads/main", A, B), M,
	    "refs/heads/main", B, PUSH_UPDATE },
	{ "github", "X-GitHub-Event: push", "main", "{'ref':'refs/heads/main','before':'" A
	    "','after':'" B "','created':true}", M, "refs/heads/main", B, PUSH_ADD },
	{ "github", "X-GitHub-Event: push", "main", "{'ref':'refs/heads/main','before':'" A
	    "','after':'" B "','deleted':true}", I, "refs/heads/main was deleted", 0, 0 },
	{ "github", "X-GitHub-Event: push", "main", RBA("refs/heads/main", A, Z), I,
	    "refs/heads/main was deleted", 0, 0 },
	{ "github", "X-GitHub-Event: push", "*", RBA("refs/pull/1/head", A, B), I,
	    "refs/pull/1/head is not a branch", 0, 0 },
	{ "github", "X-GitHub-Event: ping", "main", "{'zen':'Keep it logically awesome.'}", I,
	    "ping", 0, 0 },
	{ "github", "X-GitHub-Event: create", "main", "{'ref':'main','ref_type':'branch'}", I,
	    "create", 0, 0 },
	{ "github", "", "main", RBA("refs/heads/main", A, B), X, "X-GitHub-Event", 0, 0 },
	{ "github", "X-GitHub-Event: push", "main", "{'ref':'refs/heads/main','after':'" B "'}",
	    X, "before", 0, 0 },
	{ "github", "X-GitHub-Event: push", "main", "{'ref':['refs/heads/main'],'before':'" A
	    "','after':'" B "'}", X, "ref", 0, 0 },
	{ "github", "X-GitHub-Event: push", "main", RBA("refs/heads/main", A, "b"), X, "hex",
	    0, 0 },
	{ "github", "X-GitHub-Event: push", "main", RBA("refs/heads/main",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", B), X, "hex", 0, 0 },
	{ "github", "X-GitHub-Event: push", "*", RBA("refs/heads/a b", A, B), X, "space", 0, 0 },

	/* gitlab: object_kind decides; the header is not read. */
	{ "gitlab", "X-Gitlab-Event: Merge Request Hook", "main", "{'object_kind':'push','ref':"
	    "'refs/heads/main','before':'" A "','after':'" B "'}", M, "refs/heads/main", B,
	    PUSH_UPDATE },
	{ "gitlab", "", "main", "{'object_kind':'push','ref':'refs/heads/main','before':'" Z
	    "','after':'" B "'}", M, "refs/heads/main", B, PUSH_ADD },
	{ "gitlab", "X-Gitlab-Event: Push Hook", "main", "{'object_kind':'merge_request'}", I,
	    "merge_request", 0, 0 },
	{ "gitlab", "X-Gitlab-Event: System Hook", "main", "{'event_name':'project_create'}", I,
	    "project_create", 0, 0 },
	{ "gitlab", "X-Gitlab-Event: Push Hook", "main", "{'ref':'refs/heads/main','before':'" A
	    "','after':'" B "'}", X, "object_kind", 0, 0 },
	{ "gitlab", "", "main", "{'object_kind':7}", X, "object_kind", 0, 0 },
	{ "gitlab", "", "main", "{'object_kind':'push','ref':'refs/heads/main','before':'" A
	    "','after':null}", X, "after", 0, 0 },
	{ "gitlab", "", "main", "{'object_kind':'push','ref':'refs/heads/main','before':'" A
	    "','after':'" A "0'}", X, "hex", 0, 0 },
	{ "gitlab", "", "*", "{'object_kind':'push','ref':'refs/heads/\\u007f','before':'" A
	    "','after':'" B "'}", X, "control", 0, 0 },
	{ "gitlab", "", "*", "{'object_kind':'tag_push','ref':'refs/tags/v1','before':'" Z
	    "','after':'" B "'}", I, "refs/tags/v1", 0, 0 },

	/* gitea */
	{ "gitea", "X-Gitea-Event: push", "main", RBA("refs/heads/main", Z, B), M,
	    "refs/heads/main", B, PUSH_ADD },
	{ "gitea", "X-Gitea-Event: push", "main", RBA("refs/heads/main", A, Z), I,
	    "refs/heads/main was deleted", 0, 0 },
	{ "gitea", "X-Gitea-Event: push", "*", RBA("refs/tags/v1", Z, B), I, "refs/tags/v1",
	    0, 0 },
	{ "gitea", "X-Gitea-Event: delete", "main", "{'ref':'main','ref_type':'branch'}", I,
	    "delete of main", 0, 0 },
	{ "gitea", "X-Gitea-Event: ping", "main", "{}", I, "ping", 0, 0 },
	{ "gitea", "X-Gogs-Event: push", "main", RBA("refs/heads/main", A, B), X,
	    "X-Gitea-Event", 0, 0 },
	{ "gitea", "X-Gitea-Event: push", "main", "{'ref':'refs/heads/main','before':'" A "'}",
	    X, "after", 0, 0 },
	{ "gitea", "X-Gitea-Event: push", "main", RBA("refs/heads/main", A, "-"), X, "hex", 0, 0 },
	{ "gitea", "X-Gitea-Event: push", "*", RBA("refs/heads/\\t", A, B), X, "control", 0, 0 },

	/* forgejo: its own header first, Gitea's when alone. */
	{ "forgejo", "X-Forgejo-Event: push\nX-Gitea-Event: issues", "main",
	    RBA("refs/heads/main", A, B), M, "refs/heads/main", B, PUSH_UPDATE },
	{ "forgejo", "X-Gitea-Event: push", "main", RBA("refs/heads/main", A, B), M,
	    "refs/heads/main", B, PUSH_UPDATE },
	{ "forgejo", "X-Forgejo-Event: issues\nX-Gitea-Event: push", "main",
	    RBA("refs/heads/main", A, B), I, "issues", 0, 0 },
	{ "forgejo", "X-Forgejo-Event: delete", "main", "{'ref':'main','ref_type':'branch'}", I,
	    "delete of main", 0, 0 },
	{ "forgejo", "X-Forgejo-Event: ping", "main", "{}", I, "ping", 0, 0 },
	{ "forgejo", "X-Gogs-Event: push", "main", RBA("refs/heads/main", A, B), X,
	    "X-Forgejo-Event", 0, 0 },
	{ "forgejo", "X-Forgejo-Event: push", "main", "{'ref':'refs/heads/main','before':'" A
	    "','after':5}", X, "after", 0, 0 },
	{ "forgejo", "X-Forgejo-Event: push", "main", RBA("refs/heads/main", A, "0"), X, "hex",
	    0, 0 },
	{ "forgejo", "X-Forgejo-Event: push", "*", RBA("refs/heads/\\r", A, B), X, "control",
	    0, 0 },

	/* gogs */
	{ "gogs", "X-Gogs-Event: push", "main", RBA("refs/heads/main", A, B), M,
	    "refs/heads/main", B, PUSH_UPDATE },
	{ "gogs", "X-Gogs-Event: push", "main", RBA("refs/heads/main", A, Z), I,
	    "refs/heads/main was deleted", 0, 0 },
	{ "gogs", "X-Gogs-Event: create", "main", "{'ref':'main','ref_type':'branch'}", I,
	    "create of main", 0, 0 },
	{ "gogs", "X-Gogs-Event: ping", "main", "{}", I, "ping", 0, 0 },
	{ "gogs", "X-Gitea-Event: push", "main", RBA("refs/heads/main", A, B), X,
	    "X-Gogs-Event", 0, 0 },
	{ "gogs", "X-Gogs-Event: push", "main", "[]", X, "ref", 0, 0 },
	{ "gogs", "X-Gogs-Event: push", "main", RBA("refs/heads/main", A, B "b"), X, "hex", 0, 0 },
	{ "gogs", "X-Gogs-Event: push", "*", RBA("refs/heads/\\u0001", A, B), X, "control", 0, 0 },
};

static void
twin(const struct twin *t)
{
	const struct source *src = source_find(t->source);
	struct source_result r;
	struct http_request *req;
	char *body, *p;
	int ok;

	if (src == NULL || (body = strdup(t->body)) == NULL) {
		tap_ok(0, "%s: no such source", t->source);
		return;
	}
	for (p = body; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	req = request(NULL, NULL, t->headers);
	r = judge(src, req, body, strlen(body), t->branch);
	ok = (int)r.verdict == t->verdict;
	if (ok && t->verdict == SOURCE_MATCH)
		ok = strcmp(r.push.ref, t->want) == 0 &&
		    strcmp(r.push.new_oid, t->new_oid) == 0 && (int)r.push.change == t->change &&
		    (t->change != PUSH_ADD || strcmp(r.push.old_oid, Z) == 0);
	else if (ok)
		ok = strstr(r.why, t->want) != NULL;
	tap_ok(ok, "%s, BRANCH %s, %.48s%s: %s \"%s\" (got %s \"%s\")", t->source,
	    t->branch, t->body, strlen(t->body) > 48 ? "..." : "",
	    verdict_name(t->verdict), t->want, verdict_name(r.verdict),
	    r.verdict == SOURCE_MATCH ? r.push.ref : r.why);
	free(req);
	free(body);
}

/* Forgejo's real delivery sends four families of headers; the corpus has
 * them without a body, so they go with a Forgejo push body here. */
static void
real_forgejo_headers(void)
{
	static const char *names[] = { "forgejo", "gitea", "gogs", "github" };
	char *headers, *body;
	size_t len, i;

	headers = read_headers("forgejo", "push-real-delivery-headers-only.headers");
	body = tap_read_file(PAYLOADS "forgejo/push-branch-update.json", &len);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct http_request *req = request(NULL, NULL, headers);
		struct source_result r;

		r = judge(source_find(names[i]), req, body ? body : "", body ? len : 0, "main");
		tap_ok(headers != NULL && body != NULL && r.verdict == SOURCE_MATCH &&
		    strcmp(r.push.new_oid, "ef98532add3b2feb7a137426bba1248724367df5") == 0,
		    "Forgejo's 22 real headers with its push body: %s matches (got %s \"%s\")",
		    names[i], verdict_name(r.verdict), r.why);
		free(req);
	}
	free(headers);
	free(body);
}

int
main(void)
{
	static const char *names[] = { "stash", "bitbucket-server", "bitbucket-cloud",
	    "github", "gitlab", "gitea", "forgejo", "gogs" };
	const struct source *src;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		src = source_find(names[i]);
		tap_ok(src != NULL && src->builtin_branch == NULL && src->match != NULL &&
		    src->display_name != NULL && (src->signature.how == SOURCE_UNSIGNED) ==
		    (src->signature.header == NULL),
		    "%s is compiled in, takes BRANCH= and names its signature header",
		    names[i]);
	}
	table();
	for (i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		twin(&twins[i]);
	real_forgejo_headers();
	return tap_done();
}
