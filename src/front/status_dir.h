/*
 * --config-dir DIR --status: the last sync of every deployment in DIR,
 * one line (or one JSON object) each, for a monitoring check that
 * watches them all at once.
 */
#ifndef SENTRY_STATUS_DIR_H
#define SENTRY_STATUS_DIR_H

/* The highest of the deployments' exit statuses, as --status gives each;
 * EXIT_NO_STATUS when DIR holds none, EXIT_CONFIG when it cannot be read. */
int	status_dir(const char *dir, int json);

#endif
