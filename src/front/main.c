/*
 * sentry-source: keep one checkout of one Git repository up to date when
 * its Git host says it was pushed to. See sentry-source(8).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_dir.h"
#include "exitcode.h"
#include "front.h"
#include "gitname.h"
#include "key_files.h"
#include "log.h"
#include "services_config.h"
#include "source.h"
#include "status_dir.h"
#include "status_print.h"
#include "sync_args.h"
#include "usage.h"
#include "version.h"

enum mode {
	MODE_SERVE, MODE_SERVE_DIR, MODE_HOOK, MODE_SYNC, MODE_CHECK, MODE_STATUS, MODE_LIST,
	MODE_VERSION, MODE_HELP, MODE_ROLLBACK, MODE_RELEASES, MODE_RESUME, MODE_STATUS_DIR
};

/*
 * A classic inetd passes the connection as stderr too: the peer must not
 * read our log, nor the sync keep its connection open. Such a stderr
 * becomes /dev/null, and the log goes to syslog.
 */
static int
guard_stderr(void)
{
	struct stat in, err;
	int fd;

	if (fstat(0, &in) == -1 || fstat(2, &err) == -1 || !S_ISSOCK(err.st_mode) ||
	    in.st_dev != err.st_dev || in.st_ino != err.st_ino)
		return 0;
	if ((fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 2) == -1)
		return -1;
	close(fd);
	log_to_syslog();
	return 0;
}

/* A closed 0, 1 or 2 would let the next open() become one of them. */
static int
ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int
list_sources(void)
{
	const struct source *const *s;

	for (s = source_table; *s != NULL; s++)
		printf("%-20s %s\n", (*s)->name, (*s)->display_name);
	return EXIT_OK;
}

/*
 * A host that can sign must be given a secret, or be explicitly let off;
 * a host that cannot sign must not seem protected by one.
 */
static int
check_signing(struct deployment *d)
{
	const struct config *c = d->config;
	const char *file = config_get(c, CONFIG_SECRET_FILE);
	int allow = config_yes(c, CONFIG_ALLOW_UNSIGNED);
	char err[512];

	if (d->source->signature.how == SOURCE_UNSIGNED) {
		if (file != NULL) {
			log_err("%s:%u: SECRET_FILE cannot be checked: %s does not sign "
			    "its requests; restrict who may connect instead "
			    "(IPAddressAllow= in the socket unit)",
			    c->path, c->v[CONFIG_SECRET_FILE].line, d->source->name);
			return -1;
		}
		return 0;
	}
	if (file != NULL && allow) {
		log_err("%s:%u: ALLOW_UNSIGNED=yes contradicts SECRET_FILE; drop one",
		    c->path, c->v[CONFIG_ALLOW_UNSIGNED].line);
		return -1;
	}
	if (file == NULL && !allow) {
		log_err("%s: missing SECRET_FILE: %s signs its requests with a shared "
		    "secret; set one in the host and here, or set ALLOW_UNSIGNED=yes",
		    c->path, d->source->name);
		return -1;
	}
	/* --check without $CREDENTIALS_DIRECTORY: check_now says so. */
	if (file != NULL && !key_files_unresolved(c, CONFIG_SECRET_FILE, NULL, 0) &&
	    secret_load(&d->secret, file, err, sizeof(err)) == -1) {
		log_err("%s:%u: %s", c->path, c->v[CONFIG_SECRET_FILE].line, err);
		return -1;
	}
	return 0;
}

/*
 * Without SOURCE, a deployment takes pushes from its post-receive hook
 * only: it follows BRANCH, and no webhook concept (a secret, unsigned
 * requests) applies to it. Socket mode needs a source.
 */
