#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_progname = "sentry-source";
static int log_syslog;

void
log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	log_progname = slash ? slash + 1 : progname;
}

/* For an inetd that hands us the peer on stderr too: logs must not reach it. */
void
log_to_syslog(void)
{
	openlog(log_progname, LOG_PID, LOG_DAEMON);
	log_syslog = 1;
}

static void
log_at(int priority, const char *fmt, va_list ap)
{
	char line[1024];
	size_t i;

	vsnprintf(line, sizeof(line), fmt, ap);
	/* Messages quote peer bytes: no control character may forge a line. */
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	if (log_syslog)
		syslog(priority, "%s", line);
	else
		fprintf(stderr, "%s: %s\n", log_progname, line);
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
