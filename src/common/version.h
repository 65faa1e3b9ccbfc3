/* The one place the version is written; --version prints it. */
#ifndef SENTRY_VERSION_H
#define SENTRY_VERSION_H

#define VERSION "0.1"

#endif
