/*
 * What stays the sync user's alone, whatever the umask: with UMask=0022,
 * so that a web server may read the published tree, the repository (a
 * checkout's .git, the releases' repo.git, the submodules' modules) must
 * not become readable with it: it holds the whole history, the remote's
 * URL, and whatever was ever committed and removed.
 */
#ifndef SENTRY_PRIVATE_DIR_H
#define SENTRY_PRIVATE_DIR_H

/* A repository directory: its owner's alone. */
#define PRIVATE_DIR_MODE	0700
/*
 * The status record and the releases' history: read by --status and
 * --releases, by the owner or a monitoring user in its group, never by
 * others (a web server's user), as they name commits, paths and errors.
 */
#define PRIVATE_RECORD_MODE	0640

/*
 * The directory path (its last component never followed if a link) given
 * PRIVATE_DIR_MODE if it has another; made so when missing and create is
 * set. 0, or -1 with errno, logged unless ENOENT without create: ELOOP or
 * ENOTDIR when a link or a file is there, EPERM when another user's.
 */
int	private_dir(const char *path, int create);

#endif
