/*
 * The files a sync reads to connect (SSH_KEYPATH, KNOWN_HOSTS,
 * SSH_PASSPHRASE_FILE, HTTP_TOKEN_FILE, CA_FILE), checked by name and mode only, never by content:
 * the front checks them before it answers (a deployment that cannot sync
 * must not answer success), the helper before it reads them. One copy of
 * the rules, so the two cannot disagree.
 */
#ifndef SENTRY_KEY_FILES_H
#define SENTRY_KEY_FILES_H

#include <stddef.h>

#include "config.h"

/* 0, or -1 with a message naming the key, the file and the fix in err.
 * A credential's name left unresolved is an error here. */
int	key_files_check(const struct config *, char *err, size_t errlen);

/*
 * A credential's name kept as written (config.h keep_credential_names):
 * 1 when key is one, and then, when line is not NULL, the --check line
 * that says it was not checked, without its "skip: ". Only the modes
 * that read no secret load a config so.
 */
int	key_files_unresolved(const struct config *, enum config_key key, char *line,
	    size_t len);

/* The keys a sync reads to connect, then SECRET_FILE (the front's);
 * KEY_FILES_CONNECT of them are the sync's. */
#define KEY_FILES_CONNECT	5
extern const enum config_key key_files_keys[KEY_FILES_CONNECT + 1];

#endif
