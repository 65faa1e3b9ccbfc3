/*
 * What sentry-source(8)'s SYNOPSIS and options list say, on the terminal:
 * the synopsis after a usage error, and it with a line for each mode and
 * option for --help. tests/integration-operate.sh holds both to the page.
 */
#ifndef SENTRY_USAGE_H
#define SENTRY_USAGE_H

#include <stdio.h>

/* The synopsis. */
void	usage(FILE *);
/* The synopsis, then one line per mode and option. */
void	usage_help(FILE *);

#endif
