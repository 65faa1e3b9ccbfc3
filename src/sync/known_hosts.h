/*
 * OpenSSH known_hosts (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT), read by us
 * rather than by libgit2, which reads only $HOME/.ssh/known_hosts and
 * asks the server for the key type of the first entry it finds there.
 */
#ifndef SENTRY_KNOWN_HOSTS_H
#define SENTRY_KNOWN_HOSTS_H

#include <stddef.h>

enum known_host {
	KNOWN_HOST_MATCH,	/* an entry for the host holds this key */
	KNOWN_HOST_UNKNOWN,	/* no entry names the host */
	KNOWN_HOST_CHANGED,	/* entries of this key's type differ from it */
	KNOWN_HOST_OTHER_TYPES,	/* entries name the host, none of this type */
	KNOWN_HOST_REVOKED	/* a @revoked line holds this key */
};

/*
 * A pure function of the file's text: plain, wildcard, negated and hashed
 * (|1|salt|hash) host patterns, [host]:port for ports other than 22, and
 * any order of key types. @cert-authority lines are not supported and
 * never match.
 */
enum known_host	known_hosts_check(const char *text, size_t len, const char *host,
		    int port, const unsigned char *key, size_t keylen);

#endif
