/*
 * The sync's SSH credentials and host key check, as libgit2 callbacks.
 * Never interactive: one key, a capped number of attempts, and a host key
 * that must be in KNOWN_HOSTS.
 */
#ifndef SENTRY_SSH_AUTH_H
#define SENTRY_SSH_AUTH_H

#include <git2.h>

#include "config.h"
#include "http_auth.h"

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
	/* An https CLONE_URL: the callbacks are http's. XXX the struct
	 * keeps its name, which the layouts pass around. */
	int			 https;
	struct http_auth	 http;
};

#define SSH_AUTH_INIT { NULL, NULL, NULL, 0, "", 22, 0, SSH_FAILURE_NONE, 0, HTTP_AUTH_INIT }

int	ssh_auth_load(struct ssh_auth *, const struct config *, char *err, size_t errlen);
void	ssh_auth_free(struct ssh_auth *);
/* from's key and KNOWN_HOSTS for another ssh URL (a submodule's): its
 * host and port checked, no attempt made yet. Never freed: it shares
 * from's memory. 0, or -1 when the URL names no host. */
int	ssh_auth_for_url(struct ssh_auth *to, const struct ssh_auth *from, const char *url);
/* CLONE_URL's transport's: ssh's, or http_auth's. */
void	ssh_auth_callbacks(struct ssh_auth *, git_remote_callbacks *);
/* Connect for a fetch with cb, off-site redirects refused: libgit2
 * would otherwise follow the server's first one to any host. */
int	ssh_auth_connect(git_remote *, const git_remote_callbacks *cb);
/* After a failed connect or fetch: an https failure in plain words. */
void	ssh_auth_explain(struct ssh_auth *);
/* 1 when the private key file holds an RSA key, in OpenSSH, PKCS#1 or
 * PKCS#8 form (an encrypted PKCS#8 one given its passphrase). */
int	ssh_key_is_rsa(const char *path, const char *passphrase);

#endif
