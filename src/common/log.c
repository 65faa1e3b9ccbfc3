#include <sys/mman.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "peer_limits.h"
#include "utf8.h"

static const char *log_progname = "sentry-source";
static int log_syslog;
static int log_journal;
/* "[NAME] " in --config-dir mode, else "". */
static char log_prefix[LIMIT_DEPLOYMENT_NAME + 4];
/* The last error line, for the status record; see log_remember. */
static char *log_last;

#define LOG_LINE_MAX	1024

/*
 * sd-daemon(3): stderr is a stream to the journal when $JOURNAL_STREAM
 * names its device and inode. Inherited by a process whose stderr went
 * elsewhere (the hook's pusher, a file), it names another file.
 */
static int
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (v == NULL || sscanf(v, "%llu:%llu%n", &dev, &ino, &end) != 2 ||
	    v[end] != '\0' || fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	log_progname = slash ? slash + 1 : progname;
	log_journal = stderr_is_journal();
}

int
log_deployment(const char *name)
{
	size_t n;

	for (n = 0; name[n] != '\0'; n++)
		if (n >= LIMIT_DEPLOYMENT_NAME || !((name[n] >= 'a' && name[n] <= 'z') ||
		    (name[n] >= 'A' && name[n] <= 'Z') || (name[n] >= '0' && name[n] <= '9') ||
		    name[n] == '_' || name[n] == '-'))
			return -1;
	if (n == 0)
		return -1;
	snprintf(log_prefix, sizeof(log_prefix), "[%s] ", name);
	return 0;
}

/* Whoever runs the helper chose the value: checked all the same, as it
 * goes into every line. */
void
log_deployment_from_env(void)
{
	const char *v = getenv(LOG_DEPLOYMENT_ENV);

	if (v == NULL)
		return;
	if (log_deployment(v) == -1)
		log_warning("$%s is not a deployment's name; not used", LOG_DEPLOYMENT_ENV);
	unsetenv(LOG_DEPLOYMENT_ENV);
}

/* For an inetd that hands us the peer on stderr too: logs must not reach it. */
void
log_to_syslog(void)
{
	openlog(log_progname, LOG_PID, LOG_DAEMON);
	log_syslog = 1;
}

int
log_is_syslog(void)
{
	return log_syslog;
}

/*
 * The helper syncs in a forked child whose error lines the parent must
 * put in the status record: the copy lives in a shared anonymous page,
 * which the child writes and the parent reads once the child has ended.
 */
void
log_remember(void)
{
	void *p;

	p = mmap(NULL, LOG_LINE_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;		/* the record says "exit status N" instead */
	log_last = p;
	log_last[0] = '\0';
}

const char *
log_last_error(void)
{
	if (log_last == NULL || log_last[0] == '\0')
		return NULL;
	/* A child killed mid-copy may have left no NUL. */
	log_last[LOG_LINE_MAX - 1] = '\0';
	return log_last;
}

/*
 * Messages quote peer bytes (a pushed path, a branch name, a server's
 * error): no byte may forge a line or drive a terminal. A control
 * character, C0, DEL or C1 (U+0080 to U+009F, whose CSI a terminal
 * takes as ESC [), becomes '?'. A byte that is not UTF-8 becomes \xNN:
 * alone, 0x9b is CSI to a terminal that reads 8-bit controls, and the
 * escape keeps what it was legible. A piece that does not fit is cut
 * whole, never half an escape or half a character.
 */
void
log_escape(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), k, o = 0, w;
	char piece[5];

	if (outlen == 0)
		return;
	while (n > 0) {
		k = utf8_len(p, n);
		if (k == 0) {
			snprintf(piece, sizeof(piece), "\\x%02x", *p);
			k = 1;
		} else if ((k == 1 && (*p < 0x20 || *p == 0x7f)) ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			snprintf(piece, sizeof(piece), "?");
		else {
			memcpy(piece, p, k);
			piece[k] = '\0';
		}
		if ((w = strlen(piece)) >= outlen - o)
			break;
		memcpy(out + o, piece, w);
		o += w;
		p += k;
		n -= k;
	}
	out[o] = '\0';
}

static void
log_at(int priority, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_escape(raw, line, sizeof(line));
	if (log_last != NULL && priority <= LOG_ERR)
		memcpy(log_last, line, strlen(line) + 1);
	/* The record beside the checkout needs no name: log_last has none. */
	if (log_syslog)
		syslog(priority, "%s%s", log_prefix, line);
	else if (log_journal)
		/* The journal reads the priority from the prefix, and names
		 * the program itself. */
		fprintf(stderr, "<%d>%s%s\n", priority, log_prefix, line);
	else
		fprintf(stderr, "%s: %s%s\n", log_progname, log_prefix, line);
}

#define LOG_AT(name, priority)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	log_at(priority, fmt, ap);			\
	va_end(ap);					\
}

LOG_AT(log_err, LOG_ERR)
LOG_AT(log_warning, LOG_WARNING)
LOG_AT(log_notice, LOG_NOTICE)
LOG_AT(log_info, LOG_INFO)
