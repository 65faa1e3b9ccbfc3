#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "check.h"
#include "exitcode.h"
#include "git_error.h"
#include "gitname.h"
#include "key_files.h"
#include "known_hosts.h"
#include "place.h"
#include "publish.h"
#include "ssh_auth.h"
#include "tag_pick.h"
#include "submodules.h"

static int worst = EXIT_OK;
static int skipped;	/* a credential out of reach: not all was checked */

static void
report(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report(int status, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", status == EXIT_OK ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (status != EXIT_OK && worst == EXIT_OK)
		worst = status;
}

/*
 * Does any entry name the host? Asked with a key that cannot be in the
 * file: "unknown" then means no entry names the host at all.
 */
static int
names_host(const struct ssh_auth *a)
{
	static const unsigned char probe[4 + 11 + 4 + 32] =
	    "\0\0\0\13ssh-ed25519\0\0\0\40";

	return known_hosts_check(a->known_hosts, a->known_hosts_len, a->host, a->port,
	    probe, sizeof(probe)) != KNOWN_HOST_UNKNOWN;
}

/* TAG=: how many of the remote's tags the glob takes, and which of them
 * --sync deploys (tag_pick.h). */
static void
check_tags(const git_remote_head **heads, size_t n, const char *glob)
{
	const char **names, *best;
	size_t i, taken;

	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL) {
		report(EXIT_INTERNAL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		names[i] = heads[i]->name;
	taken = tag_pick_highest(names, n, glob, &best);
	if (best != NULL)
		report(EXIT_OK, "TAG %s: %zu %s; the highest is %s", glob, taken,
		    taken == 1 ? "tag matches" : "tags match", best);
	else
		report(EXIT_OK, "TAG %s: no tag of the remote matches yet; --sync has "
		    "nothing to deploy until one is pushed", glob);
	free(names);
}

/*
 * Connect as a sync would, list the branches the remote has, and say
 * whether the branch rule takes any of them: one that takes none makes
 * every sync fail. With TAG=, the tags it takes.
 */
static void
check_remote(const struct config *c, struct ssh_auth *a, const char *rule)
{
	const char *url = config_get(c, CONFIG_CLONE_URL);
	git_remote_callbacks cb;
	const git_remote_head **heads;
	git_remote *remote = NULL;
	const char *branch;
	char list[512] = "";
	size_t i, n, len, count = 0, taken = 0;

	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	ssh_auth_callbacks(a, &cb);
	if (git_remote_create_detached(&remote, url) < 0 ||
	    ssh_auth_connect(remote, &cb) < 0 ||
	    git_remote_ls(&heads, &n, remote) < 0) {
		ssh_auth_explain(a);
		report(a->https ? http_auth_status(&a->http) :
		    a->failure == SSH_FAILURE_HOSTKEY ? EXIT_HOSTKEY :
		    a->failure == SSH_FAILURE_AUTH ? EXIT_AUTH : EXIT_SYNC_FAILED,
		    "connecting to %s: %s", url, last_git_error());
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((branch = gitname_branch(heads[i]->name)) == NULL)
			continue;
		/* As the sync matches it. */
		if (rule != NULL && gitname_rule_takes(rule, branch))
			taken++;
		len = strlen(list);
		if (count++ < 10)
			snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", branch);
	}
	report(EXIT_OK, "%s: %s; %zu %s: %s%s", url, !a->https ?
	    "host key known, key accepted" : a->http.token != NULL ?
	    "certificate trusted, token accepted" : "certificate trusted, no token asked",
	    count, count == 1 ? "branch" : "branches", count ? list : "none",
	    count > 10 ? ", ..." : "");
	if (config_get(c, CONFIG_TAG) != NULL)
		check_tags(heads, n, config_get(c, CONFIG_TAG));
	if (rule == NULL)
		goto out;
	if (taken > 0)
		report(EXIT_OK, "BRANCH %s: the remote has %zu such branch%s", rule, taken,
		    taken == 1 ? "" : "es");
	else
		report(EXIT_CONFIG, "BRANCH %s: no branch of the remote is named so%s; every "
		    "sync would fail: set BRANCH to one of the branches above", rule,
		    rule[0] == '"' || rule[0] == '\'' ?
		    " (quotes are part of the value: write BRANCH=name)" : "");
out:
	git_remote_free(remote);
}

/*
 * An https CLONE_URL: the files ssh_auth_load checked, said; never the
 * token. ssh keys given are checked but unused.
 */
static void
check_http(const struct config *c, const struct ssh_auth *a)
{
	const char *tf = config_get(c, CONFIG_HTTP_TOKEN_FILE);

	if (tf != NULL)
		report(EXIT_OK, "HTTP_TOKEN_FILE %s: readable by this user only; sent "
		    "as HTTP_USER %s's password to %s only", tf,
		    config_get(c, CONFIG_HTTP_USER), a->http.url.host);
	else
		report(EXIT_OK, "no HTTP_TOKEN_FILE: the server must not ask for one");
	report(EXIT_OK, "the certificate of %s is checked against %s %s", a->http.url.host,
	    a->http.system_ca ? "the system's CAs in" : "CA_FILE", a->http.ca_file);
	if (config_get(c, CONFIG_SSH_KEYPATH) != NULL)
		report(EXIT_OK, "SSH_KEYPATH %s, KNOWN_HOSTS %s: readable, but not used "
		    "for an https CLONE_URL", config_get(c, CONFIG_SSH_KEYPATH),
		    config_get(c, CONFIG_KNOWN_HOSTS));
}

/*
 * Credentials named, and no $CREDENTIALS_DIRECTORY (run by hand, outside
 * the unit): each said, and the number of the connection's among them,
 * which cannot be tried without them. SECRET_FILE is the front's to say.
 */
static int
unresolved_credentials(const struct config *c)
{
	char line[512];
	size_t i;
	int connect = 0;

	for (i = 0; i < KEY_FILES_CONNECT + 1; i++) {
		if (!key_files_unresolved(c, key_files_keys[i], line, sizeof(line)))
			continue;
		skipped = 1;
		if (i < KEY_FILES_CONNECT) {
			printf("skip: %s\n", line);
			connect++;
		}
	}
	return connect;
}

int
check_deployment_sync(const struct config *c, const char *rule)
{
	struct ssh_auth auth = SSH_AUTH_INIT;
	const char *key = config_get(c, CONFIG_SSH_KEYPATH);
	char err[512], where[1024];
	enum place p;

	/* First: as another user (root above all), every other answer
	 * would be about the wrong user's rights. */
	if ((p = place_check(c, "--check", where, sizeof(where))) == PLACE_OTHER) {
		report(EXIT_NOT_OURS, "%s", where);
		goto out;
	}
	/* What needs no credential is still checked: the checkout. */
	if (unresolved_credentials(c) > 0) {
		if (p != PLACE_OK)
			report(place_status(p), "%s", where);
		else
			publish_for(c)->check(c, report);
		printf("skip: connecting to %s: not tried without the credentials above\n",
		    config_get(c, CONFIG_CLONE_URL));
		goto out;
	}
	if (ssh_auth_load(&auth, c, err, sizeof(err)) == -1) {
		report(EXIT_CONFIG, "%s", err);
		goto out;
	}
	if (auth.https) {
		check_http(c, &auth);
		goto place;
	}
	if (ssh_key_is_rsa(key, auth.passphrase)) {
		report(EXIT_AUTH, "SSH_KEYPATH %s: an RSA key, which libssh2 signs with "
		    "SHA-1 (ssh-rsa) and OpenSSH 8.8 and later refuse; make an ed25519 "
		    "key: ssh-keygen -t ed25519 -N '' -f %s.ed25519", key, key);
		goto out;
	}
	report(EXIT_OK, "SSH_KEYPATH %s: readable by this user only, not RSA", key);
	if (!names_host(&auth)) {
		report(EXIT_HOSTKEY, "KNOWN_HOSTS %s: no entry names %s%s%s:%d; add the "
		    "host's keys (ssh-keyscan -p %d %s) after checking their fingerprints",
		    config_get(c, CONFIG_KNOWN_HOSTS), auth.port == 22 ? "" : "[", auth.host,
		    auth.port == 22 ? "" : "]", auth.port, auth.port, auth.host);
		goto out;
	}
	report(EXIT_OK, "KNOWN_HOSTS %s: names %s", config_get(c, CONFIG_KNOWN_HOSTS),
	    auth.host);
place:
	/* CLONE_PATH's directory first: whatever the layout, another user
	 * must not be able to change what it names. */
	if (p != PLACE_OK)
		report(place_status(p), "%s", where);
	else
		publish_for(c)->check(c, report);
	check_remote(c, &auth, rule);
	submodules_check_config(c, rule, &auth, report);
out:
	ssh_auth_free(&auth);
	fflush(stdout);
	/* Not all is well when some of it could not be looked at. */
	return worst == EXIT_OK && skipped ? EXIT_UNCHECKED : worst;
}
