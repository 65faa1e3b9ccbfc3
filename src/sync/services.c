/*
 * RUN= gets the event through its environment and two files in a private
 * directory: the changed paths, and the request body when a webhook
 * started the sync. The body never goes on a command line, where any
 * user could read it in ps.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "changes.h"
#include "exitcode.h"
#include "file.h"
#include "gitname.h"
#include "log.h"
#include "peer_limits.h"
#include "publish.h"
#include "remove_tree.h"
#include "run.h"
#include "run_split.h"
#include "services.h"
#include "services_config.h"

#define CHANGED_NAME	"changed-files"
#define PAYLOAD_NAME	"payload"

/* What the command is told; an inherited variable of the same name is
 * dropped, so that SENTRY_PAYLOAD, say, is set only when there is one. */
static const char *const our_vars[] = {
	"SENTRY_SOURCE", "SENTRY_REF", "SENTRY_TAG", "SENTRY_OLD", "SENTRY_NEW", "SENTRY_FORCED",
	"SENTRY_REPO_PATH", "SENTRY_RELEASE_PATH", "SENTRY_CHANGED_FILES", "SENTRY_PAYLOAD", "HOME", "XDG_CONFIG_HOME",
	/* ON_FAILURE='s */
	"SENTRY_STATUS", "SENTRY_MESSAGE", "SENTRY_MODE", "SENTRY_BRANCH", "SENTRY_PUSHED",
	"SENTRY_TIME", "SENTRY_STATUS_FILE"
};
#define NVARS	(sizeof(our_vars) / sizeof(our_vars[0]))

/*
 * What tells git which repository it is in, as git rev-parse
 * --local-env-vars lists it: RUN= runs in CLONE_PATH, and a git command
 * there must find CLONE_PATH's repository, whoever started the helper
 * (a git hook sets GIT_DIR, for one).
 */
static const char *const git_repo_vars[] = {
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
	"GIT_CONFIG_COUNT", "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE",
	"GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
	"GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR"
};

/* The invoking environment's HOME and XDG_CONFIG_HOME (NULL when unset). */
static struct {
	int	 kept;
	char	*home;
	char	*xdg_config_home;
} saved;

static int
keep_var(const char *name, char **copy)
{
	const char *v = getenv(name);

	*copy = NULL;
	return v != NULL && (*copy = strdup(v)) == NULL ? -1 : 0;
}

