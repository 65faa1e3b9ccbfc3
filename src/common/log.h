/*
 * Log lines on stderr, which journald (or the hook's pusher) reads.
 * One line per call, prefixed with the program name.
 */
#ifndef SENTRY_LOG_H
#define SENTRY_LOG_H

void	log_init(const char *progname);
void	log_to_syslog(void);
/* 1 once log_to_syslog was called: the helper is told to do the same. */
int	log_is_syslog(void);
void	log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
