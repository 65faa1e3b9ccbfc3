/*
 * Hand a sync to sentry-source-sync, the only program that links libgit2
 * and reads the key. Only checked values cross: the config path, a branch
 * ref and two object names.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "exitcode.h"
#include "front.h"
#include "log.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec"
#endif

#define SYNC_PROGRAM	"sentry-source-sync"

/* The connection is closed by now; the helper gets /dev/null, not the peer. */
static int
detach_stdio(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1)
		return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

int
exec_sync(const struct deployment *d, const struct push *p)
{
	const char *dir = getenv("SENTRY_SOURCE_EXEC_PATH");
	char path[4096];
	char *argv[10];
	int argc = 0;

	if (dir == NULL || *dir == '\0')
		dir = LIBEXECDIR "/sentry-source";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SYNC_PROGRAM) >= sizeof(path)) {
		log_msg("SENTRY_SOURCE_EXEC_PATH too long");
		return EXIT_INTERNAL;
	}
	argv[argc++] = SYNC_PROGRAM;
	argv[argc++] = "-c";
	argv[argc++] = (char *)d->config->path;
	argv[argc++] = "--ref";
	argv[argc++] = (char *)p->ref;
	if (p->old_oid[0] != '\0') {
		argv[argc++] = "--new";
		argv[argc++] = (char *)p->new_oid;
		argv[argc++] = "--old";
		argv[argc++] = (char *)p->old_oid;
	}
	argv[argc] = NULL;
	if (detach_stdio() == -1) {
		log_msg("/dev/null: cannot open");
		return EXIT_INTERNAL;
	}
	/* Nothing we inherited beyond 0-2 is the helper's business. */
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	fflush(stderr);
	execv(path, argv);
	log_msg("%s: cannot run: %m", path);
	return EXIT_INTERNAL;
}
