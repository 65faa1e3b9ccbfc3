/*
 * Who may sync a checkout: the user who owns it; before the first clone,
 * any user who may write the directory it goes in, except root in
 * another user's directory. libgit2 refuses a repository another user
 * owns (GIT_EOWNER), and a clone made as root would leave the service
 * user a checkout it cannot update.
 */
#ifndef SENTRY_OWNER_H
#define SENTRY_OWNER_H

#include <stddef.h>

#include "config.h"

enum owner {
	OWNER_OK,	/* this user owns CLONE_PATH, or may clone into its directory */
	OWNER_OTHER,	/* another user does: err names them and runuser */
	OWNER_NO_DIR	/* CLONE_PATH's directory does not exist: err says what to do */
};

/* mode is the option to show in the advice ("--check", "--sync"). */
enum owner	owner_check(const struct config *, const char *mode, char *err, size_t errlen);

#endif
