/*
 * sentry-source-sync: the half of sentry-source that links libgit2 and
 * holds the key. sentry-source execs it after answering a request; it
 * never parses a payload: it gets a branch ref, which it checks again
 * against BRANCH, and the push's object names, for its log only (it
 * checks out the tip it fetches); the body may pass through, on a
 * descriptor, to RUN=.
 *
 * usage: sentry-source-sync -c file (--ref REF | --current | --highest-tag)
 *            [--new oid --old oid] [--payload-fd n] [--syslog]
 *            [--mode socket|hook|sync] [--resume]
 *        sentry-source-sync -c file --check [--rule branch-or-glob]
 *        sentry-source-sync -c file --rollback[=release|commit] | --releases
 *
 * A sync is a sequence of stages, one function each: the command line
 * into a job, the config and libgit2, the checks that come before the
 * lock, the lock, the layout's prepare under SYNC_TIMEOUT and make_live
 * and RUN= under the lock, then the record and ON_FAILURE.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "check.h"
#include "config.h"
#include "deadline.h"
#include "exitcode.h"
#include "git_error.h"
#include "gitname.h"
#include "lock.h"
#include "log.h"
#include "nofollow.h"
#include "peer_limits.h"
#include "place.h"
#include "publish.h"
#include "release_name.h"
#include "services.h"
#include "ssh_auth.h"
#include "status.h"
#include "sync_args.h"
#include "tag_pick.h"

/* What the command line asks for: one run of the helper. */
struct sync_job {
	const char	*config_path;
	const char	*ref;		/* --ref; NULL with --current */
	int		 current;	/* the branch CLONE_PATH holds, for a glob BRANCH */
	int		 highest;	/* TAG=: the highest tag the remote has */
	const char	*old, *new;	/* the push's commits, for the log and record */
	int		 payload_fd;	/* the request body for RUN=, or -1 */
	const char	*mode;		/* STATUS_MODE_* */
	int		 check;
	const char	*rule;		/* --check's branch rule */
	int		 rollback, releases;
	int		 resume;	/* publish the tip past a rollback's pin */
	const char	*target;	/* --rollback's RELEASE or COMMIT; NULL */
};

#define SYNC_JOB_INIT	{ .payload_fd = -1, .mode = STATUS_MODE_SYNC }

/* What a sync holds from its start to its record. */
struct sync_run {
	struct config		 config;
	struct ssh_auth		 auth;
	struct sync_target	 target;
	struct sync_outcome	 outcome;
	struct status		 st;
	const char		*ref;		/* the branch ref synced */
	int			 payload_fd;
	char			 current[LIMIT_REF_BYTES], newest[LIMIT_REF_BYTES];
	int			 lock;		/* the held lock, or -1 */
	int			 may_lock;	/* 0: no record where others could write */
	int			 report;	/* a record and ON_FAILURE at the end */
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sentry-source-sync -c file (--ref REF | --current | --highest-tag)\n"
	    "           [--new oid --old oid] [--payload-fd n] [--syslog]\n"
	    "           [--mode socket|hook|sync] [--resume]\n"
	    "       sentry-source-sync -c file --check [--rule branch-or-glob]\n"
	    "       sentry-source-sync -c file --rollback[=release|commit] | --releases\n");
}

