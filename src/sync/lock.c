#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "lock.h"
#include "log.h"
#include "peer_limits.h"

/*
 * A lock file is trusted only when it is ours alone: a regular file that
 * the effective user owns and nobody else may write. Another user's file
 * (or one they may write, or a link to one) is a lock they can hold
 * forever, and every event would be coalesced into a sync that never
 * comes. LOCK_FILE_NOT_OURS then, once logged.
 */
#define LOCK_FILE_NOT_OURS	(-2)

static int
open_beside(const char *clone_path, const char *suffix)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", clone_path, suffix) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* O_NONBLOCK: a fifo or a device put there must not hold us in open. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd == -1 && errno == ELOOP) {
		log_err("%s is a symbolic link, not a lock file of ours; remove it", path);
		return LOCK_FILE_NOT_OURS;
	}
	if (fd == -1 || fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		log_err("%s is not a lock file of ours (%s, owner uid %u, mode %04o): "
		    "another user could hold it; remove it, the next sync makes its own",
		    path, S_ISREG(st.st_mode) ? "a file" : file_kind(st.st_mode),
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return LOCK_FILE_NOT_OURS;
	}
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
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

/* A failure to open or take a lock file, as a result; errno kept. */
static enum lock_result
failed(int fd)
{
	if (fd == LOCK_FILE_NOT_OURS)
		return LOCK_NOT_OURS;
	return errno == ENOENT ? LOCK_NO_DIR : LOCK_ERROR;
}

enum lock_result
lock_checkout(const char *clone_path, char *ref, size_t len, int *fd)
{
	enum lock_result r;
	int wait_fd, run_fd = -1, saved;

	*fd = -1;
	if ((wait_fd = open_beside(clone_path, ".wait")) < 0)
		return failed(wait_fd);
	want(wait_fd, ref);
	if (take(wait_fd, LOCK_EX | LOCK_NB) == -1) {
		saved = errno;
		close(wait_fd);
		errno = saved;
		return saved == EWOULDBLOCK ? LOCK_COALESCED : failed(-1);
	}
	if ((run_fd = open_beside(clone_path, ".lock")) < 0 || take(run_fd, LOCK_EX) == -1) {
		saved = errno;
		r = failed(run_fd);
		if (run_fd >= 0)
			close(run_fd);
		close(wait_fd);
		errno = saved;
		return r;
	}
	/* Running now: the next event may wait in our place. Then, not
	 * before, the newest ref: every event that found the wait lock ours
	 * has written its ref by now. */
	flock(wait_fd, LOCK_UN);
	wanted(wait_fd, ref, len);
	close(wait_fd);
	*fd = run_fd;
	return LOCK_TAKEN;
}

void
unlock_checkout(int fd)
{
	if (fd >= 0)
		close(fd);
}
