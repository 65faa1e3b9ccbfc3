/*
 * May this user use this place? One question, asked by --sync,
 * --rollback and --check alike, in two parts (place.c):
 *
 *  - Is it this user's to work on? The user who owns CLONE_PATH; before
 *    the first clone, any user who may write the directory it goes in,
 *    except root in another user's directory. libgit2 refuses a
 *    repository another user owns (GIT_EOWNER), and a clone made as root
 *    would leave the service user a checkout it cannot update.
 *  - Could another local user change what CLONE_PATH names? The helper
 *    makes its lock files and temporary clones in the directory that
 *    holds it, as OpenSSH's StrictModes asks of a home directory.
 */
#ifndef SENTRY_PLACE_H
#define SENTRY_PLACE_H

#include <stddef.h>

#include "config.h"

enum place {
	PLACE_OK,	/* this user owns CLONE_PATH, or may clone into its directory */
	PLACE_UNSAFE,	/* another user could change the directories: nothing
			 * is written there, not even a record */
	PLACE_OTHER,	/* another user owns it: err names them and runuser */
	PLACE_NO_DIR	/* CLONE_PATH's directory does not exist: err says what to do */
};

/* The answer, with err saying why and what to do when it is not
 * PLACE_OK; mode is the option to show in the advice ("--sync"). */
enum place	place_check(const struct config *, const char *mode, char *err, size_t len);

/* The exit status for the answer: EXIT_OK for PLACE_OK. */
int		place_status(enum place);

#endif
