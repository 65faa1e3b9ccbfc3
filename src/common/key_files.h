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

/* 0, or -1 with a message naming the key, the file and the fix in err. */
int	key_files_check(const struct config *, char *err, size_t errlen);

#endif
