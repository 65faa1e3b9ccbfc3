/*
 * measure: run a command, or several in turn, and say what it cost.
 *
 * usage: measure [-t] [-o file] cmd [arg ...] [::: cmd [arg ...] ...]
 *
 * Commands separated by ":::" run one after the other, like `a && b`, with
 * no shell in between whose cost would count. Prints one line of key=value
 * pairs (appended to `file` with -o, for when stdout is a client's socket):
 *
 *   status     exit status of the first command that failed, else 0
 *   wall_ns    fork of each command to its exit, summed over the commands
 *   user_us, sys_us, cpu_us
 *              getrusage(RUSAGE_CHILDREN) after every process is reaped: all
 *              processes of the commands, their children's children included
 *              (a parent's wait passes them up; measure is a child subreaper,
 *              so orphans come to it and are counted too)
 *   ru_maxrss_kib
 *              RUSAGE_CHILDREN's ru_maxrss: the largest single process, not
 *              a sum
 *
 * With -t every process of the commands is traced (ptrace, following forks,
 * vforks and clones), and for each process its peak resident set is taken
 * the way the kernel keeps ru_maxrss, that is the largest over all the
 * images the process ran: VmHWM is read from /proc when it exits, and before
 * each execve (a seccomp filter stops the process at execve so the old image
 * is still there). A vfork child shares its parent's memory until it execs
 * and is not counted before that. Then:
 *
 *   rss_sum_kib   sum over processes (by thread group) of their peaks
 *   rss_max_kib   the largest of them; should equal ru_maxrss_kib
 *   procs         how many processes were counted
 *   preexec       1 if images replaced by execve were seen, 0 if seccomp
 *                 was unavailable (then only each last image counts)
 *   list          name:peak_kib for each process, in the order they
 *                 started; name is the program and its subcommand
 *
 * Tracing slows the commands down: their times under -t mean little.
 */
#define _GNU_SOURCE

#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS	8
#define MAX_PROCS	4096
#define ORPHAN_WAIT_S	60	/* bound on waiting for a command's orphans */

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

struct proc {
	pid_t pid;
	long peak_kib;		/* the thread group's peak; -1 until sampled */
	int started;		/* its first stop was seen */
	int dead;		/* gone: its pid may be reused */
	int shares_mm;		/* a vfork child that has not exec'd yet */
	int skip_preexec;	/* measure's own fork image: not the command's */
	char comm[48];		/* its label, see read_label */
};

static struct proc procs[MAX_PROCS];
static size_t nprocs;
static int overflow;
static volatile sig_atomic_t alarmed;

static void
on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct proc *
find_proc(pid_t pid)
{
	size_t i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].pid == pid && !procs[i].dead)
			return &procs[i];
	if (nprocs == MAX_PROCS) {
		overflow = 1;
		return NULL;
	}
	memset(&procs[nprocs], 0, sizeof(procs[nprocs]));
	procs[nprocs].pid = pid;
	procs[nprocs].peak_kib = -1;
	return &procs[nprocs++];
}

/* The value of "Key:" in /proc/PID/status, or -1. */
static long
status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* A thread's memory is its thread group's: keep the peak on the leader. */
static void
sample(struct proc *p)
{
	long hwm = status_field(p->pid, "VmHWM"), tgid = status_field(p->pid, "Tgid");
	struct proc *leader = p;

	if (tgid > 0 && tgid != p->pid && (leader = find_proc((pid_t)tgid)) == NULL)
		return;
	if (hwm > leader->peak_kib)
		leader->peak_kib = hwm;
}

/* Only lowercase words and dashes: a subcommand, not a path or a value. */
static int
is_word(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (; *s != '\0'; s++)
		if ((*s < 'a' || *s > 'z') && *s != '-')
			return 0;
	return 1;
}

/*
 * A name for the list: the program's base name, and its first argument
 * that looks like a subcommand ("git.fetch", "git.maintenance", "ssh").
 */
static void
read_label(struct proc *p)
{
	char path[64], buf[4096], *arg, *end, *slash;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + n;
	slash = strrchr(buf, '/');
	snprintf(p->comm, sizeof(p->comm), "%.32s", slash ? slash + 1 : buf);
	for (arg = buf + strlen(buf) + 1; arg < end; arg += strlen(arg) + 1)
		if (is_word(arg)) {
			size_t len = strlen(p->comm);

			snprintf(p->comm + len, sizeof(p->comm) - len, ".%s", arg);
			break;
		}
	p->comm[strcspn(p->comm, " \t\n:,=")] = '\0';
}

/* In the child: stop at every execve, so the tracer sees the old image. */
static void
trace_execve(void)
{
#ifdef NATIVE_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	/* Without it nothing breaks: only the replaced images go unseen. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#endif
}

