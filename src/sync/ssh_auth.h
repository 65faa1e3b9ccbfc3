/*
 * The sync's SSH credentials and host key check, as libgit2 callbacks.
 * Never interactive: one key, a capped number of attempts, and a host key
 * that must be in KNOWN_HOSTS.
 */
#ifndef SENTRY_SSH_AUTH_H
#define SENTRY_SSH_AUTH_H

#include <git2.h>

#include "config.h"

enum ssh_failure {
	SSH_FAILURE_NONE,
	SSH_FAILURE_HOSTKEY,	/* unknown, changed or revoked host key */
	SSH_FAILURE_AUTH	/* the server refused our key */
};

struct ssh_auth {
	const char		*keypath;
	char			*passphrase;	/* wiped before it is freed */
	char			*known_hosts;
	size_t			 known_hosts_len;
	char			 host[256];	/* from CLONE_URL */
	int			 port;
	int			 attempts;
	enum ssh_failure	 failure;
};

#define SSH_AUTH_INIT { NULL, NULL, NULL, 0, "", 22, 0, SSH_FAILURE_NONE }

int	ssh_auth_load(struct ssh_auth *, const struct config *, char *err, size_t errlen);
void	ssh_auth_free(struct ssh_auth *);
/* from's key and KNOWN_HOSTS for another ssh URL (a submodule's): its
 * host and port checked, no attempt made yet. Never freed: it shares
 * from's memory. 0, or -1 when the URL names no host. */
int	ssh_auth_for_url(struct ssh_auth *to, const struct ssh_auth *from, const char *url);
void	ssh_auth_callbacks(struct ssh_auth *, git_remote_callbacks *);
/* 1 when the private key file holds an RSA key, in OpenSSH, PKCS#1 or
 * PKCS#8 form (an encrypted PKCS#8 one given its passphrase). */
int	ssh_key_is_rsa(const char *path, const char *passphrase);

#endif
