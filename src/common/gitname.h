/*
 * Git's names that both programs use: the front passes ref and object
 * names to the helper, which gives them back to RUN.
 */
#ifndef SENTRY_GITNAME_H
#define SENTRY_GITNAME_H

#include <fnmatch.h>
#include <stddef.h>
#include <string.h>

/* git's post-receive convention for the side of a ref change that does not
 * exist: a created branch's old name, a deleted one's new name. */
#define OID_ZERO	"0000000000000000000000000000000000000000"

/* Branches, and the length of the prefix to skip for a short name. */
#define REFS_HEADS	"refs/heads/"
#define REFS_HEADS_LEN	(sizeof(REFS_HEADS) - 1)

/*
 * The branch rule, the same on both sides: a branch is refs/heads/ and
 * a name; BRANCH (a name or a glob) takes the short name as fnmatch(3)
 * with FNM_PATHNAME does, so that a star does not cross a slash, as in
 * git's refspec globs. The helper checks the name with libgit2 on top.
 */

/* The short name of a branch ref, or NULL when ref names no branch. */
static inline const char *
gitname_branch(const char *ref)
{
	if (strncmp(ref, REFS_HEADS, REFS_HEADS_LEN) != 0 || ref[REFS_HEADS_LEN] == '\0')
		return NULL;
	return ref + REFS_HEADS_LEN;
}

/* Does the rule take this short name? A NULL rule takes any. */
static inline int
gitname_rule_takes(const char *rule, const char *branch)
{
	return rule == NULL || fnmatch(rule, branch, FNM_PATHNAME) == 0;
}

/*
 * Tags, for TAG= (instead of BRANCH=): a tag is refs/tags/ and a name,
 * and TAG's glob takes the short name as fnmatch(3) does without
 * FNM_PATHNAME: release tags seldom hold a slash, and v* should take
 * v2/rc1 as git tag -l 'v*' lists it.
 */
#define REFS_TAGS	"refs/tags/"
#define REFS_TAGS_LEN	(sizeof(REFS_TAGS) - 1)

/* The short name of a tag ref, or NULL when ref names no tag. */
static inline const char *
gitname_tag(const char *ref)
{
	if (strncmp(ref, REFS_TAGS, REFS_TAGS_LEN) != 0 || ref[REFS_TAGS_LEN] == '\0')
		return NULL;
	return ref + REFS_TAGS_LEN;
}

/* Does TAG's glob take this short name? */
static inline int
gitname_tag_takes(const char *glob, const char *tag)
{
	return glob != NULL && fnmatch(glob, tag, 0) == 0;
}

#endif
