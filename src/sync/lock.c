#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "peer_limits.h"

static int
open_beside(const char *clone_path, const char *suffix)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s%s", clone_path, suffix) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

static int
take(int fd, int how)
{
	while (flock(fd, how) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* One line, then the length cut to it: a reader takes the first line, so
 * a longer ref written before never shows through. Best effort: a sync
 * that finds no line keeps its own ref. */
static int
want(int fd, const char *ref)
{
	char line[LIMIT_REF_BYTES + 1];
	size_t n = strlen(ref);

	if (n == 0 || n >= sizeof(line))
		return 0;
	memcpy(line, ref, n);
	line[n] = '\n';
	return pwrite(fd, line, n + 1, 0) == (ssize_t)(n + 1) &&
	    ftruncate(fd, (off_t)(n + 1)) == 0 ? 0 : -1;
}

/* The newest ref written, when there is a whole line. XXX a read that
 * meets a write half-way may see a mix of two refs; the caller checks
 * the result against BRANCH, and a sync of a branch the remote does not
 * have fails without touching the checkout. */
static void
wanted(int fd, char *ref, size_t len)
{
	char buf[LIMIT_REF_BYTES + 1], *nl;
	ssize_t n;

	if (len > LIMIT_REF_BYTES)
		len = LIMIT_REF_BYTES;
	if ((n = pread(fd, buf, len, 0)) <= 0)
		return;
	buf[n] = '\0';
	if ((nl = memchr(buf, '\n', (size_t)n)) == NULL)
		return;
	*nl = '\0';
	memcpy(ref, buf, (size_t)(nl - buf) + 1);
}

int
lock_checkout(const char *clone_path, char *ref, size_t len)
{
	int wait_fd, run_fd = -1, saved;

	if ((wait_fd = open_beside(clone_path, ".wait")) == -1)
		return -1;
	want(wait_fd, ref);
	if (take(wait_fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		close(wait_fd);
		if (saved == EWOULDBLOCK)
			return LOCK_COALESCED;
		errno = saved;
		return -1;
	}
	if ((run_fd = open_beside(clone_path, ".lock")) == -1 || take(run_fd, LOCK_EX) == -1) {
		saved = errno;
		if (run_fd != -1)
			close(run_fd);
		close(wait_fd);
		errno = saved;
		return -1;
	}
	/* Running now: the next event may wait in our place. Then, not
	 * before, the newest ref: every event that found the wait lock ours
	 * has written its ref by now. */
	flock(wait_fd, LOCK_UN);
	wanted(wait_fd, ref, len);
	close(wait_fd);
	return run_fd;
}

void
unlock_checkout(int fd)
{
	if (fd >= 0)
		close(fd);
}