static int
check_hook_deployment(struct deployment *d, enum mode mode)
{
	const struct config *c = d->config;
	static const enum config_key webhook_keys[] = {
		CONFIG_SECRET_FILE, CONFIG_ALLOW_UNSIGNED, CONFIG_MAX_BODY, CONFIG_REQUEST_TIMEOUT
	};
	size_t i;

	if (mode == MODE_SERVE || mode == MODE_SERVE_DIR) {
		log_err("%s: missing SOURCE: webhooks need one (see --list-sources); "
		    "a deployment without it takes pushes from --post-receive only",
		    c->path);
		return -1;
	}
	d->rule.tag = config_get(c, CONFIG_TAG);
	if ((d->rule.branch = config_get(c, CONFIG_BRANCH)) == NULL && d->rule.tag == NULL) {
		log_err("%s: missing required key BRANCH (or TAG): without SOURCE, BRANCH "
		    "names what the hook follows", c->path);
		return -1;
	}
	for (i = 0; i < sizeof(webhook_keys) / sizeof(webhook_keys[0]); i++)
		if (c->v[webhook_keys[i]].value != NULL) {
			log_err("%s:%u: a webhook's key, and this deployment has no SOURCE: "
			    "nothing would read it; drop it", c->path,
			    c->v[webhook_keys[i]].line);
			return -1;
		}
	return 0;
}

