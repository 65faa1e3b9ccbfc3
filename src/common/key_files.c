/*
 * What ssh demands of a private key's file, and what a sync needs of the
 * others: they exist, this user may read them, and no other user may
 * read the key or its passphrase. stat(2) and access(2) only: the front
 * holds no key material, and must not even read it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "key_files.h"

const enum config_key key_files_keys[KEY_FILES_CONNECT + 1] = {
	CONFIG_SSH_KEYPATH, CONFIG_KNOWN_HOSTS, CONFIG_SSH_PASSPHRASE_FILE,
	CONFIG_HTTP_TOKEN_FILE, CONFIG_CA_FILE, CONFIG_SECRET_FILE
};

/* Why a name stays a name: config.c resolves one only against an
 * absolute $CREDENTIALS_DIRECTORY, as systemd sets it. */
static const char *
credentials_directory_missing(void)
{
	return getenv("CREDENTIALS_DIRECTORY") == NULL ? "is unset" :
	    "is not an absolute path";
}

/* Every path config.c resolves is absolute: what is not is a name. */
int
key_files_unresolved(const struct config *c, enum config_key key, char *line, size_t len)
{
	const char *v = config_get(c, key);

	if (v == NULL || v[0] == '/')
		return 0;
	if (line != NULL)
		snprintf(line, len, "%s names credential '%s' and $CREDENTIALS_DIRECTORY "
		    "%s: not checked here", config_key_name(key), v,
		    credentials_directory_missing());
	return 1;
}

/* A regular file this user may read; otherwise a message in err. */
static int
readable(const char *key, const char *path, struct stat *st, char *err, size_t errlen)
{
	if (stat(path, st) == -1 || access(path, R_OK) == -1) {
		snprintf(err, errlen, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", key, path);
		return -1;
	}
	return 0;
}

/*
 * HTTP_TOKEN_FILE: the passphrase's rule, as the token opens the
 * repository as the key does. CA_FILE: public, but whoever may write it
 * chooses which servers the sync trusts: root's or ours, and writable by
 * no one else.
 */
static int
http_files_check(const struct config *c, char *err, size_t errlen)
{
	const char *token = config_get(c, CONFIG_HTTP_TOKEN_FILE);
	const char *ca = config_get(c, CONFIG_CA_FILE);
	struct stat st;

	if (ca != NULL && readable("CA_FILE", ca, &st, err, errlen) == -1)
		return -1;
	if (ca != NULL && ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022))) {
		snprintf(err, errlen, "CA_FILE %s: owner uid %u, mode %04o: another "
		    "user may write it, and so choose which servers the sync trusts "
		    "(chown it to root or this user, chmod go-w)", ca,
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (token == NULL)
		return 0;
	if (readable("HTTP_TOKEN_FILE", token, &st, err, errlen) == -1)
		return -1;
	if (st.st_mode & 077) {
		snprintf(err, errlen, "HTTP_TOKEN_FILE %s: mode %04o lets others "
		    "read the token (chmod 600 it)", token, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
key_files_check(const struct config *c, char *err, size_t errlen)
{
	const char *key = config_get(c, CONFIG_SSH_KEYPATH);
	const char *kh = config_get(c, CONFIG_KNOWN_HOSTS);
	const char *pp = config_get(c, CONFIG_SSH_PASSPHRASE_FILE);
	struct stat st;
	size_t i;

	/* Never a name read as a path in the working directory. */
	for (i = 0; i < KEY_FILES_CONNECT; i++)
		if (key_files_unresolved(c, key_files_keys[i], NULL, 0)) {
			snprintf(err, errlen, "%s names a credential and "
			    "$CREDENTIALS_DIRECTORY %s", config_key_name(key_files_keys[i]),
			    credentials_directory_missing());
			return -1;
		}
	if (http_files_check(c, err, errlen) == -1)
		return -1;
	/* Not needed for an https CLONE_URL (config.c); checked when given. */
	if (key == NULL && kh == NULL && pp == NULL)
		return 0;
	if (key == NULL || kh == NULL) {
		snprintf(err, errlen, "SSH_KEYPATH and KNOWN_HOSTS go together");
		return -1;
	}
	if (readable("SSH_KEYPATH", key, &st, err, errlen) == -1)
		return -1;
	/* As ssh does: a private key others may read is no longer private. */
	if (st.st_mode & 077) {
		snprintf(err, errlen, "SSH_KEYPATH %s: mode %04o lets others read the "
		    "private key; ssh refuses such keys (chmod 600 it)", key,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (readable("KNOWN_HOSTS", kh, &st, err, errlen) == -1)
		return -1;
	if (pp == NULL)
		return 0;
	if (readable("SSH_PASSPHRASE_FILE", pp, &st, err, errlen) == -1)
		return -1;
	/* The key's rule: the passphrase is worth no less. */
	if (st.st_mode & 077) {
		snprintf(err, errlen, "SSH_PASSPHRASE_FILE %s: mode %04o lets others "
		    "read the key's passphrase (chmod 600 it)", pp,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}