int
services_init(const struct config *c, char *err, size_t errlen)
{
	if (config_get(c, CONFIG_RUN) == NULL && config_get(c, CONFIG_ON_FAILURE) == NULL &&
	    config_get(c, CONFIG_BUILD) == NULL && config_get(c, CONFIG_SHARED_DIRS) == NULL &&
	    config_get(c, CONFIG_SHARED_FILES) == NULL)
		return 0;
	if (services_check(c, err, errlen) == -1)
		return -1;
	if (!saved.kept && (keep_var("HOME", &saved.home) == -1 ||
	    keep_var("XDG_CONFIG_HOME", &saved.xdg_config_home) == -1)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	saved.kept = 1;
	return 0;
}

static int
named(const char *entry, const char *const *names, size_t count)
{
	size_t i, n;

	for (i = 0; i < count; i++) {
		n = strlen(names[i]);
		if (strncmp(entry, names[i], n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

/* Set by us, or dropped: not passed on as inherited. */
static int
is_ours(const char *entry)
{
	return named(entry, our_vars, NVARS) ||
	    named(entry, git_repo_vars, sizeof(git_repo_vars) / sizeof(git_repo_vars[0]));
}

/* One more NAME=value of ours; -1 when out of memory. */
static int
add_var(char **mine, size_t *n, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	if (asprintf(&mine[*n], "%s=%s", name, value) == -1) {
		mine[*n] = NULL;
		return -1;
	}
	(*n)++;
	return 0;
}

/*
 * The helper's environment, less what we set, plus mine[0..n) and the
 * HOME it was given; mine has NVARS slots, freed by the caller.
 */
static char **
merge_env(char **mine, size_t n)
{
	char **envp, **e;
	size_t count = 0;

	/* Without services_init, HOME is whatever the helper has. */
	if (saved.kept && (add_var(mine, &n, "HOME", saved.home) == -1 ||
	    add_var(mine, &n, "XDG_CONFIG_HOME", saved.xdg_config_home) == -1))
		return NULL;
	for (e = environ; *e != NULL; e++)
		count++;
	if ((envp = calloc(count + n + 1, sizeof(*envp))) == NULL)
		return NULL;
	count = 0;
	for (e = environ; *e != NULL; e++)
		if (!is_ours(*e) || (!saved.kept && (strncmp(*e, "HOME=", 5) == 0 ||
		    strncmp(*e, "XDG_CONFIG_HOME=", 16) == 0)))
			envp[count++] = *e;
	memcpy(envp + count, mine, n * sizeof(*envp));
	return envp;
}

static char **
make_env(const struct config *c, const char *ref, const struct sync_outcome *o,
    const char *list, const char *payload, const char *release, char **mine)
{
	char old[GIT_OID_HEXSZ + 1], new[GIT_OID_HEXSZ + 1];
	size_t n = 0;

	snprintf(old, sizeof(old), "%s", o->cloned ? OID_ZERO : git_oid_tostr_s(&o->old_head));
	git_oid_tostr(new, sizeof(new), &o->new_head);
	if (add_var(mine, &n, "SENTRY_SOURCE", config_get(c, CONFIG_SOURCE)) == -1 ||
	    add_var(mine, &n, "SENTRY_REF", ref) == -1 ||
	    add_var(mine, &n, "SENTRY_TAG", gitname_tag(ref)) == -1 ||
	    add_var(mine, &n, "SENTRY_OLD", old) == -1 ||
	    add_var(mine, &n, "SENTRY_NEW", new) == -1 ||
	    add_var(mine, &n, "SENTRY_FORCED", o->forced ? "1" : "0") == -1 ||
	    add_var(mine, &n, "SENTRY_REPO_PATH", config_get(c, CONFIG_CLONE_PATH)) == -1 ||
	    add_var(mine, &n, "SENTRY_RELEASE_PATH", release) == -1 ||
	    add_var(mine, &n, "SENTRY_CHANGED_FILES", list) == -1 ||
	    add_var(mine, &n, "SENTRY_PAYLOAD", payload) == -1)
		return NULL;
	return merge_env(mine, n);
}

/* A private directory for the files: $TMPDIR when absolute, else /tmp. */
static int
make_dir(char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	/* mkdtemp makes it 0700. */
	if ((size_t)snprintf(dir, len, "%s/sentry-source-run.XXXXXX", tmp) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) == NULL ? -1 : 0;
}

/* The body the front left in payload_fd, from its start, into path. */
static int
copy_payload(int payload_fd, const char *path)
{
	char buf[65536];
	off_t at = 0;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		log_err("%s: %m", path);
		return -1;
	}
	/* pread: wherever the descriptor's offset was left, the body starts at 0. */
	while ((n = pread(payload_fd, buf, sizeof(buf), at)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_err("the request body (descriptor %d): %m", payload_fd);
			goto out;
		}
		if ((at += n) > (off_t)LIMIT_BODY_CEILING) {
			log_err("the request body (descriptor %d) is larger than any "
			    "MAX_BODY allows", payload_fd);
			goto out;
		}
		if (file_write_all(fd, buf, (size_t)n) == -1) {
			log_err("%s: %m", path);
			goto out;
		}
	}
	rc = 0;
out:
	if (close(fd) == -1 && rc == 0) {
		log_err("%s: %m", path);
		rc = -1;
	}
	return rc;
}

/* The files go whatever happened: the body may hold what the command
 * was trusted with, and nobody else. The command may have left files of
 * its own there too. */
static void
remove_dir(const char *dir)
{
	int r;

	if ((r = remove_tree(AT_FDCWD, dir)) != 0)
		log_warning("cannot remove %s: %s", dir, r == REMOVE_TREE_NOT_OURS ?
		    "something in it belongs to another user" : strerror(errno));
}

/* RUN= or BUILD=: the same splitting, files, environment and deadline. */
static int
run_service(const struct config *c, enum config_key key, const char *ref,
    const struct sync_outcome *o, int payload_fd, const char *where, const char *release,
    int failed)
{
	const char *line = config_get(c, key), *why, *name = key == CONFIG_BUILD ? "BUILD" : "RUN";
	/* dir leaves room in the others for a slash and a name. */
	char dir[PATH_MAX - sizeof(CHANGED_NAME) - 1], list[PATH_MAX], payload[PATH_MAX];
	char **argv = NULL, **envp = NULL, *mine[NVARS] = { NULL };
	struct run_command r;
	size_t count = 0, i;
	int rc = failed, made = 0;

	if (line == NULL)
		return EXIT_OK;
	if ((why = run_split(line, &argv)) != NULL) {
		log_err("%s:%u: %s %s", c->path, c->v[key].line, name, why);
		return EXIT_CONFIG;
	}
	if (make_dir(dir, sizeof(dir)) == -1) {
		log_err("%s: cannot make a private directory in %s: %m", name, dir);
		goto out;
	}
	made = 1;
	snprintf(list, sizeof(list), "%s/" CHANGED_NAME, dir);
	snprintf(payload, sizeof(payload), "%s/" PAYLOAD_NAME, dir);
	if (changes_write(c, o, list, &count) == -1 ||
	    (payload_fd >= 0 && copy_payload(payload_fd, payload) == -1))
		goto out;
	if ((envp = make_env(c, ref, o, list, payload_fd >= 0 ? payload : NULL, release,
	    mine)) == NULL) {
		log_err("%s: out of memory", name);
		goto out;
	}
	r.argv = argv;
	r.envp = envp;
	r.dir = where;
	r.seconds = config_number(c, CONFIG_RUN_TIMEOUT);
	r.name = name;
	r.label = key == CONFIG_BUILD ? "build" : "run";
	r.timeout_name = "RUN_TIMEOUT=";
	log_info("running %s%s in %s: %zu changed file%s%s", key == CONFIG_BUILD ?
	    "BUILD " : "", argv[0], r.dir, count,
	    count == 1 ? "" : "s", payload_fd >= 0 ? ", with the request body" : "");
	if (run_command(&r) == 0)
		rc = EXIT_OK;
out:
	if (made)
		remove_dir(dir);
	for (i = 0; i < NVARS; i++)
		free(mine[i]);
	free(envp);
	free(argv);
	return rc;
}

int
services_run(const struct config *c, const char *ref, const struct sync_outcome *o,
    int payload_fd)
{
	char release[PATH_MAX];

	/* In a release, RUN= runs in CLONE_PATH all the same: chdir
	 * follows the link to the release published a moment ago. */
	return run_service(c, CONFIG_RUN, ref, o, payload_fd, config_get(c, CONFIG_CLONE_PATH),
	    publish_for(c)->live_path(c, release, sizeof(release)) == 0 ?
	    release : NULL, EXIT_RUN_FAILED);
}

int
services_build(const struct config *c, const char *ref, const struct sync_outcome *o,
    int payload_fd, const char *release)
{
	return run_service(c, CONFIG_BUILD, ref, o, payload_fd, release, release,
	    EXIT_BUILD_FAILED);
}

/*
 * ON_FAILURE=: told what the status record says, through the environment.
 * It runs after the lock is released, so a slow one delays no sync, in
 * /, since CLONE_PATH may not exist; its status changes nothing.
 */
void
services_notify(const struct config *c, const struct status *st)
{
	const char *line = config_get(c, CONFIG_ON_FAILURE);
	char **argv = NULL, **envp = NULL, *mine[NVARS] = { NULL };
	char code[16], when[32], record[PATH_MAX];
	struct run_command r;
	size_t n = 0, i;

	if (line == NULL || st->exit == EXIT_OK)
		return;
	if (run_split(line, &argv) != NULL) {
		log_err("%s:%u: ON_FAILURE cannot be split", c->path, c->v[CONFIG_ON_FAILURE].line);
		return;
	}
	snprintf(code, sizeof(code), "%d", st->exit);
	snprintf(when, sizeof(when), "%lld", (long long)st->time);
	snprintf(record, sizeof(record), "%s" STATUS_SUFFIX, config_get(c, CONFIG_CLONE_PATH));
	if (add_var(mine, &n, "SENTRY_SOURCE", config_get(c, CONFIG_SOURCE)) == -1 ||
	    add_var(mine, &n, "SENTRY_REPO_PATH", config_get(c, CONFIG_CLONE_PATH)) == -1 ||
	    add_var(mine, &n, "SENTRY_STATUS", code) == -1 ||
	    add_var(mine, &n, "SENTRY_MESSAGE", st->message) == -1 ||
	    add_var(mine, &n, "SENTRY_MODE", st->mode) == -1 ||
	    add_var(mine, &n, "SENTRY_BRANCH", st->branch ? st->branch : "") == -1 ||
	    add_var(mine, &n, "SENTRY_REF", st->ref) == -1 ||
	    add_var(mine, &n, "SENTRY_TAG", st->ref ? gitname_tag(st->ref) : NULL) == -1 ||
	    add_var(mine, &n, "SENTRY_PUSHED", st->pushed) == -1 ||
	    add_var(mine, &n, "SENTRY_OLD", st->old) == -1 ||
	    add_var(mine, &n, "SENTRY_NEW", st->new) == -1 ||
	    add_var(mine, &n, "SENTRY_TIME", when) == -1 ||
	    add_var(mine, &n, "SENTRY_STATUS_FILE", record) == -1 ||
	    (envp = merge_env(mine, n)) == NULL) {
		log_err("ON_FAILURE: out of memory");
		goto out;
	}
	r.argv = argv;
	r.envp = envp;
	r.dir = "/";
	r.seconds = LIMIT_NOTIFY_SECONDS;
	r.name = "ON_FAILURE";
	r.label = "on_failure";
	r.timeout_name = "";
	log_info("running ON_FAILURE %s: the sync exited %d", argv[0], st->exit);
	run_command(&r);
out:
	for (i = 0; i < NVARS; i++)
		free(mine[i]);
	free(envp);
	free(argv);
}
