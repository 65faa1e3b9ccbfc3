/*
 * One sync per checkout and at most one waiting (src/sync/lock.c, the
 * rules in lock.h): the first event runs, the second waits, a third is
 * coalesced into the waiting one, which then syncs the newest ref written;
 * a lock file that is a link, a FIFO, or writable by others is refused
 * (LOCK_NOT_OURS) without blocking; a directory that does not exist is
 * LOCK_NO_DIR. Each lock_checkout here opens its own
 * descriptions, so flock(2) sets them against each other as it would two
 * processes; the waiting one is a child.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "tap.h"

static char dir[256];

static int
mode_of(const char *suffix)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/checkout%s", dir, suffix);
	return stat(path, &st) == -1 ? -1 : (int)(st.st_mode & 07777);
}

static void
first_test(void)
{
	char cp[300], ref[256] = "refs/heads/develop";
	enum lock_result r;
	int fd;

	snprintf(cp, sizeof(cp), "%s/checkout", dir);
	r = lock_checkout(cp, ref, sizeof(ref), &fd);
	tap_ok(r == LOCK_TAKEN && fd >= 0, "the first event takes the lock (LOCK_TAKEN)");
	tap_ok(mode_of(".lock") == 0600 && mode_of(".wait") == 0600,
	    "the lock files are made 0600, beside the checkout");
	tap_ok(strcmp(ref, "refs/heads/develop") == 0, "alone, it syncs its own ref");
	unlock_checkout(fd);
	r = lock_checkout(cp, ref, sizeof(ref), &fd);
	tap_ok(r == LOCK_TAKEN && fd >= 0, "once let go, the lock is taken again");
	unlock_checkout(fd);
	unlock_checkout(-1);
	tap_ok(1, "unlock_checkout(-1) does nothing");
}

/* The running sync, a waiting one (a child), and a third event. */
static void
wait_test(void)
{
	char cp[300], ref[256] = "refs/heads/a", got[256] = "", path[320];
	char r3[256] = "refs/heads/c";
	int run, third, p[2], status, i;
	enum lock_result r;
	pid_t child;
	ssize_t n;

	snprintf(cp, sizeof(cp), "%s/checkout", dir);
	if (lock_checkout(cp, ref, sizeof(ref), &run) != LOCK_TAKEN || pipe(p) == -1) {
		tap_ok(0, "the running sync takes the lock");
		return;
	}
	if ((child = fork()) == 0) {
		char mine[256] = "refs/heads/b";
		int fd;

		/* Not the running sync's: its lock goes with the last copy. */
		close(run);
		close(p[0]);
		dprintf(p[1], "%d %s", lock_checkout(cp, mine, sizeof(mine), &fd) == LOCK_TAKEN,
		    mine);
		_exit(0);
	}
	close(p[1]);
	/* Until the child holds the wait lock (a third call before that would
	 * take it, and block on the running sync's lock). */
	snprintf(path, sizeof(path), "%s.wait", cp);
	for (i = 0; i < 6000; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int fd = open(path, O_RDONLY | O_CLOEXEC), held;

		held = fd != -1 && flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
		if (fd != -1)
			close(fd);
		if (held)
			break;
		nanosleep(&ts, NULL);
	}
	r = lock_checkout(cp, r3, sizeof(r3), &third);
	unlock_checkout(third);
	tap_ok(r == LOCK_COALESCED && third == -1,
	    "a third event while one runs and one waits: coalesced (LOCK_COALESCED)");
	unlock_checkout(run);
	n = read(p[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(child, &status, 0);
	tap_ok(strncmp(got, "1 ", 2) == 0, "the waiting sync takes the lock once it is let go");
	tap_ok(strcmp(got + (n > 2 ? 2 : 0), "refs/heads/c") == 0,
	    "... and syncs the newest ref an event wrote (refs/heads/c), not its own");
}

/* refused WHY: a lock file that is not ours is refused at once. */
static void
refused(const char *why)
{
	char cp[300], ref[256] = "refs/heads/develop";
	enum lock_result r;
	int fd;

	snprintf(cp, sizeof(cp), "%s/checkout", dir);
	alarm(10);	/* a FIFO opened without O_NONBLOCK would hang here */
	r = lock_checkout(cp, ref, sizeof(ref), &fd);
	alarm(0);
	tap_ok(r == LOCK_NOT_OURS && fd == -1, "%s: refused (LOCK_NOT_OURS)", why);
	unlock_checkout(fd);
}

static void
hostile_test(void)
{
	char path[512], victim[512];

	snprintf(path, sizeof(path), "%s/checkout.wait", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	close(open(victim, O_WRONLY | O_CREAT, 0600));

	unlink(path);
	if (symlink(victim, path) == -1)
		perror("symlink");
	refused("checkout.wait a symbolic link");
	tap_ok(access(victim, F_OK) == 0, "... its target left as it was");

	unlink(path);
	if (mkfifo(path, 0600) == -1)
		perror("mkfifo");
	refused("checkout.wait a FIFO");

	unlink(path);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	chmod(path, 0666);
	refused("checkout.wait writable by others");

	unlink(path);
	snprintf(path, sizeof(path), "%s/checkout.lock", dir);
	unlink(path);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	chmod(path, 0620);
	refused("checkout.lock writable by its group");
	unlink(path);
	if (mkdir(path, 0700) == -1)
		perror("mkdir");
	/* XXX not LOCK_NOT_OURS: open(2) fails first here (EISDIR), so it
	 * is LOCK_ERROR, refused all the same. */
	{
		char cp[300], ref[256] = "refs/heads/develop";
		enum lock_result r;
		int fd;

		snprintf(cp, sizeof(cp), "%s/checkout", dir);
		r = lock_checkout(cp, ref, sizeof(ref), &fd);
		tap_ok(r == LOCK_ERROR && fd == -1, "checkout.lock a directory: refused (%d)", r);
		unlock_checkout(fd);
	}
	rmdir(path);
	{
		char cp[300], ref[256] = "refs/heads/develop";
		enum lock_result r;
		int fd;

		snprintf(cp, sizeof(cp), "%s/no-such-dir/checkout", dir);
		r = lock_checkout(cp, ref, sizeof(ref), &fd);
		tap_ok(r == LOCK_NO_DIR && fd == -1,
		    "CLONE_PATH's directory does not exist: LOCK_NO_DIR");
	}
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[600];

	log_init("test-sync-lock");
	snprintf(dir, sizeof(dir), "%s/test-sync-lock.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	first_test();
	wait_test();
	hostile_test();
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
