/*
 * The source interface: what a compiled-in source (one file in sources/)
 * sees and returns. A source reads the request and its parsed body and says
 * which push concerns this deployment, or why none does. It touches no
 * file, network, repository or process: the caller does all of that.
 */
#ifndef SENTRY_SOURCE_H
#define SENTRY_SOURCE_H

#include <cjson/cJSON.h>

#include "gitname.h"
#include "http.h"
#include "peer_limits.h"

#define OID_HEX_LEN	40

enum push_change {
	PUSH_ADD,	/* the branch or tag was created */
	PUSH_UPDATE	/* it moved; deletions are never pushes */
};

struct push {
	char			ref[LIMIT_REF_BYTES];	/* refs/heads/<branch>, refs/tags/<tag> */
	char			old_oid[OID_HEX_LEN + 1];
	char			new_oid[OID_HEX_LEN + 1];
	enum push_change	change;
};

enum source_verdict {
	SOURCE_MATCH,	/* push holds the change to sync to: answer 200 */
	SOURCE_IGNORED,	/* well-formed, but not for us: 200 with why */
	SOURCE_BAD	/* not what this source accepts: 400 with why */
};

struct source_result {
	enum source_verdict	verdict;
	struct push		push;
	char			why[200];
};

/* What the deployment watches, from its config. */
struct source_rule {
	const char	*branch;	/* glob on the branch's short name */
	const char	*tag;		/* TAG=: glob on a tag's; branch is then NULL */
};

/* How the host proves a request is its own; checked by the caller, over
 * the body's bytes as received, before match is called. */
enum source_auth {
	SOURCE_UNSIGNED,	/* the sender cannot sign: restrict who connects */
	SOURCE_HMAC_SHA256,	/* header: prefix, then hex HMAC-SHA256 of the body */
	SOURCE_TOKEN		/* header: the shared secret itself */
};

struct source_signature {
	enum source_auth	 how;
	const char		*header;
	const char		*prefix;	/* "sha256=", or NULL for bare hex */
};

struct source {
	const char		*name;		/* kebab-case; SOURCE= picks it */
	const char		*display_name;
	const char		*builtin_branch;	/* NULL: the config names BRANCH */
	struct source_signature	 signature;
	void			(*match)(const struct http_request *, const cJSON *body,
				    const struct source_rule *, struct source_result *);
};

/*
 * A push of one or more ref changes, judged in payload order: the first
 * change that creates or moves a branch the rule wants is the match, and
 * nothing after it is read. Object names follow git's post-receive
 * convention, 40 zeros on the side that does not exist, so a source passes
 * OID_ZERO for the old side of a branch its host says was created and for
 * the new side of one it says was deleted. When nothing matches, res says
 * why, naming a ref: a deleted watched branch first, else the first change.
 * (OID_ZERO: gitname.h.)
 */
struct source_push {
	const struct source_rule	*rule;
	struct source_result		*res;
	unsigned			 changes;	/* judged so far */
	int				 rank;		/* weight of the reason in res->why */
};

#define SOURCE_PUSH_INIT(rule, res)	{ (rule), (res), 0, 0 }

/* 1 when res is final (a match, or a bad name): stop reading the push. */
int	source_push_change(struct source_push *, const char *ref,
	    const char *old_oid, const char *new_oid);
/* The same for a change named by three string members of object; one
 * missing or not a string makes res bad. */
int	source_push_members(struct source_push *, const cJSON *object,
	    const char *ref_key, const char *old_key, const char *new_key);
/* A change that is no git ref update (a host's own kind of ref). */
void	source_push_skip(struct source_push *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* After the last change, when none was final: res says why. */
void	source_push_end(struct source_push *);

/* The value of the header that names the event; NULL, res bad, when absent. */
const char	*source_event(const struct http_request *, const char *header,
		    struct source_result *);

/* The table the Makefile builds from the files in sources/; NULL ends it. */
extern const struct source *const source_table[];

const struct source	*source_find(const char *name);

/* For sources: judging and recording what a payload says. A ref the
 * rule wants: a branch BRANCH takes, or with TAG= a tag it takes. */
int		 source_wants_ref(const struct source_rule *, const char *ref);
int		 source_oid_is_valid(const char *);
int		 source_oid_is_zero(const char *);
const char	*source_string(const cJSON *object, const char *key);
void		 source_match(struct source_result *, const char *ref,
		    const char *old_oid, const char *new_oid, enum push_change);
void		 source_ignore(struct source_result *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 source_bad(struct source_result *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

#endif
