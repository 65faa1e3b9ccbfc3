/*
 * sentry-source-sync: the half of sentry-source that links libgit2 and
 * holds the key. sentry-source execs it after answering a request; it
 * never parses a payload: it gets a branch ref, which it checks again
 * against BRANCH, and the push's object names, for its log only (it
 * checks out the tip it fetches); the body may pass through, on a
 * descriptor, to RUN=.
 *
 * usage: sentry-source-sync -c file (--ref refs/heads/BRANCH | --current)
 *            [--new oid --old oid] [--payload-fd n] [--syslog]
 *            [--mode socket|hook|sync]
 *        sentry-source-sync -c file --check [--rule branch-or-glob]
 *        sentry-source-sync -c file --rollback | --releases
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "check.h"
#include "clock.h"
#include "config.h"
#include "exitcode.h"
#include "git_error.h"
#include "lock.h"
#include "log.h"
#include "owner.h"
#include "path_trust.h"
#include "peer_limits.h"
#include "publish.h"
#include "services.h"
#include "ssh_auth.h"
#include "status.h"

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
	fprintf(stderr,
	    "usage: sentry-source-sync -c file (--ref refs/heads/BRANCH | --current)\n"
	    "           [--new oid --old oid] [--payload-fd n] [--syslog]\n"
	    "           [--mode socket|hook|sync]\n"
	    "       sentry-source-sync -c file --check [--rule branch-or-glob]\n"
	    "       sentry-source-sync -c file --rollback | --releases\n");
}

/* --current: the branch CLONE_PATH has checked out, for a glob BRANCH. */
static int
current_ref(const struct config *c, char *ref, size_t len)
{
	const char *path = config_get(c, CONFIG_CLONE_PATH);
	git_repository *repo = NULL;
	git_reference *head = NULL;
	char repo_path[PATH_MAX];
	int rc = -1;

	publish_for(c)->repo_path(c, repo_path, sizeof(repo_path));
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		log_err("BRANCH %s is a glob and %s holds no checkout yet: name one "
		    "branch, as in sentry-source --sync --branch NAME",
		    config_get(c, CONFIG_BRANCH), path);
		goto out;
	}
	if (git_reference_lookup(&head, repo, "HEAD") < 0 ||
	    git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		log_err("%s: HEAD names no branch: %s", path, last_git_error());
		goto out;
	}
	if ((size_t)snprintf(ref, len, "%s", git_reference_symbolic_target(head)) < len)
		rc = 0;
out:
	git_reference_free(head);
	git_repository_free(repo);
	return rc;
}

/*
 * Wait for the child's outcome, or its end, until the deadline. 1 when
 * the outcome arrived, 0 when the child ended without one, -1 on timeout.
 */
static int
await_outcome(int fd, struct sync_outcome *o, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;
	long left;

	while (got < sizeof(*o)) {
		if ((left = deadline - clock_ms()) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) <= 0)
			continue;
		if ((n = read(fd, (char *)o + got, sizeof(*o) - got)) == 0)
			return 0;
		if (n > 0)
			got += n;
		else if (errno != EINTR)
			return 0;
	}
	return 1;
}

/*
 * libgit2 1.5.1 has no network timeout: a server that accepts and then
 * says nothing would hold a sync forever. The sync runs in a child that
 * is killed at SYNC_TIMEOUT; what it left is what a kill -9 leaves, and
 * the same cleanup handles both.
 */
