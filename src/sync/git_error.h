/* libgit2's message for the last failure, for our log lines. */
#ifndef SENTRY_GIT_ERROR_H
#define SENTRY_GIT_ERROR_H

#include <git2.h>

static inline const char *
last_git_error(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown libgit2 error";
}

#endif