/* The config names a source we have, and a branch rule it can use. */
static int
check_deployment(struct deployment *d, enum mode mode)
{
	const struct config *c = d->config;
	const char *branch = config_get(c, CONFIG_BRANCH), *tag = config_get(c, CONFIG_TAG);
	char err[512];

	if (config_get(c, CONFIG_SOURCE) == NULL) {
		if (check_hook_deployment(d, mode) == -1)
			return -1;
		if (services_check(c, err, sizeof(err)) == -1) {
			log_err("%s", err);
			return -1;
		}
		return 0;
	}
	if ((d->source = source_find(config_get(c, CONFIG_SOURCE))) == NULL) {
		log_err("%s:%u: SOURCE %s is not compiled in (see --list-sources)",
		    c->path, c->v[CONFIG_SOURCE].line, config_get(c, CONFIG_SOURCE));
		return -1;
	}
	if (d->source->builtin_branch != NULL && branch != NULL) {
		log_err("%s:%u: BRANCH cannot be set: %s follows %s",
		    c->path, c->v[CONFIG_BRANCH].line, d->source->name,
		    d->source->builtin_branch);
		return -1;
	}
	if (d->source->builtin_branch != NULL && tag != NULL) {
		log_err("%s:%u: TAG cannot be set: %s follows the branch %s",
		    c->path, c->v[CONFIG_TAG].line, d->source->name,
		    d->source->builtin_branch);
		return -1;
	}
	if (d->source->builtin_branch == NULL && branch == NULL && tag == NULL) {
		log_err("%s: missing required key BRANCH (or TAG) for SOURCE %s",
		    c->path, d->source->name);
		return -1;
	}
	/* config.c refused TAG and BRANCH together. */
	if ((d->rule.tag = tag) == NULL)
		d->rule.branch = branch ? branch : d->source->builtin_branch;
	if (services_check(c, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	d->max_body = config_number(c, CONFIG_MAX_BODY);
	d->request_seconds = (int)config_number(c, CONFIG_REQUEST_TIMEOUT);
	return check_signing(d);
}

/*
 * Before an answer says a sync was started: the files the sync needs to
 * connect are there, readable, and private where ssh insists, as the
 * helper will check them. --check and --sync leave it to the helper,
 * which says the same and more.
 */
static int
check_sync_files(const struct deployment *d)
{
	char err[512];

	if (key_files_check(d->config, err, sizeof(err)) == -1) {
		log_err("%s: %s", d->config->path, err);
		return -1;
	}
	return 0;
}

/*
 * --sync: the named branch, or the one branch the rule names; with a glob
 * and no name, the branch the checkout has (the helper knows it). With
 * TAG=, the highest tag it takes.
 */
static int
sync_now(const struct deployment *d, const char *branch, int resume)
{
	struct push p = { .change = PUSH_UPDATE };
	struct sync_call call = { .push = &p, .resume = resume };

	/* TAG=: the highest tag the glob takes, which the helper asks the
	 * remote for (exec_sync). */
	if (d->rule.tag != NULL) {
		if (branch != NULL) {
			log_err("--branch %s: this deployment follows TAG %s, not a branch",
			    branch, d->rule.tag);
			return EXIT_USAGE;
		}
		call.push = NULL;
		return exec_sync(d, &call);
	}
	if (branch == NULL && strpbrk(d->rule.branch, "*?[") != NULL) {
		call.push = NULL;
		return exec_sync(d, &call);
	}
	if ((size_t)snprintf(p.ref, sizeof(p.ref), "refs/heads/%s",
	    branch ? branch : d->rule.branch) >= sizeof(p.ref)) {
		log_err("branch name too long");
		return EXIT_USAGE;
	}
	if (!source_wants_ref(&d->rule, p.ref)) {
		log_err("branch %s: BRANCH %s does not take it", p.ref + REFS_HEADS_LEN, d->rule.branch);
		return EXIT_USAGE;
	}
	return exec_sync(d, &call);
}

/* --check: the front's half, then the helper's (which connects). */
static int
check_now(const struct deployment *d)
{
	const struct config *c = d->config;
	struct sync_call call = { .check = 1 };
	char skip[512];

	const char *key = d->rule.tag != NULL ? "TAG" : "BRANCH";
	const char *rule = d->rule.tag != NULL ? d->rule.tag : d->rule.branch;

	if (d->source == NULL) {
		printf("ok: %s: no SOURCE: pushes come from --post-receive only, "
		    "%s %s\n", c->path, key, rule);
		return exec_sync(d, &call);
	}
	printf("ok: %s: SOURCE %s (%s), %s %s\n", c->path, d->source->name,
	    d->source->display_name, key, rule);
	if (d->source->signature.how == SOURCE_UNSIGNED)
		printf("ok: %s cannot sign its requests: restrict who may connect "
		    "(IPAddressAllow= in the socket unit)\n", d->source->name);
	else if (key_files_unresolved(c, CONFIG_SECRET_FILE, skip, sizeof(skip)))
		printf("skip: %s\n", skip);
	else if (d->secret.bytes != NULL)
		printf("ok: SECRET_FILE %s: readable, %s, checked against %s\n",
		    config_get(c, CONFIG_SECRET_FILE), d->secret.n == 1 ? "one secret" :
		    "two secrets (rotating: a request signed with either is taken)",
		    d->source->signature.header);
	else
		printf("ok: ALLOW_UNSIGNED=yes: requests are not authenticated\n");
	return exec_sync(d, &call);
}

/*
 * --config-dir: the request's head names the deployment, DIR/NAME.conf,
 * which must be a regular file in DIR itself (openat, no symlink). An
 * unknown NAME is a 404; a known one that is wrong, a 500, as with -c.
 */
static int
serve_dir(const char *dir)
{
	struct config config = CONFIG_INIT;
	struct deployment d = { .config = &config, .secret = SECRET_INIT, .path_chosen = 1 };
	struct serve_conn s;
	struct stat st;
	char name[LIMIT_DEPLOYMENT_NAME + 1], file[sizeof(name) + sizeof(CONFIG_DIR_SUFFIX)];
	char path[PATH_MAX], err[512];
	int dirfd, status, rc, found;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("--config-dir %s: %m", dir);
		serve_misconfigured();
		return EXIT_CONFIG;
	}
	if ((rc = serve_begin(&s, LIMIT_REQUEST_SECONDS)) != 0)
		goto out;
	if (s.status != 0) {
		rc = serve_finish(&s, NULL);
		goto out;
	}
	if ((status = config_dir_name(s.req->path, name, sizeof(name))) != 0) {
		rc = serve_refuse(&s, status, status == 400 ?
		    "no escapes in a deployment's path" : "no such deployment: POST /NAME/webhook");
		goto out;
	}
	if (config_dir_enter(name) == -1) {
		log_err("--config-dir %s: %s: cannot pass the name on: %m", dir, name);
		goto misconfigured;
	}
	snprintf(file, sizeof(file), "%s%s", name, CONFIG_DIR_SUFFIX);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		log_err("--config-dir %s: too long a path", dir);
		goto misconfigured;
	}
	found = fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!found && errno != ENOENT) {
		log_err("--config-dir %s: %s: %m", dir, file);
		goto misconfigured;
	}
	if (!found || !S_ISREG(st.st_mode)) {
		if (found)
			log_warning("--config-dir %s: %s: %s; not used", dir, file,
			    S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		rc = serve_refuse(&s, 404, "no such deployment: POST /NAME/webhook");
		goto out;
	}
	if (config_load_at(&config, dirfd, file, O_NOFOLLOW, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto misconfigured;
	}
	if (check_deployment(&d, MODE_SERVE_DIR) == -1 || check_sync_files(&d) == -1)
		goto misconfigured;
	/* The head was read under the default deadline; the rest gets the
	 * deployment's, counted from the same start. */
	s.conn.deadline_ms += (long)(d.request_seconds - LIMIT_REQUEST_SECONDS) * 1000;
	close(dirfd);
	dirfd = -1;
	rc = serve_finish(&s, &d);
	goto out;
misconfigured:
	serve_refuse(&s, 500, "server misconfigured; see its log");
	rc = EXIT_CONFIG;
out:
	if (dirfd != -1)
		close(dirfd);
	secret_free(&d.secret);
	config_free(&config);
	return rc;
}

/*
 * --rollback's target, from --rollback=TARGET or, as in the SYNOPSIS, the
 * word after it, into the helper's one word --rollback[=TARGET]: one
 * word, so that no target is taken for an option. The helper checks
 * what it names. 0, or -1 for usage().
 */
static int
rollback_arg(int argc, char *argv[], const char *target, char *buf, size_t len)
{
	if (target == NULL && optind + 1 == argc)
		target = argv[optind++];
	if (target != NULL && strlen(target) >= SYNC_TARGET_MAX) {
		log_err("--rollback: a target of more than %d bytes", SYNC_TARGET_MAX - 1);
		return -1;
	}
	if (target != NULL && target[0] == '\0')
		return -1;
	snprintf(buf, len, "%s%s%s", SYNC_ARG(SYNC_OPT_ROLLBACK), target != NULL ? "=" : "",
	    target != NULL ? target : "");
	return 0;
}

/* The mode a mode option's getopt character names; MODE_SERVE for any
 * other character. */
static enum mode
mode_of(int ch)
{
	switch (ch) {
	case 'P': return MODE_HOOK;
	case 's': return MODE_SYNC;
	case 'k': return MODE_CHECK;
	case 'S': return MODE_STATUS;
	case 'r': return MODE_ROLLBACK;
	case 'R': return MODE_RELEASES;
	case 'U': return MODE_RESUME;
	case 'l': return MODE_LIST;
	case 'V': return MODE_VERSION;
	case 'h': return MODE_HELP;
	default: return MODE_SERVE;
	}
}

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "config-dir", required_argument, NULL, 'D' },
	{ "post-receive", no_argument, NULL, 'P' },
	{ "sync", no_argument, NULL, 's' },
	{ "branch", required_argument, NULL, 'b' },
	{ "check", no_argument, NULL, 'k' },
	{ "status", no_argument, NULL, 'S' },
	{ "rollback", optional_argument, NULL, 'r' },
	{ "releases", no_argument, NULL, 'R' },
	{ "resume", no_argument, NULL, 'U' },
	{ "json", no_argument, NULL, 'j' },
	{ "list-sources", no_argument, NULL, 'l' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct config config = CONFIG_INIT;
	struct deployment d = { .config = &config, .secret = SECRET_INIT };
	const char *path = NULL, *branch = NULL, *dir = NULL, *target = NULL;
	enum mode mode = MODE_SERVE, next;
	const char *mode_option = NULL;
	char err[512], rollback[SYNC_TARGET_MAX + sizeof(SYNC_ARG(SYNC_OPT_ROLLBACK) "=")];
	int ch, rc = -1, json = 0;

	log_init("sentry-source");
	unsetenv(LOG_DEPLOYMENT_ENV);	/* the helper's from serve_dir only */
	if (ensure_std_fds() == -1 || guard_stderr() == -1)
		return EXIT_INTERNAL;
	/* A client that hangs up must not kill us mid-answer. */
	signal(SIGPIPE, SIG_IGN);

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; continue;
		case 'D': dir = optarg; continue;
		case 'b': branch = optarg; continue;
		case 'j': json = 1; continue;
		case 'r': target = optarg; break;
		}
		if ((next = mode_of(ch)) == MODE_SERVE) {
			usage(stderr);
			return EXIT_USAGE;
		}
		/* Not the last one silently: --check --sync would sync. */
		if (mode != MODE_SERVE && mode != next) {
			log_err("%s and %s: two modes; give one", mode_option, argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
		mode = next;
		mode_option = argv[optind - 1];
	}
	/* Other modes take one deployment: -c DIR/NAME.conf. */
	if (dir != NULL && mode == MODE_SERVE && path == NULL)
		mode = MODE_SERVE_DIR;
	if (dir != NULL && mode == MODE_STATUS && path == NULL)
		mode = MODE_STATUS_DIR;
	if ((mode == MODE_ROLLBACK && rollback_arg(argc, argv, target, rollback,
	    sizeof(rollback)) == -1) || optind != argc || (branch != NULL && mode != MODE_SYNC) ||
	    (json && mode != MODE_STATUS && mode != MODE_STATUS_DIR) ||
	    (dir != NULL && mode != MODE_SERVE_DIR && mode != MODE_STATUS_DIR)) {
		usage(stderr);
		return EXIT_USAGE;
	}

	switch (mode) {
	case MODE_LIST:
		return list_sources();
	case MODE_VERSION:
		printf("sentry-source %s\n", VERSION);
		return EXIT_OK;
	case MODE_HELP:
		usage_help(stdout);
		return EXIT_OK;
	case MODE_SERVE_DIR:
		return serve_dir(dir);
	case MODE_STATUS_DIR:
		return status_dir(dir, json);
	default:
		break;
	}

	if (path == NULL)
		path = CONFIG_DEFAULT_PATH;
	/* These read no secret: a credential's name needs no directory. */
	config.keep_credential_names = mode == MODE_STATUS || mode == MODE_CHECK ||
	    mode == MODE_ROLLBACK || mode == MODE_RELEASES;
	if (config_load(&config, path, err, sizeof(err)) == -1)
		log_err("%s", err);
	/* Only CLONE_PATH: a monitoring user need not read the secrets. */
	else if (mode == MODE_STATUS)
		rc = status_print(&config, NULL, json);
	/* PUBLISH=releases: the helper's work, under the checkout's lock. */
	else if (mode == MODE_ROLLBACK || mode == MODE_RELEASES)
		rc = exec_sync(&d, &(struct sync_call){ .command = mode == MODE_ROLLBACK ?
		    rollback : SYNC_ARG(SYNC_OPT_RELEASES) });
	else if (check_deployment(&d, mode) == 0 &&
	    ((mode != MODE_SERVE && mode != MODE_HOOK) || check_sync_files(&d) == 0))
		rc = mode == MODE_SYNC || mode == MODE_RESUME ?
		    sync_now(&d, branch, mode == MODE_RESUME) :
		    mode == MODE_CHECK ? check_now(&d) :
		    mode == MODE_HOOK ? post_receive(&d) : serve_connection(&d);
	else
		rc = -1;
	if (rc == -1) {
		if (mode == MODE_SERVE)
			serve_misconfigured();
		rc = EXIT_CONFIG;
	}
	secret_free(&d.secret);
	config_free(&config);
	return rc;
}
