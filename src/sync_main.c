/*
 * sentry-source-sync: the half of sentry-source that links libgit2 and
 * holds the key. sentry-source execs it after answering a request; it
 * never sees a payload, only a branch ref and object names it re-checks.
 *
 * usage: sentry-source-sync -c file --ref refs/heads/BRANCH [--new oid --old oid]
 */
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "config.h"
#include "exitcode.h"
#include "lock.h"
#include "log.h"
#include "ssh_auth.h"
#include "sync.h"

#define BRANCH_PREFIX	"refs/heads/"

/* What libgit2 would read from the invoking user's home and the system:
 * not ours to depend on. In particular libgit2 reads $HOME/.ssh/known_hosts
 * and asks the server only for the key type of the first entry found
 * there, which breaks the handshake when that entry is ssh-rsa. */
static int
isolate_libgit2(void)
{
	static const int levels[] = {
		GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL,
		GIT_CONFIG_LEVEL_PROGRAMDATA
	};
	size_t i;

	if (setenv("HOME", "/nonexistent", 1) == -1 || unsetenv("XDG_CONFIG_HOME") == -1)
		return -1;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, levels[i], "") < 0)
			return -1;
	return 0;
}

static int
valid_branch_ref(const char *ref)
{
	int valid = 0;

	return strncmp(ref, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) == 0 &&
	    ref[strlen(BRANCH_PREFIX)] != '\0' &&
	    git_reference_name_is_valid(&valid, ref) == 0 && valid;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sentry-source-sync -c file --ref refs/heads/BRANCH "
	    "[--new oid --old oid]\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ref", required_argument, NULL, 'r' },
		{ "new", required_argument, NULL, 'n' },
		{ "old", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct config config = CONFIG_INIT;
	struct ssh_auth auth = SSH_AUTH_INIT;
	struct sync_target target = { NULL };
	const char *path = NULL, *ref = NULL, *old = NULL, *new = NULL, *branch;
	char err[512];
	int ch, lock = -1, rc = EXIT_INTERNAL;

	log_init("sentry-source-sync");
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'r': ref = optarg; break;
		case 'n': new = optarg; break;
		case 'o': old = optarg; break;
		default: usage(); return EXIT_USAGE;
		}
	}
	if (path == NULL || ref == NULL || optind != argc) {
		usage();
		return EXIT_USAGE;
	}
	if (config_load(&config, path, err, sizeof(err)) == -1) {
		log_msg("%s", err);
		return EXIT_CONFIG;
	}
	if (git_libgit2_init() < 0 || isolate_libgit2() == -1) {
		log_msg("cannot initialise libgit2");
		goto out;
	}
	if (!valid_branch_ref(ref)) {
		log_msg("--ref %s is not a branch ref", ref);
		rc = EXIT_USAGE;
		goto out;
	}
	target.branch = branch = ref + strlen(BRANCH_PREFIX);
	/* The front matched it already; a second look costs nothing. */
	if (config_get(&config, CONFIG_BRANCH) != NULL &&
	    fnmatch(config_get(&config, CONFIG_BRANCH), branch, FNM_PATHNAME) != 0) {
		log_msg("branch %s is not the configured BRANCH", branch);
		rc = EXIT_USAGE;
		goto out;
	}
	if (ssh_auth_load(&auth, &config, err, sizeof(err)) == -1) {
		log_msg("%s", err);
		rc = EXIT_CONFIG;
		goto out;
	}
	if ((lock = lock_checkout(config_get(&config, CONFIG_CLONE_PATH))) == -1) {
		log_msg("%s.lock: %m", config_get(&config, CONFIG_CLONE_PATH));
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	if (old != NULL && new != NULL)
		log_msg("syncing %s for the push %.12s..%.12s", branch, old, new);
	rc = sync_checkout(&config, &auth, &target);
out:
	unlock_checkout(lock);
	ssh_auth_free(&auth);
	git_libgit2_shutdown();
	config_free(&config);
	return rc;
}
