/*
 * METRICS_FILE: after each sync, the Prometheus text format (version
 * 0.0.4) for node_exporter's textfile collector, replaced by rename.
 * Every series carries checkout="CLONE_PATH", so that several
 * deployments' files can sit in one collector directory.
 */
#ifndef SENTRY_METRICS_H
#define SENTRY_METRICS_H

#include "status.h"

/* Problems are logged as warnings. The counters go on from the file
 * being replaced; one that cannot be read back starts again from 0,
 * which Prometheus takes for a counter reset. With last (a rollback,
 * not a sync): nothing counted, the last sync's gauges from last, the
 * live commit from st. */
void	metrics_write(const char *path, const char *clone_path, const struct status *st,
	    const struct status *last);

#endif
