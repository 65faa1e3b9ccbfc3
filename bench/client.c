/*
 * client: a minimal HTTP/1.1 client for the request benchmarks.
 *
 * usage: client [-n rounds] [-q pid ...] [-w prefix] port:file [port:file ...]
 *
 * Each round sends, one target after the other (A B A B ...), the bytes of
 * `file` to 127.0.0.1:port on a fresh connection and reads until the server
 * closes. A request's time runs from before socket() to the end of file on
 * the answer: connection set-up, the launcher's fork and exec, the server's
 * work, the answer. The client's own start-up is not in it, which is why
 * this is not curl.
 *
 * The server process outlives the answer a little (it exits, or execs the
 * sync). With -q PID (a launcher; up to 8 of them), each request waits,
 * untimed, until no launcher has a child left, so that no request shares
 * the CPUs with the tail of the one before: one request at a time.
 *
 * Per target it prints one line:
 *   target=I port=P n=N fail=F median_ns=.. p10_ns=.. p90_ns=.. mean_ns=..
 * and with -w it writes every sample, one per line, to prefix.I.
 * An answer that is not "HTTP/1.1 200" counts as a failure; any failure
 * makes the exit status 1 (the set-up is broken, not slow).
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS	8
#define MAX_ROUNDS	100000
#define MAX_REQUEST	(4 * 1024 * 1024)
#define IO_TIMEOUT_S	10	/* a request slower than this is a broken set-up */
#define MAX_QUIET	8
#define QUIET_WAIT_S	30	/* a server process living longer is a broken set-up */

struct target {
	unsigned short port;
	char *req;
	size_t req_len;
	uint64_t *ns;
	size_t n;
	size_t fail;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
load_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t have = 0;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		perror(path);
		return -1;
	}
	if (st.st_size <= 0 || st.st_size > MAX_REQUEST) {
		fprintf(stderr, "%s: size %lld out of range\n", path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	if ((*buf = malloc(st.st_size)) == NULL) {
		close(fd);
		return -1;
	}
	while (have < (size_t)st.st_size) {
		if ((n = read(fd, *buf + have, st.st_size - have)) <= 0) {
			perror(path);
			close(fd);
			return -1;
		}
		have += n;
	}
	close(fd);
	*len = have;
	return 0;
}

/* True if PID has a child: /proc/PID/task/PID/children is not empty. */
static int
has_children(pid_t pid)
{
	char path[64], c;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1;
}

/* Wait until none of the launchers has a child; -1 after QUIET_WAIT_S. */
static int
quiesce(const pid_t *pids, size_t n)
{
	struct timespec pause = { .tv_nsec = 20000 };
	uint64_t until = now_ns() + (uint64_t)QUIET_WAIT_S * 1000000000u;
	size_t i;

	for (;;) {
		for (i = 0; i < n && !has_children(pids[i]); i++)
			;
		if (i == n)
			return 0;
		if (now_ns() > until)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* One request; the answer's first bytes must be "HTTP/1.1 200". */
static int
one_request(const struct target *t, uint64_t *elapsed)
{
	static const char ok[] = "HTTP/1.1 200";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	char buf[65536], first[sizeof(ok)];
	size_t off = 0, got = 0;
	uint64_t t0;
	ssize_t n;
	int fd, one = 1, rc = -1;

	sa.sin_port = htons(t->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t0 = now_ns();
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto out;
	while (off < t->req_len) {
		if ((n = write(fd, t->req + off, t->req_len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		off += n;
	}
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		if (got < sizeof(ok) - 1) {
			size_t k = sizeof(ok) - 1 - got;

			if (k > (size_t)n)
				k = n;
			memcpy(first + got, buf, k);
		}
		got += n;
	}
	*elapsed = now_ns() - t0;
	if (got >= sizeof(ok) - 1 && memcmp(first, ok, sizeof(ok) - 1) == 0)
		rc = 0;
out:
	close(fd);
	return rc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t
pct(const uint64_t *v, size_t n, unsigned p)
{
	if (n == 0)
		return 0;
	if (p == 50 && n % 2 == 0)
		return (v[n / 2 - 1] + v[n / 2]) / 2;
	return v[(n - 1) * p / 100];
}

static int
write_samples(const char *prefix, size_t i, const struct target *t)
{
	char path[4096];
	FILE *f;
	size_t k;

	if ((size_t)snprintf(path, sizeof(path), "%s.%zu", prefix, i) >= sizeof(path))
		return -1;
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return -1;
	}
	for (k = 0; k < t->n; k++)
		fprintf(f, "%llu\n", (unsigned long long)t->ns[k]);
	return fclose(f);
}

static void
usage(void)
{
	fprintf(stderr, "usage: client [-n rounds] [-q pid ...] [-w prefix] port:file [port:file ...]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct target t[MAX_TARGETS];
	pid_t quiet[MAX_QUIET];
	const char *prefix = NULL;
	size_t nt = 0, nq = 0, i, r, rounds = 1;
	long v;
	char *end;
	int ch, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "n:q:w:")) != -1) {
		switch (ch) {
		case 'q':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 4194304 || nq == MAX_QUIET)
				usage();
			quiet[nq++] = (pid_t)v;
			break;
		case 'n':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > MAX_ROUNDS)
				usage();
			rounds = v;
			break;
		case 'w':
			prefix = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc || argc - optind > MAX_TARGETS)
		usage();
	for (; optind < argc; optind++, nt++) {
		memset(&t[nt], 0, sizeof(t[nt]));
		v = strtol(argv[optind], &end, 10);
		if (*end != ':' || v < 1 || v > 65535)
			usage();
		t[nt].port = v;
		if (load_file(end + 1, &t[nt].req, &t[nt].req_len) == -1)
			return 66;
		if ((t[nt].ns = calloc(rounds, sizeof(uint64_t))) == NULL)
			return 70;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nt; i++) {
			uint64_t e = 0;

			if (quiesce(quiet, nq) == -1) {
				fprintf(stderr, "client: a server process still runs after %d s\n",
				    QUIET_WAIT_S);
				return 1;
			}
			if (one_request(&t[i], &e) == 0)
				t[i].ns[t[i].n++] = e;
			else
				t[i].fail++;
		}
	}
	for (i = 0; i < nt; i++) {
		uint64_t sum = 0;
		size_t k;

		if (prefix != NULL && write_samples(prefix, i, &t[i]) != 0)
			rc = 1;
		for (k = 0; k < t[i].n; k++)
			sum += t[i].ns[k];
		qsort(t[i].ns, t[i].n, sizeof(uint64_t), cmp_u64);
		printf("target=%zu port=%u n=%zu fail=%zu median_ns=%llu p10_ns=%llu "
		    "p90_ns=%llu mean_ns=%llu\n", i, t[i].port, t[i].n, t[i].fail,
		    (unsigned long long)pct(t[i].ns, t[i].n, 50),
		    (unsigned long long)pct(t[i].ns, t[i].n, 10),
		    (unsigned long long)pct(t[i].ns, t[i].n, 90),
		    (unsigned long long)(t[i].n ? sum / t[i].n : 0));
		if (t[i].fail > 0)
			rc = 1;
		free(t[i].ns);
		free(t[i].req);
	}
	return rc;
}