/* The command line into job: 0, -1 for usage(), -2 when said already. */
static int
parse_args(int argc, char *argv[], struct sync_job *job)
{
	static const struct option longopts[] = {
		{ SYNC_OPT_CONFIG, required_argument, NULL, 'c' },
		{ SYNC_OPT_REF, required_argument, NULL, 'r' },
		{ SYNC_OPT_CURRENT, no_argument, NULL, 'C' },
		{ SYNC_OPT_HIGHEST_TAG, no_argument, NULL, 'H' },
		{ SYNC_OPT_NEW, required_argument, NULL, 'n' },
		{ SYNC_OPT_OLD, required_argument, NULL, 'o' },
		{ SYNC_OPT_PAYLOAD_FD, required_argument, NULL, 'p' },
		{ SYNC_OPT_SYSLOG, no_argument, NULL, 'S' },
		{ SYNC_OPT_CHECK, no_argument, NULL, 'k' },
		{ SYNC_OPT_MODE, required_argument, NULL, 'm' },
		{ SYNC_OPT_RULE, required_argument, NULL, 'R' },
		{ SYNC_OPT_ROLLBACK, optional_argument, NULL, 'B' },
		{ SYNC_OPT_RELEASES, no_argument, NULL, 'L' },
		{ SYNC_OPT_RESUME, no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, SYNC_SHORT_CONFIG ":", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': job->config_path = optarg; break;
		case 'r': job->ref = optarg; break;
		case 'C': job->current = 1; break;
		case 'H': job->highest = 1; break;
		case 'n': job->new = optarg; break;
		case 'o': job->old = optarg; break;
		case 'S': log_to_syslog(); break;
		case 'k': job->check = 1; break;
		case 'm':
			if ((job->mode = status_mode(optarg)) == NULL)
				return -1;
			break;
		case 'R': job->rule = optarg; break;
		case 'B':
			job->rollback = 1;
			/* A name or a commit as written; which release, under the lock.
			 * A name may come with the directory --releases prints. */
			if ((job->target = optarg) != NULL &&
			    !release_name_target_valid(nofollow_leaf(optarg))) {
				log_err("--rollback %s: neither a release's name (as --releases "
				    "prints it) nor 7 to 40 lower-case hex digits of a commit",
				    optarg);
				return -2;
			}
			break;
		case 'L': job->releases = 1; break;
		case 'U': job->resume = 1; break;
		case 'p':
			job->payload_fd = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || job->payload_fd < 3 ||
			    fcntl(job->payload_fd, F_GETFD) == -1)
				return -1;
			break;
		default: return -1;
		}
	}
	if (job->config_path == NULL || optind != argc)
		return -1;
	if (job->resume && (job->rollback || job->releases || job->check))
		return -1;
	if (job->rollback || job->releases)
		return job->check || job->ref != NULL || job->current || job->highest ||
		    job->rule != NULL || (job->rollback && job->releases) ? -1 : 0;
	if (job->check)
		return job->ref != NULL || job->current || job->highest ? -1 : 0;
	return (job->ref != NULL) + job->current + job->highest != 1 || job->rule != NULL ?
	    -1 : 0;
}

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

/* A branch ref, as the front's rule and libgit2 both take it: its short
 * name, or NULL. */
static const char *
branch_of(const char *ref)
{
	int valid = 0;

	if (gitname_branch(ref) == NULL || git_reference_name_is_valid(&valid, ref) < 0 ||
	    !valid)
		return NULL;
	return gitname_branch(ref);
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
 * What lock_checkout's result means: EXIT_OK when the lock is held, or
 * when a waiting sync will do a sync's work (branch: the sync's); else
 * the exit status, once logged.
 */
static int
lock_status(enum lock_result r, const char *clone_path, const char *branch)
{
	switch (r) {
	case LOCK_TAKEN:
		return EXIT_OK;
	case LOCK_COALESCED:
		if (branch == NULL) {
			log_warning("%s: a sync is running and another waits; roll back "
			    "after them", clone_path);
			return EXIT_SYNC_FAILED;
		}
		log_info("%s: a sync is already waiting to run; it will fetch this push too "
		    "(with a glob BRANCH, it syncs the branch of the newest push)", branch);
		return EXIT_OK;
	case LOCK_NOT_OURS:
		return EXIT_NOT_OURS;	/* lock.c said why */
	case LOCK_NO_DIR:
		log_err("CLONE_PATH %s: its directory does not exist; create it, "
		    "writable by this user", clone_path);
		return EXIT_SYNC_FAILED;
	case LOCK_ERROR:
		break;
	}
	log_err("%s.lock: %m", clone_path);
	return EXIT_SYNC_FAILED;
}

/*
 * --rollback, --releases: for a layout that keeps older commits. A
 * rollback takes the lock, as a sync does, so that it never switches
 * under one.
 */
