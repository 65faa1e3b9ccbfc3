#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "deadline.h"
#include "exitcode.h"
#include "log.h"

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

int
deadline_prepare(const struct config *c, struct ssh_auth *auth,
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

