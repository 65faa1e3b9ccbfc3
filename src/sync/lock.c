#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"

static int
open_beside(const char *clone_path, const char *suffix)
{
	char path[PATH_MAX];

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

int
lock_checkout(const char *clone_path)
{
	int wait_fd, run_fd = -1, saved;

	if ((wait_fd = open_beside(clone_path, ".wait")) == -1)
		return -1;
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
	/* Running now: the next event may wait in our place. */
	close(wait_fd);
	return run_fd;
}

void
unlock_checkout(int fd)
{
	if (fd >= 0)
		close(fd);
}
