/*
 * Log lines on stderr, which journald (or the hook's pusher) reads, or in
 * syslog. One line per call, at one of syslog(3)'s priorities:
 *   err      a sync, a request or the config failed: the checkout is
 *            left behind;
 *   warning  a request refused, or something odd that did no harm;
 *   notice   the checkout changed;
 *   info     the rest: what was asked, what was ignored, RUN's output.
 */
#ifndef SENTRY_LOG_H
#define SENTRY_LOG_H

#include <stddef.h>

void	log_init(const char *progname);
/*
 * --config-dir: every line after "sentry-source: " (or the priority)
 * starts "[NAME] ". 0, or -1 for a name that is not 1 to
 * LIMIT_DEPLOYMENT_NAME of [A-Za-z0-9_-], which changes nothing.
 */
int	log_deployment(const char *name);
/* How the front tells the helper the name; the helper takes it
 * (log_deployment_from_env) and removes it, before RUN= or BUILD= run. */
#define LOG_DEPLOYMENT_ENV	"SENTRY_SOURCE_DEPLOYMENT"
void	log_deployment_from_env(void);
void	log_to_syslog(void);
/* 1 once log_to_syslog was called: the helper is told to do the same. */
int	log_is_syslog(void);
/* Keep the last err line, across fork(2), for log_last_error (NULL when
 * there was none). */
void	log_remember(void);
const char *log_last_error(void);
/* in, made safe for a log line or a terminal (log.c says how), cut to
 * outlen bytes with its NUL. */
void	log_escape(const char *in, char *out, size_t outlen);
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
