#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "exitcode.h"
#include "file.h"
#include "git_error.h"
#include "http_auth.h"

int
http_auth_load(struct http_auth *a, const struct config *c, char *err, size_t errlen)
{
	const char *tf = config_get(c, CONFIG_HTTP_TOKEN_FILE), *why;
	size_t len;

	if ((why = http_url_parse(config_get(c, CONFIG_CLONE_URL), &a->url)) != NULL) {
		snprintf(err, errlen, "%s:%u: CLONE_URL %s", c->path,
		    c->v[CONFIG_CLONE_URL].line, why);
		return -1;
	}
	a->user = config_get(c, CONFIG_HTTP_USER);
	if (tf != NULL) {
		if ((a->token = file_read(tf, LIMIT_KEY_FILE_BYTES, &len)) == NULL) {
			snprintf(err, errlen, "HTTP_TOKEN_FILE %s: %s", tf, file_strerror(errno));
			return -1;
		}
		/* The first line, as files usually end in one. */
		a->token[strcspn(a->token, "\r\n")] = '\0';
		if (a->token[0] == '\0') {
			snprintf(err, errlen, "HTTP_TOKEN_FILE %s: empty", tf);
			return -1;
		}
	}
	/* Set either way: the system's file replaced by CA_FILE, not added
	 * to, so that CA_FILE alone says whom a private host may be. */
	a->ca_file = config_get(c, CONFIG_CA_FILE);
	if ((a->system_ca = a->ca_file == NULL))
		a->ca_file = HTTP_SYSTEM_CA_FILE;
	if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, a->ca_file, NULL) < 0) {
		snprintf(err, errlen, "%s %s: %s%s", a->system_ca ?
		    "the system's CAs" : "CA_FILE", a->ca_file, last_git_error(),
		    a->system_ca ? " (install ca-certificates, "
		    "or set CA_FILE)" : "");
		return -1;
	}
	return 0;
}

void
http_auth_free(struct http_auth *a)
{
	if (a->token != NULL) {
		explicit_bzero(a->token, strlen(a->token));
		free(a->token);
		a->token = NULL;
	}
}

/* The token goes to CLONE_URL's host and port only: libgit2 follows a
 * redirect, and asks for credentials again wherever it lands. */
static int
same_server(const struct http_auth *a, const char *url)
{
	struct http_url u;

	return url != NULL && http_url_is(url) && http_url_parse(url, &u) == NULL &&
	    u.tls == a->url.tls && u.port == a->url.port && strcmp(u.host, a->url.host) == 0;
}

static int
credentials(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	struct http_auth *a = payload;

	(void)user;
	a->failure = HTTP_FAILURE_AUTH;
	if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
		git_error_set_str(GIT_ERROR_HTTP, "the server asks for an authentication "
		    "other than a user and token (Basic)");
		return GIT_EUSER;
	}
	if (a->token == NULL) {
		git_error_set_str(GIT_ERROR_HTTP, "the server asks for a user and token "
		    "(401 Unauthorized), and HTTP_USER and HTTP_TOKEN_FILE are not set");
		return GIT_EUSER;
	}
	if (!same_server(a, url)) {
		git_error_set_str(GIT_ERROR_HTTP, "redirected to another server, which "
		    "asks for a user and token: the token is sent to CLONE_URL's "
		    "server only");
		return GIT_EUSER;
	}
	/* libgit2 asks again after every refusal, for as long as we answer. */
	if (a->attempts++ >= LIMIT_AUTH_ATTEMPTS) {
		git_error_set_str(GIT_ERROR_HTTP, "the server refused HTTP_USER and the "
		    "token in HTTP_TOKEN_FILE (401 Unauthorized): is the token right, "
		    "unexpired, and allowed to read the repository?");
		return GIT_EUSER;
	}
	a->failure = HTTP_FAILURE_NONE;
	return git_credential_userpass_plaintext_new(out, a->user, a->token);
}

/*
 * libgit2 (mbedTLS) checked the chain against the CAs and the name
 * against the host: valid is its verdict, which stands. Never 0 for an
 * invalid certificate: that would skip the check.
 */
static int
certificate_check(git_cert *cert, int valid, const char *host, void *payload)
{
	struct http_auth *a = payload;

	(void)cert;
	(void)host;
	if (valid)
		return 0;
	a->failure = HTTP_FAILURE_CERT;
	return GIT_PASSTHROUGH;	/* libgit2's refusal, with its reason */
}

void
http_auth_callbacks(struct http_auth *a, git_remote_callbacks *cb)
{
	cb->credentials = credentials;
	cb->certificate_check = certificate_check;
	cb->payload = a;
}

void
http_auth_explain(struct http_auth *a)
{
	char msg[768];
	const char *e = last_git_error();

	switch (a->failure) {
	case HTTP_FAILURE_AUTH:
		return;	/* credentials() said it */
	case HTTP_FAILURE_CERT:
		snprintf(msg, sizeof(msg), "the certificate of %s is not trusted: %s "
		    "(checked against %s %s; is it signed by an unknown CA, or made "
		    "for another name?)", a->url.host, e, a->system_ca ?
		    "the system's CAs in" : "CA_FILE", a->ca_file);
		break;
	default:
		/* libgit2 1.5.1's words, http.c and socket.c. */
		if (strstr(e, "status code: 404") != NULL)
			snprintf(msg, sizeof(msg), "the server answered 404 Not Found: "
			    "no repository at this URL%s", a->token != NULL ?
			    ", or the token may not see it" : "");
		else if (strstr(e, "status code: 403") != NULL)
			snprintf(msg, sizeof(msg), "the server answered 403 Forbidden: "
			    "HTTP_USER and the token may not read the repository");
		else if (strstr(e, "status code: ") != NULL)
			snprintf(msg, sizeof(msg), "the server answered with an error: %s", e);
		else if (strstr(e, "failed to connect") != NULL ||
		    strstr(e, "failed to resolve") != NULL)
			snprintf(msg, sizeof(msg), "host unreachable: %s", e);
		else if (strstr(e, "SSL error") != NULL)
			snprintf(msg, sizeof(msg), "the TLS handshake with %s failed (is "
			    "it an HTTPS server?): %s", a->url.host, e);
		else
			return;
		break;
	}
	git_error_set_str(GIT_ERROR_HTTP, msg);
}

int
http_auth_status(const struct http_auth *a)
{
	switch (a->failure) {
	case HTTP_FAILURE_CERT: return EXIT_HOSTKEY;
	case HTTP_FAILURE_AUTH: return EXIT_AUTH;
	default: return EXIT_SYNC_FAILED;
	}
}