/* Follow the traced tree until every process in it is gone. */
static int
trace_loop(pid_t top, int *top_status, int *preexec, int *orphans_left)
{
	const long opts = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
	    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP |
	    PTRACE_O_EXITKILL;
	unsigned long msg;
	struct proc *p, *q;
	pid_t pid;
	int st, sig, event;

	for (;;) {
		if ((pid = waitpid(-1, &st, __WALL)) == -1) {
			if (errno == EINTR && alarmed) {
				*orphans_left = 1;	/* PTRACE_O_EXITKILL ends them */
				return 0;
			}
			if (errno == EINTR)
				continue;
			return errno == ECHILD ? 0 : -1;
		}
		if ((p = find_proc(pid)) == NULL)
			return -1;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			p->dead = 1;
			if (pid == top) {
				*top_status = st;
				alarmed = 0;
				alarm(ORPHAN_WAIT_S);
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		sig = WSTOPSIG(st);
		event = (unsigned)st >> 16;
		if (pid == top && !p->started) {
			/* The child's raise(SIGSTOP): set the options once. */
			if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts) == -1)
				return -1;
			*preexec = status_field(pid, "Seccomp") == SECCOMP_MODE_FILTER;
			p->skip_preexec = 1;
			sig = 0;
		} else if (sig == SIGTRAP && event != 0) {
			switch (event) {
			case PTRACE_EVENT_FORK:
			case PTRACE_EVENT_VFORK:
			case PTRACE_EVENT_CLONE:
				if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg) == 0 &&
				    (q = find_proc((pid_t)msg)) != NULL)
					q->shares_mm = event == PTRACE_EVENT_VFORK;
				break;
			case PTRACE_EVENT_SECCOMP:
				if (!p->shares_mm && !p->skip_preexec)
					sample(p);
				p->skip_preexec = 0;
				break;
			case PTRACE_EVENT_EXEC:
				p->shares_mm = 0;
				break;
			case PTRACE_EVENT_EXIT:
				if (!p->shares_mm)
					sample(p);
				read_label(p);
				break;
			}
			sig = 0;
		} else if (sig == SIGSTOP && !p->started) {
			sig = 0;	/* a new tracee's first stop */
		}
		p->started = 1;
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
}

/* Reap what is left (orphans handed to us as subreaper), within bounds. */
static int
reap_all(void)
{
	int st;

	alarmed = 0;
	alarm(ORPHAN_WAIT_S);
	for (;;) {
		if (waitpid(-1, &st, __WALL) == -1) {
			if (errno == EINTR && !alarmed)
				continue;
			break;
		}
	}
	alarm(0);
	return alarmed ? -1 : 0;
}

static pid_t
spawn(char **argv, int trace)
{
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	if (trace) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) == -1)
			_exit(126);
		trace_execve();
		raise(SIGSTOP);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 70;
}

static void
usage(void)
{
	fprintf(stderr, "usage: measure [-t] [-o file] cmd [arg ...] [::: cmd [arg ...] ...]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char **cmds[MAX_CMDS];
	const char *out = NULL;
	struct rusage ru;
	uint64_t wall = 0, t0;
	size_t ncmds = 0, c, i, j;
	long sum = 0, max = 0, counted = 0;
	int ch, trace = 0, st = 0, rc = 0, preexec = 0, orphans_left = 0;
	FILE *f = stdout;
	pid_t pid;

	while ((ch = getopt(argc, argv, "+to:")) != -1) {
		switch (ch) {
		case 't': trace = 1; break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (optind == argc)
		usage();
	/* Split argv at ":::" into commands, in place. */
	cmds[ncmds++] = &argv[optind];
	for (i = optind; i < (size_t)argc; i++) {
		if (strcmp(argv[i], ":::") != 0)
			continue;
		argv[i] = NULL;
		if (ncmds == MAX_CMDS || i + 1 == (size_t)argc)
			usage();
		cmds[ncmds++] = &argv[i + 1];
	}
	for (c = 0; c < ncmds; c++)
		if (cmds[c][0] == NULL)
			usage();
	sigaction(SIGALRM, &sa, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) {
		perror("measure: PR_SET_CHILD_SUBREAPER");
		return 70;
	}

	for (c = 0; c < ncmds && rc == 0; c++) {
		t0 = now_ns();
		if ((pid = spawn(cmds[c], trace)) == -1) {
			perror("measure: fork");
			return 70;
		}
		if (trace) {
			if (trace_loop(pid, &st, &preexec, &orphans_left) == -1) {
				fprintf(stderr, "measure: tracing failed: %s\n",
				    overflow ? "too many processes" : strerror(errno));
				kill(pid, SIGKILL);
				return 70;
			}
			alarm(0);
		} else {
			while (waitpid(pid, &st, 0) == -1)
				if (errno != EINTR) {
					perror("measure: waitpid");
					return 70;
				}
		}
		wall += now_ns() - t0;
		if (!trace && reap_all() == -1)
			orphans_left = 1;
		rc = exit_code(st);
	}

	getrusage(RUSAGE_CHILDREN, &ru);
	if (out != NULL && (f = fopen(out, "ae")) == NULL) {
		perror(out);
		return 70;
	}
	fprintf(f, "status=%d wall_ns=%llu user_us=%lld sys_us=%lld cpu_us=%lld ru_maxrss_kib=%ld",
	    rc, (unsigned long long)wall,
	    (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
	    (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec, ru.ru_maxrss);
	if (orphans_left)
		fprintf(f, " orphans_left=1");
	if (trace) {
		for (i = 0; i < nprocs; i++) {
			if (procs[i].peak_kib < 0)
				continue;	/* a thread, or never ran an image of its own */
			sum += procs[i].peak_kib;
			counted++;
			if (procs[i].peak_kib > max)
				max = procs[i].peak_kib;
		}
		fprintf(f, " rss_sum_kib=%ld rss_max_kib=%ld procs=%ld preexec=%d list=",
		    sum, max, counted, preexec);
		for (i = 0, j = 0; i < nprocs; i++) {
			if (procs[i].peak_kib < 0)
				continue;
			fprintf(f, "%s%s:%ld", j++ ? "," : "",
			    procs[i].comm[0] ? procs[i].comm : "?", procs[i].peak_kib);
		}
	}
	fprintf(f, "\n");
	if (f != stdout && fclose(f) != 0)
		return 70;
	return rc;
}
