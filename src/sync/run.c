/*
 * RUN=: the command, split by run_split (src/common/run_split.c), run in
 * its own process group under a deadline, its output logged line by line.
 */
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "clock.h"
#include "log.h"
#include "run.h"

/* How often to look for the end of the command's process group, which
 * nothing signals; and for the command's own end when the kernel has no
 * pidfd_open(2) (before Linux 5.3). */
#define GROUP_POLL_MSEC	100

/* In the child: nothing of ours but the pipe reaches the command. */
static void __attribute__((noreturn))
child(const struct run_command *r, int out, pid_t parent)
{
	sigset_t none;
	int sig, null;

	setpgid(0, 0);
	/* Killed with the helper, as the sync is (deadline.c): once the
	 * helper is gone, so is its lock, and the next sync may be moving
	 * the work tree under the command. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(127);
	/* The helper ignores SIGPIPE, and an ignored signal stays ignored
	 * across exec; the command gets what a shell would give it. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(r->dir) == -1) {
		dprintf(out, "cannot enter %s: %s\n", r->dir, strerror(errno));
		_exit(127);
	}
	if ((null = open("/dev/null", O_RDONLY)) == -1 || dup2(null, 0) == -1 ||
	    dup2(out, 1) == -1 || dup2(out, 2) == -1) {
		dprintf(out, "cannot set up stdin and stdout: %s\n", strerror(errno));
		_exit(127);
	}
	close_range(3, ~0U, 0);
	execvpe(r->argv[0], r->argv, r->envp);
	dprintf(2, "cannot run %s: %s\n", r->argv[0], strerror(errno));
	_exit(127);
}

/* What the command printed: the line being read, and how much was logged. */
struct output {
	const char *label;
	char	line[LIMIT_RUN_LINE];
	size_t	len;
	size_t	bytes;
	size_t	lines;
	int	cut;
};

static void
log_line(struct output *o)
{
	if (o->bytes < LIMIT_RUN_LOG_BYTES && o->lines < LIMIT_RUN_LOG_LINES) {
		log_info("%s: %.*s", o->label, (int)o->len, o->line);
		o->bytes += o->len + 1;
		o->lines++;
	} else if (!o->cut) {
		log_warning("%s: more than %u lines or %u bytes of output; the rest is "
		    "not logged", o->label, LIMIT_RUN_LOG_LINES, LIMIT_RUN_LOG_BYTES);
		o->cut = 1;
	}
	o->len = 0;
}

static void
take_output(struct output *o, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (o->len > 0 && o->line[o->len - 1] == '\r')
				o->len--;
			log_line(o);
			continue;
		}
		if (o->len == sizeof(o->line))
			log_line(o);
		/* log_info prints a string: a NUL would cut the line short. */
		o->line[o->len++] = buf[i] == '\0' ? '?' : buf[i];
	}
}

/* 1 when more came, 0 at end of file or nothing yet. */
static int
read_output(int fd, struct output *o, int *eof)
{
	char buf[65536];
	ssize_t n;

	if ((n = read(fd, buf, sizeof(buf))) > 0) {
		take_output(o, buf, (size_t)n);
		return 1;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		*eof = 1;
	return 0;
}

/*
 * Once the leader is reaped its id stays taken while any process of its
 * group lives, so the group cannot be mistaken for another one; once the
 * group is empty, this says so. Its orphans are our children (see
 * run_command): reaped here, or a zombie would count as alive.
 */
static int
group_alive(pid_t pgid)
{
	siginfo_t si;

	do
		si.si_pid = 0;
	while (waitid(P_PGID, (id_t)pgid, &si, WEXITED | WNOHANG) == 0 && si.si_pid != 0);
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

static void
log_status(const struct run_command *r, int status, int timed_out)
{
	if (timed_out)
		log_err("%s failed: stopped after %s%lus (%s %d)", r->name, r->timeout_name,
		    r->seconds,
		    WIFSIGNALED(status) ? "it ended by signal" : "it exited with status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_err("%s failed: killed by signal %d (%s)", r->name, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		log_err("%s failed: exit status %d", r->name, WEXITSTATUS(status));
	else
		log_info("%s exited 0", r->name);
}

int
run_command(const struct run_command *r)
{
	struct output o = { .label = r->label };
	struct pollfd pfd[2];
	long now, deadline, stop_at = 0, wait_ms, grace = LIMIT_RUN_KILL_GRACE * 1000L;
	int fds[2], pidfd, status = 0, nfds, exited = 0, eof = 0, timed_out = 0;
	int stopping = 0, killed = 0;
	pid_t pid, parent;

	/* What the command leaves behind comes to us, not to an init that
	 * may never reap it (a container's), so that its end can be seen. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(stderr);
	parent = getpid();
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_err("cannot start %s: %s", r->name, strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_err("cannot start %s: %s", r->name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		child(r, fds[1], parent);
	close(fds[1]);
	/* As the child does: kill(-pid) must reach it whoever runs first. */
	setpgid(pid, pid);
	pidfd = pidfd_open(pid, 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	deadline = clock_ms() + (long)r->seconds * 1000;
	for (;;) {
		now = clock_ms();
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
		if (exited) {
			if (!group_alive(pid))
				break;
			if (!stopping) {
				log_warning("%s left processes behind in its process group; "
				    "stopping them", r->name);
				kill(-pid, SIGTERM);
				stopping = 1;
				stop_at = now + grace;
			}
		} else if (!stopping && now >= deadline) {
			log_warning("%s still running after %s%lus; stopping its "
			    "process group", r->name, r->timeout_name, r->seconds);
			kill(-pid, SIGTERM);
			timed_out = stopping = 1;
			stop_at = now + grace;
		}
		if (stopping && now >= stop_at) {
			if (killed) {
				log_err("processes of %s's group %d outlived SIGKILL; "
				    "not waiting for them", r->name, (int)pid);
				break;
			}
			kill(-pid, SIGKILL);
			killed = 1;
			stop_at = now + grace;
		}
		wait_ms = (stopping ? stop_at : deadline) - now;
		if (exited || pidfd == -1)
			wait_ms = wait_ms < GROUP_POLL_MSEC ? wait_ms : GROUP_POLL_MSEC;
		nfds = 0;
		if (!eof)
			pfd[nfds++] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
		if (!exited && pidfd != -1)
			pfd[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(pfd, nfds, (int)(wait_ms < 0 ? 0 : wait_ms)) > 0 && !eof &&
		    pfd[0].revents != 0)
			read_output(fds[0], &o, &eof);
	}
	/* What is already in the pipe; a process outside the group may hold
	 * it open forever, so never wait for its end. */
	while (!eof && read_output(fds[0], &o, &eof))
		;
	if (o.len > 0)
		log_line(&o);
	close(fds[0]);
	if (pidfd != -1)
		close(pidfd);
	if (!exited) {
		log_err("%s failed: it did not end after SIGKILL", r->name);
		return -1;
	}
	log_status(r, status, timed_out);
	return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
