/*
 * The deployment's config file: KEY=value lines, # comments.
 * Parsing only checks shape; each program checks what it uses.
 */
#ifndef SENTRY_CONFIG_H
#define SENTRY_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH	"/etc/sentry-source/sentry-source.conf"

enum config_key {
	CONFIG_SOURCE,
	CONFIG_CLONE_URL,
	CONFIG_CLONE_PATH,
	CONFIG_BRANCH,
	CONFIG_SSH_KEYPATH,
	CONFIG_SSH_PASSPHRASE_FILE,
	CONFIG_KNOWN_HOSTS,
	CONFIG_HTTP_USER,
	CONFIG_HTTP_TOKEN_FILE,
	CONFIG_CA_FILE,
	CONFIG_SECRET_FILE,
	CONFIG_ALLOW_UNSIGNED,
	CONFIG_MAX_BODY,
	CONFIG_REQUEST_TIMEOUT,
	CONFIG_SYNC_TIMEOUT,
	CONFIG_RUN,
	CONFIG_RUN_TIMEOUT,
	CONFIG_INCLUDE_FILES,
	CONFIG_EXCLUDE_FILES,
	CONFIG_METRICS_FILE,
	CONFIG_ON_FAILURE,
	CONFIG_PUBLISH,
	CONFIG_BUILD,
	CONFIG_KEEP_RELEASES,
	CONFIG_SHARED_DIRS,
	CONFIG_SHARED_FILES,
	CONFIG_TAG,
	/* Submodules and one directory of the tree (submodules.c, subdir.c). */
	CONFIG_SUBMODULES,
	CONFIG_SUBDIR,
	CONFIG_NKEYS
};

struct config_value {
	char		*value;		/* NULL when the file does not set it */
	unsigned	 line;
};

struct config {
	const char		*path;
	struct config_value	 v[CONFIG_NKEYS];
	/* Set before loading, by the modes that read no secret: a
	 * credential's name without $CREDENTIALS_DIRECTORY is kept as
	 * written, a value not starting with / (key_files.h), instead of
	 * an error. */
	int			 keep_credential_names;
};

#define CONFIG_INIT { NULL, { { NULL, 0 } }, 0 }

/* 0, or -1 with a message naming the file and line in err. */
int		 config_load(struct config *, const char *path, char *err, size_t errlen);
/* The same for name in the directory dirfd, opened with flags added
 * (O_NOFOLLOW); path is what messages and the helper are told. */
int		 config_load_at(struct config *, int dirfd, const char *name, int flags,
		    const char *path, char *err, size_t errlen);
void		 config_free(struct config *);
const char	*config_get(const struct config *, enum config_key);
/* The key as the file spells it: "SSH_KEYPATH". */
const char	*config_key_name(enum config_key);
/* A number key (sizes take K, M or G), or its default when unset. */
unsigned long	 config_number(const struct config *, enum config_key);
/* PUBLISH=releases: 1; in-place (the default): 0. */
int		 config_releases(const struct config *);
/* CLONE_URL is https:// (or http:// to a loopback host): 1; ssh: 0. */
int		 config_http(const struct config *);
/* A yes/no key: 1 for yes; no when unset. */
int		 config_yes(const struct config *, enum config_key);

#endif
