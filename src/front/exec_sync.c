/*
 * Hand a sync to sentry-source-sync, the only program that links libgit2
 * and reads the key. Only checked values cross on its command line: the
 * config path, a branch or tag ref and two object names. The request body, when
 * RUN= wants it, crosses as a memory file on descriptor 3.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "file.h"
#include "front.h"
#include "log.h"
#include "status_record.h"
#include "sync_args.h"
#include "paths.h"	/* LIBEXECDIR, made by make */

#define SYNC_PROGRAM	"sentry-source-sync"
#define PAYLOAD_FD	3

/* The connection is closed by now; the helper gets /dev/null, not the peer.
 * A detached helper (hook mode) must not hold the pusher's stderr either. */
static int
detach_stdio(int also_stderr)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || (also_stderr && dup2(fd, 2) == -1))
		return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

/* The body in a memory file at PAYLOAD_FD, read from offset 0. */
static int
payload_to_fd(const char *body, size_t len)
{
	int fd;

	if ((fd = memfd_create("sentry-source-payload", 0)) == -1)
		return -1;
	if (file_write_all(fd, body, len) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		goto fail;
	if (fd != PAYLOAD_FD) {
		if (dup2(fd, PAYLOAD_FD) == -1)
			goto fail;
		close(fd);
	}
	return 0;
fail:
	close(fd);
	return -1;
}

/* The helper: in SENTRY_SOURCE_EXEC_PATH, else where make installed it. */
static int
helper_path(char *path, size_t len)
{
	const char *dir = getenv("SENTRY_SOURCE_EXEC_PATH");

	if (dir == NULL || *dir == '\0')
		dir = LIBEXECDIR "/sentry-source";
	return (size_t)snprintf(path, len, "%s/%s", dir, SYNC_PROGRAM) >= len ? -1 : 0;
}

int
exec_sync_ready(char *why, size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	if (helper_path(path, sizeof(path)) == -1) {
		snprintf(why, len, "SENTRY_SOURCE_EXEC_PATH is too long");
		return -1;
	}
	if (stat(path, &st) == -1 || access(path, X_OK) == -1) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s: not a program", path);
		return -1;
	}
	return 0;
}

int
exec_sync(const struct deployment *d, const struct sync_call *call)
{
	const struct push *p = call->push;
	char path[PATH_MAX];
	char *argv[16];
	int argc = 0, first_unused_fd = 3;

	if (helper_path(path, sizeof(path)) == -1) {
		log_err("SENTRY_SOURCE_EXEC_PATH too long");
		return EXIT_INTERNAL;
	}
	argv[argc++] = SYNC_PROGRAM;
	argv[argc++] = "-" SYNC_SHORT_CONFIG;
	argv[argc++] = (char *)d->config->path;
	if (call->command != NULL) {
		argv[argc++] = (char *)call->command;
		argv[argc] = NULL;
		goto run;
	}
	/* With TAG=, the helper reads the glob from the config itself. */
	if (call->check) {
		argv[argc++] = SYNC_ARG(SYNC_OPT_CHECK);
		if (d->rule.branch != NULL) {
			argv[argc++] = SYNC_ARG(SYNC_OPT_RULE);
			argv[argc++] = (char *)d->rule.branch;
		}
	} else if (p == NULL) {
		argv[argc++] = d->rule.tag != NULL ? SYNC_ARG(SYNC_OPT_HIGHEST_TAG) :
		    SYNC_ARG(SYNC_OPT_CURRENT);
	} else {
		argv[argc++] = SYNC_ARG(SYNC_OPT_REF);
		argv[argc++] = (char *)p->ref;
	}
	if (p != NULL && p->old_oid[0] != '\0') {
		argv[argc++] = SYNC_ARG(SYNC_OPT_NEW);
		argv[argc++] = (char *)p->new_oid;
		argv[argc++] = SYNC_ARG(SYNC_OPT_OLD);
		argv[argc++] = (char *)p->old_oid;
	}
	/* Detached (hook mode), or under a classic inetd whose stderr was
	 * the peer's socket: either way our stderr is nobody's. */
	if (call->detach || log_is_syslog())
		argv[argc++] = SYNC_ARG(SYNC_OPT_SYSLOG);
	if (call->resume)
		argv[argc++] = SYNC_ARG(SYNC_OPT_RESUME);
	if (!call->check) {
		argv[argc++] = SYNC_ARG(SYNC_OPT_MODE);
		argv[argc++] = (char *)(call->mode ? call->mode : STATUS_MODE_SYNC);
	}
	if (call->body != NULL && config_get(d->config, CONFIG_RUN) != NULL) {
		if (payload_to_fd(call->body, call->body_len) == -1) {
			log_err("cannot keep the payload for RUN: %m");
			return EXIT_INTERNAL;
		}
		argv[argc++] = SYNC_ARG(SYNC_OPT_PAYLOAD_FD);
		argv[argc++] = "3";
		first_unused_fd = PAYLOAD_FD + 1;
	}
	argv[argc] = NULL;
	if (!call->check && detach_stdio(call->detach) == -1) {
		log_err("/dev/null: cannot open");
		return EXIT_INTERNAL;
	}
run:
	/* Nothing else we inherited is the helper's business. */
	close_range(first_unused_fd, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	fflush(stdout);
	fflush(stderr);
	execv(path, argv);
	log_err("%s: cannot run: %m", path);
	return EXIT_INTERNAL;
}