static int
sync_with_deadline(const struct config *c, struct ssh_auth *auth,
    const struct sync_target *t, struct sync_outcome *o)
{
	unsigned long seconds = config_number(c, CONFIG_SYNC_TIMEOUT);
	struct sync_target shared = *t;
	volatile int *phase;
	int fds[2], status, rc, got, p;
	pid_t pid, parent;

	/* The child says how far it got here, so the timeout can say it. */
	phase = mmap(NULL, sizeof(*phase), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (phase == MAP_FAILED) {
		log_err("cannot start the sync: %m");
		return EXIT_INTERNAL;
	}
	*phase = SYNC_PHASE_CONNECT;
	shared.phase = phase;
	t = &shared;
	parent = getpid();
	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		log_err("cannot start the sync: %m");
		munmap((void *)phase, sizeof(*phase));
		return EXIT_INTERNAL;
	}
	if (pid == 0) {
		/* Killed with its parent (systemd's stop, a kill -9), so a sync
		 * can never outlive the process that answers for it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(EXIT_INTERNAL);
		close(fds[0]);
		memset(o, 0, sizeof(*o));
		rc = publish_for(c)->prepare(c, auth, t, o);
		if (rc == EXIT_OK && write(fds[1], o, sizeof(*o)) != (ssize_t)sizeof(*o))
			rc = EXIT_INTERNAL;
		_exit(rc);
	}
	close(fds[1]);
	got = await_outcome(fds[0], o, clock_ms() + (long)seconds * 1000);
	close(fds[0]);
	if (got == -1) {
		kill(pid, SIGKILL);
		p = *phase;
		if (p == SYNC_PHASE_CHECKOUT)
			log_err("sync of %s stopped after SYNC_TIMEOUT=%lus during the checkout: "
			    "the work tree was still being written; the next sync finishes it",
			    t->branch, seconds);
		else
			log_err("sync of %s stopped after SYNC_TIMEOUT=%lus during the %s: "
			    "the server at %s %s", t->branch, seconds,
			    p == SYNC_PHASE_FETCH ? "fetch" : "connect",
			    config_get(c, CONFIG_CLONE_URL),
			    p == SYNC_PHASE_FETCH ? "did not finish sending" : "did not answer");
	}
	munmap((void *)phase, sizeof(*phase));
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got == -1 || !WIFEXITED(status)) {
		if (got != -1)
			log_err("sync of %s died of signal %d", t->branch, WTERMSIG(status));
		publish_for(c)->remove_leftovers(c);
		return EXIT_SYNC_FAILED;
	}
	rc = WEXITSTATUS(status);
	return rc == EXIT_OK && got != 1 ? EXIT_INTERNAL : rc;
}

/* Whether this user may work on CLONE_PATH (owner.h): EXIT_OK, or the
 * refusal's exit status, logged. */
static int
owner_status(const struct config *c, const char *what)
{
	char err[1024];

	switch (owner_check(c, what, err, sizeof(err))) {
	case OWNER_OTHER:
		log_err("%s", err);
		return EXIT_NOT_OURS;
	case OWNER_NO_DIR:
		log_err("%s", err);
		return EXIT_SYNC_FAILED;
	case OWNER_OK:
		break;
	}
	return EXIT_OK;
}

/*
 * --rollback, --releases: PUBLISH=releases only. A rollback takes the
 * lock, as a sync does, so that it never switches under one.
 */
static int
rollback_or_list(const char *path, int rollback)
{
	const struct publish *p;
	struct config config = CONFIG_INIT;
	struct status st = STATUS_INIT(STATUS_MODE_ROLLBACK);
	char err[1024], none[LIMIT_REF_BYTES] = "", branch[LIMIT_REF_BYTES];
	int rc = EXIT_INTERNAL, lock = -1;

	if (config_load(&config, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	p = publish_for(&config);
	if ((rollback ? p->rollback : p->list) == NULL) {
		log_err("%s: PUBLISH is not releases: there are no releases to %s", path,
		    rollback ? "roll back to" : "list");
		rc = EXIT_USAGE;
		goto out;
	}
	if (git_libgit2_init() < 0 || isolate_libgit2() == -1) {
		log_err("cannot initialise libgit2");
		goto out;
	}
	if (!rollback) {
		rc = p->list(&config);
		goto out;
	}
	if ((rc = owner_status(&config, "--rollback")) != EXIT_OK)
		goto out;
	if ((lock = lock_checkout(config_get(&config, CONFIG_CLONE_PATH), none,
	    sizeof(none))) < 0) {
		if (lock == LOCK_COALESCED)
			log_warning("%s: a sync is running and another waits; roll back "
			    "after them", config_get(&config, CONFIG_CLONE_PATH));
		else if (lock == -1)
			log_err("%s.lock: %m", config_get(&config, CONFIG_CLONE_PATH));
		rc = lock == LOCK_NOT_OURS ? EXIT_NOT_OURS : EXIT_SYNC_FAILED;
		goto out;
	}
	p->live(&config, st.old, branch, sizeof(branch));
	st.branch = branch[0] != '\0' ? branch : NULL;
	st.have_old = 1;
	rc = p->rollback(&config);
	/* --status then names what is live, as after a sync. */
	status_report(&config, &st, rc, 1);
out:
	unlock_checkout(lock);
	git_libgit2_shutdown();
	config_free(&config);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ref", required_argument, NULL, 'r' },
		{ "current", no_argument, NULL, 'C' },
		{ "new", required_argument, NULL, 'n' },
		{ "old", required_argument, NULL, 'o' },
		{ "payload-fd", required_argument, NULL, 'p' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'k' },
		{ "mode", required_argument, NULL, 'm' },
		{ "rule", required_argument, NULL, 'R' },
		{ "rollback", no_argument, NULL, 'B' },
		{ "releases", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct config config = CONFIG_INIT;
	struct ssh_auth auth = SSH_AUTH_INIT;
	struct sync_target target = { .branch = NULL };
	struct sync_outcome outcome;
	struct status st = STATUS_INIT(STATUS_MODE_SYNC);
	const char *path = NULL, *ref = NULL, *old = NULL, *new = NULL, *branch;
	const char *rule = NULL;
	char err[1024], current[LIMIT_REF_BYTES], newest[LIMIT_REF_BYTES];
	int ch, lock = -1, rc = EXIT_INTERNAL, payload_fd = -1, use_current = 0, check = 0;
	int report = 0, rollback = 0, releases = 0;
	char *end;

	log_init("sentry-source-sync");
	log_remember();
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'r': ref = optarg; break;
		case 'C': use_current = 1; break;
		case 'n': new = optarg; break;
		case 'o': old = optarg; break;
		case 'S': log_to_syslog(); break;
		case 'k': check = 1; break;
		case 'm':
			if ((st.mode = status_mode(optarg)) == NULL) {
				usage();
				return EXIT_USAGE;
			}
			break;
		case 'R': rule = optarg; break;
		case 'B': rollback = 1; break;
		case 'L': releases = 1; break;
		case 'p':
			payload_fd = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || payload_fd < 3 || fcntl(payload_fd, F_GETFD) == -1) {
				usage();
				return EXIT_USAGE;
			}
			break;
		default: usage(); return EXIT_USAGE;
		}
	}
	if (rollback || releases) {
		if (path == NULL || optind != argc || check || ref != NULL || use_current ||
		    rule != NULL || (rollback && releases)) {
			usage();
			return EXIT_USAGE;
		}
		return rollback_or_list(path, rollback);
	}
	if (path == NULL || optind != argc ||
	    (check ? ref != NULL || use_current : (ref == NULL) == !use_current ||
	    rule != NULL)) {
		usage();
		return EXIT_USAGE;
	}
	if (config_load(&config, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	/* The record reads HEAD even when services_init fails. libgit2
	 * settles its search paths in isolate_libgit2, which comes later. */
	if (git_libgit2_init() < 0) {
		log_err("cannot initialise libgit2");
		config_free(&config);
		return EXIT_INTERNAL;
	}
	/* From here on the sync has a CLONE_PATH, and leaves a record there. */
	report = !check;
	if (new != NULL && strlen(new) == STATUS_OID_LEN &&
	    strspn(new, "0123456789abcdef") == STATUS_OID_LEN)
		memcpy(st.pushed, new, sizeof(st.pushed));
	/* Before isolate_libgit2 moves HOME: RUN= gets the invoking one. */
	if (services_init(&config, err, sizeof(err)) == -1) {
		log_err("%s", err);
		rc = EXIT_CONFIG;
		goto out;
	}
	if (isolate_libgit2() == -1) {
		log_err("cannot initialise libgit2");
		goto out;
	}
	if (check) {
		rc = check_deployment_sync(&config, rule);
		goto out;
	}
	if (use_current) {
		if (current_ref(&config, current, sizeof(current)) == -1) {
			rc = EXIT_CONFIG;
			goto out;
		}
		ref = current;
	}
	if (!valid_branch_ref(ref)) {
		log_err("--ref %s is not a branch ref", ref);
		rc = EXIT_USAGE;
		goto out;
	}
	st.branch = target.branch = branch = ref + strlen(BRANCH_PREFIX);
	/* The front matched it already; a second look costs nothing. */
	if (config_get(&config, CONFIG_BRANCH) != NULL &&
	    fnmatch(config_get(&config, CONFIG_BRANCH), branch, FNM_PATHNAME) != 0) {
		log_err("branch %s is not the configured BRANCH", branch);
		rc = EXIT_USAGE;
		goto out;
	}
	if (ssh_auth_load(&auth, &config, err, sizeof(err)) == -1) {
		log_err("%s", err);
		rc = EXIT_CONFIG;
		goto out;
	}
	/* A directory that does not exist is for lock_checkout to say. */
	if (path_trust_parent(config_get(&config, CONFIG_CLONE_PATH), err, sizeof(err)) == -1 &&
	    errno != ENOENT) {
		log_err("CLONE_PATH %s: %s", config_get(&config, CONFIG_CLONE_PATH), err);
		rc = EXIT_CONFIG;
		lock = LOCK_NOT_OURS;	/* no record written where others can write */
		goto out;
	}
	/* Before the lock: root must not leave a lock file the owner cannot
	 * open, nor a record (so no lock is taken for one either). */
	if ((rc = owner_status(&config, "--sync")) != EXIT_OK) {
		if (rc == EXIT_NOT_OURS)
			lock = LOCK_NOT_OURS;
		goto out;
	}
	/* A timer's sync names no push: it writes nothing, reads the newest. */
	snprintf(newest, sizeof(newest), "%s", use_current ? "" : ref);
	if ((lock = lock_checkout(config_get(&config, CONFIG_CLONE_PATH), newest,
	    sizeof(newest))) == LOCK_NOT_OURS) {
		rc = EXIT_NOT_OURS;
		goto out;
	}
	if (lock == LOCK_COALESCED) {
		log_info("%s: a sync is already waiting to run; it will fetch this push too "
		    "(with a glob BRANCH, it syncs the branch of the newest push)", branch);
		rc = EXIT_OK;
		report = 0;	/* the waiting sync's record will cover this push */
		goto out;
	}
	if (lock == -1 && errno == ENOENT) {
		log_err("CLONE_PATH %s: its directory does not exist; create it, "
		    "writable by this user", config_get(&config, CONFIG_CLONE_PATH));
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	if (lock == -1) {
		log_err("%s.lock: %m", config_get(&config, CONFIG_CLONE_PATH));
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	if (strcmp(newest, ref) != 0 && valid_branch_ref(newest) &&
	    config_get(&config, CONFIG_BRANCH) != NULL && fnmatch(config_get(&config, CONFIG_BRANCH), newest + strlen(BRANCH_PREFIX),
	    FNM_PATHNAME) == 0) {
		log_notice("%s: a push to %s came while this sync waited; the newest push wins: "
		    "syncing %s", branch, newest + strlen(BRANCH_PREFIX),
		    newest + strlen(BRANCH_PREFIX));
		ref = newest;
		st.branch = target.branch = branch = ref + strlen(BRANCH_PREFIX);
		st.pushed[0] = '\0';
		old = new = NULL;
		payload_fd = -1;	/* that push's body is not the one we have */
	}
	publish_for(&config)->live(&config, st.old, NULL, 0);
	st.have_old = 1;
	if (old != NULL && new != NULL)
		log_info("syncing %s for the push %.12s..%.12s", branch, old, new);
	rc = sync_with_deadline(&config, &auth, &target, &outcome);
	/* Under the lock, past SYNC_TIMEOUT: BUILD= has RUN_TIMEOUT. */
	if (rc == EXIT_OK)
		rc = publish_for(&config)->make_live(&config, ref, branch, &outcome, payload_fd);
	if (rc == EXIT_OK)
		rc = services_run(&config, ref, &outcome, payload_fd);
out:
	/* A failure before the lock takes it to write the record; when
	 * another sync waits, that one's record will say the same. */
	if (report && lock == -1) {
		newest[0] = '\0';	/* wants nothing, as a timer's sync */
		lock = lock_checkout(config_get(&config, CONFIG_CLONE_PATH), newest,
		    sizeof(newest));
	}
	if (report)
		status_report(&config, &st, rc, lock >= 0);
	unlock_checkout(lock);
	if (report && rc != EXIT_OK)
		services_notify(&config, &st);
	ssh_auth_free(&auth);
	git_libgit2_shutdown();
	config_free(&config);
	return rc;
}
