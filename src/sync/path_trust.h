/*
 * Whether another local user could change what CLONE_PATH names, as
 * OpenSSH's StrictModes asks of a home directory: see path_trust.c.
 */
#ifndef SENTRY_PATH_TRUST_H
#define SENTRY_PATH_TRUST_H

#include <stddef.h>

/*
 * 0 when no user but root and the effective one can write the directory
 * that holds path, nor move away or replace any directory above it;
 * -1 with the directory at fault and the fix in why, and errno EPERM
 * when another user could change it, or as lstat(2) left it (ENOENT when
 * a directory does not exist).
 */
int	path_trust_parent(const char *path, char *why, size_t len);

#endif