static int
rollback_or_list(const struct sync_job *job)
{
	const struct publish *p;
	struct config config = CONFIG_INIT;
	enum place pl;
	struct status st = STATUS_INIT(STATUS_MODE_ROLLBACK);
	char err[1024], none[LIMIT_REF_BYTES] = "", branch[LIMIT_REF_BYTES];
	const char *path;
	int rc = EXIT_INTERNAL, lock = -1;

	/* Nothing here reads a key or a token. */
	config.keep_credential_names = 1;
	if (config_load(&config, job->config_path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	path = config_get(&config, CONFIG_CLONE_PATH);
	p = publish_for(&config);
	if ((job->rollback ? p->rollback == NULL : p->list == NULL)) {
		log_err("%s: PUBLISH is not releases: there are no releases to %s",
		    job->config_path, job->rollback ? "roll back to" : "list");
		rc = EXIT_USAGE;
		goto out;
	}
	if (git_libgit2_init() < 0 || isolate_libgit2() == -1) {
		log_err("cannot initialise libgit2");
		goto out;
	}
	if (!job->rollback) {
		rc = p->list(&config);
		goto out;
	}
	if ((pl = place_check(&config, "--rollback", err, sizeof(err))) != PLACE_OK) {
		log_err("%s", err);
		rc = place_status(pl);
		goto out;
	}
	if ((rc = lock_status(lock_checkout(path, none, sizeof(none), &lock), path,
	    NULL)) != EXIT_OK)
		goto out;
	p->live(&config, st.old, branch, sizeof(branch));
	st.branch = branch[0] != '\0' ? branch : NULL;
	st.have_old = 1;
	st.pinned = 1;
	rc = p->rollback(&config, job->target);
	/* --status then names what is live, as after a sync; a refused
	 * rollback moved nothing, and the record stays the last sync's. */
	if (rc == EXIT_OK)
		status_report(&config, &st, rc, 1);
out:
	unlock_checkout(lock);
	git_libgit2_shutdown();
	config_free(&config);
	return rc;
}

/* The config and libgit2: EXIT_OK, or a failure with nothing to record. */
static int
start(const struct sync_job *job, struct sync_run *run)
{
	char err[1024];

	/* --check says what it could not read, and checks the rest. */
	run->config.keep_credential_names = job->check;
	if (config_load(&run->config, job->config_path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	/* The record reads HEAD even when services_init fails. libgit2
	 * settles its search paths in isolate_libgit2, which comes later. */
	if (git_libgit2_init() < 0) {
		log_err("cannot initialise libgit2");
		config_free(&run->config);
		return EXIT_INTERNAL;
	}
	/* From here on the sync has a CLONE_PATH, and leaves a record there. */
	run->report = !job->check;
	run->payload_fd = job->payload_fd;
	if (job->new != NULL && strlen(job->new) == STATUS_OID_LEN &&
	    strspn(job->new, "0123456789abcdef") == STATUS_OID_LEN)
		memcpy(run->st.pushed, job->new, sizeof(run->st.pushed));
	return EXIT_OK;
}

/* RUN=, INCLUDE_FILES and the like, then libgit2 kept from HOME. */
static int
setup(struct sync_run *run)
{
	char err[1024];

	/* Before isolate_libgit2 moves HOME: RUN= gets the invoking one. */
	if (services_init(&run->config, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	if (isolate_libgit2() == -1) {
		log_err("cannot initialise libgit2");
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/*
 * TAG=: run->ref is a tag the glob takes. The checkout follows a local
 * branch named like it (tag_pick.h), and the record names the tag.
 */
static int
tag_of(struct sync_run *run, const char *glob)
{
	const char *tag = gitname_tag(run->ref);
	int valid = 0;

	if (tag == NULL || git_reference_name_is_valid(&valid, run->ref) < 0 || !valid) {
		log_err("--ref %s is not a tag ref, and this deployment follows TAG %s",
		    run->ref, glob);
		return EXIT_USAGE;
	}
	if (!gitname_tag_takes(glob, tag)) {
		log_err("tag %s is not one that TAG %s takes", tag, glob);
		return EXIT_USAGE;
	}
	/* git would take a branch named so for HEAD itself. */
	if (strcmp(tag, "HEAD") == 0) {
		log_err("a tag named HEAD cannot name the checkout's branch; rename it");
		return EXIT_USAGE;
	}
	run->st.ref = run->ref;
	run->target.tag = run->target.branch = tag;
	return EXIT_OK;
}

/* The branch (or tag), the key, and the place, before any lock is taken. */
static int
prepare(const struct sync_job *job, struct sync_run *run)
{
	const struct config *c = &run->config;
	const char *branch, *tag = config_get(c, CONFIG_TAG);
	char err[1024];
	enum place p;
	int rc;

	run->ref = job->ref;
	if ((tag == NULL && job->highest) || (tag != NULL && job->current)) {
		log_err("--%s: %s", job->highest ? SYNC_OPT_HIGHEST_TAG : SYNC_OPT_CURRENT,
		    tag == NULL ? "this deployment has no TAG" : "this deployment follows "
		    "TAG, not a branch");
		return EXIT_USAGE;
	}
	if (tag != NULL) {
		if (!job->highest && (rc = tag_of(run, tag)) != EXIT_OK)
			return rc;
		goto key;
	}
	if (job->current) {
		if (current_ref(c, run->current, sizeof(run->current)) == -1)
			return EXIT_CONFIG;
		run->ref = run->current;
	}
	if ((branch = branch_of(run->ref)) == NULL) {
		log_err("--ref %s is not a branch ref", run->ref);
		return EXIT_USAGE;
	}
	run->st.branch = run->target.branch = branch;
	run->target.resume = job->resume;
	/* The front matched it already; a second look costs nothing. */
	if (!gitname_rule_takes(config_get(c, CONFIG_BRANCH), branch)) {
		log_err("branch %s is not the configured BRANCH", branch);
		return EXIT_USAGE;
	}
	run->st.ref = run->ref;
key:
	if (ssh_auth_load(&run->auth, c, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	/* Before the lock: root must not leave a lock file the owner cannot
	 * open, nor a record (so no lock is taken for one either), and
	 * nothing is written where another user could change it. */
	if ((p = place_check(c, "--sync", err, sizeof(err))) != PLACE_OK) {
		log_err("%s", err);
		run->may_lock = p == PLACE_NO_DIR;
		return place_status(p);
	}
	/* Asked of the remote in a child, within SYNC_TIMEOUT. */
	if (job->highest) {
		if ((rc = tag_pick_remote(c, &run->auth, tag, config_number(c,
		    CONFIG_SYNC_TIMEOUT), run->current, sizeof(run->current))) != EXIT_OK)
			return rc;
		run->ref = run->current;
		return tag_of(run, tag);
	}
	return EXIT_OK;
}

/* A waiting push's ref this deployment takes too: a tag TAG takes, or a
 * branch a glob BRANCH takes; NULL when not. */
static const char *
newest_taken(const struct sync_run *run)
{
	const char *tag = config_get(&run->config, CONFIG_TAG), *name;
	int valid = 0;

	if (tag == NULL)
		return (name = branch_of(run->newest)) != NULL &&
		    config_get(&run->config, CONFIG_BRANCH) != NULL &&
		    gitname_rule_takes(config_get(&run->config, CONFIG_BRANCH), name) ?
		    name : NULL;
	return (name = gitname_tag(run->newest)) != NULL &&
	    git_reference_name_is_valid(&valid, run->newest) == 0 && valid &&
	    gitname_tag_takes(tag, name) ? name : NULL;
}

/*
 * The lock, and then the newest push: with a glob BRANCH, a push to
 * another branch that came while this sync waited wins. EXIT_OK with
 * run->lock -1 when a waiting sync does this one's work.
 */
static int
take_lock(const struct sync_job *job, struct sync_run *run)
{
	const char *path = config_get(&run->config, CONFIG_CLONE_PATH), *newest;
	enum lock_result r;
	int rc;

	/* A timer's sync names no push: it writes nothing, reads the newest. */
	snprintf(run->newest, sizeof(run->newest), "%s", job->current || job->highest ? "" :
	    run->ref);
	r = lock_checkout(path, run->newest, sizeof(run->newest), &run->lock);
	if (r == LOCK_NOT_OURS)
		run->may_lock = 0;
	if (r == LOCK_COALESCED)
		run->report = 0;	/* the waiting sync's record will cover this push */
	if ((rc = lock_status(r, path, run->target.branch)) != EXIT_OK || r != LOCK_TAKEN)
		return rc;
	if (strcmp(run->newest, run->ref) != 0 && (newest = newest_taken(run)) != NULL) {
		log_notice("%s: a push to %s came while this sync waited; the newest push wins: "
		    "syncing %s", run->target.branch, newest, newest);
		run->ref = run->st.ref = run->newest;
		run->target.branch = newest;
		if (run->target.tag != NULL)
			run->target.tag = newest;
		else
			run->st.branch = newest;
		run->st.pushed[0] = '\0';
		run->payload_fd = -1;	/* that push's body is not the one we have */
		return EXIT_OK;
	}
	if (job->old != NULL && job->new != NULL)
		log_info("syncing %s for the push %.12s..%.12s", run->target.branch, job->old,
		    job->new);
	return EXIT_OK;
}

/* Under the lock: prepare within SYNC_TIMEOUT, then make it live and RUN=. */
static int
run_sync(struct sync_run *run)
{
	const struct publish *p = publish_for(&run->config);
	int rc;

	p->live(&run->config, run->st.old, NULL, 0);
	run->st.have_old = 1;
	rc = deadline_prepare(&run->config, &run->auth, &run->target, &run->outcome);
	if (rc == EXIT_OK && run->outcome.pinned) {
		run->st.pinned = 1;
		git_oid_tostr(run->st.remote, sizeof(run->st.remote), &run->outcome.remote);
	}
	/* Past SYNC_TIMEOUT: BUILD= has RUN_TIMEOUT. */
	if (rc == EXIT_OK)
		rc = p->make_live(&run->config, run->ref, run->target.branch, &run->outcome,
		    run->payload_fd);
	if (rc == EXIT_OK)
		rc = services_run(&run->config, run->ref, &run->outcome, run->payload_fd);
	return rc;
}

/* The record, under the lock; then the lock goes, and ON_FAILURE= runs. */
static int
finish(struct sync_run *run, int rc)
{
	char none[LIMIT_REF_BYTES] = "";	/* wants nothing, as a timer's sync */

	/* A failure before the lock takes it to write the record; when
	 * another sync waits, that one's record will say the same. */
	if (run->report && run->lock == -1 && run->may_lock)
		lock_checkout(config_get(&run->config, CONFIG_CLONE_PATH), none, sizeof(none),
		    &run->lock);
	if (run->report)
		status_report(&run->config, &run->st, rc, run->lock >= 0);
	unlock_checkout(run->lock);
	if (run->report && rc != EXIT_OK)
		services_notify(&run->config, &run->st);
	ssh_auth_free(&run->auth);
	git_libgit2_shutdown();
	config_free(&run->config);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct sync_job job = SYNC_JOB_INIT;
	struct sync_run run = {
		.config = CONFIG_INIT, .auth = SSH_AUTH_INIT, .lock = -1, .may_lock = 1,
	};
	int rc;

	log_init("sentry-source-sync");
	log_deployment_from_env();
	log_remember();
	signal(SIGPIPE, SIG_IGN);
	run.st = (struct status)STATUS_INIT(STATUS_MODE_SYNC);
	if ((rc = parse_args(argc, argv, &job)) < 0) {
		if (rc == -1)
			usage();
		return EXIT_USAGE;
	}
	if (job.rollback || job.releases)
		return rollback_or_list(&job);
	run.st.mode = job.mode;
	if ((rc = start(&job, &run)) != EXIT_OK)
		return rc;
	if ((rc = setup(&run)) != EXIT_OK)
		return finish(&run, rc);
	if (job.check)
		return finish(&run, check_deployment_sync(&run.config, job.rule));
	if ((rc = prepare(&job, &run)) == EXIT_OK && (rc = take_lock(&job, &run)) == EXIT_OK &&
	    run.lock != -1)
		rc = run_sync(&run);
	return finish(&run, rc);
}
