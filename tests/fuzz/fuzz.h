/*
 * What the fuzz targets share: a check that stops the run with a message
 * naming the broken invariant. abort() makes libFuzzer keep the input as
 * a crash-* reproducer, as it does for a sanitizer report.
 */
#ifndef SENTRY_FUZZ_H
#define SENTRY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

#endif
