/*
 * The helper's command line: the front builds it (exec_sync.c), the
 * helper parses it (sync_main.c); one spelling for both. The names are
 * getopt_long's; SYNC_ARG() makes the word on the command line.
 *
 *   sentry-source-sync -c file (--ref REF | --current | --highest-tag)
 *       [--new oid --old oid] [--payload-fd n] [--syslog]
 *       [--mode socket|hook|sync] [--resume]
 *   sentry-source-sync -c file --check [--rule branch-or-glob]
 *   sentry-source-sync -c file --rollback[=release|commit] | --releases
 */
#ifndef SENTRY_SYNC_ARGS_H
#define SENTRY_SYNC_ARGS_H

#define SYNC_ARG(name)		"--" name

#define SYNC_SHORT_CONFIG	"c"		/* -c file */
#define SYNC_OPT_CONFIG		"config"
#define SYNC_OPT_REF		"ref"
#define SYNC_OPT_CURRENT	"current"
#define SYNC_OPT_HIGHEST_TAG	"highest-tag"	/* TAG=: the highest the glob takes */
#define SYNC_OPT_NEW		"new"
#define SYNC_OPT_OLD		"old"
#define SYNC_OPT_PAYLOAD_FD	"payload-fd"
#define SYNC_OPT_SYSLOG		"syslog"
#define SYNC_OPT_MODE		"mode"
#define SYNC_OPT_CHECK		"check"
#define SYNC_OPT_RULE		"rule"
#define SYNC_OPT_ROLLBACK	"rollback"
#define SYNC_OPT_RELEASES	"releases"
#define SYNC_OPT_RESUME		"resume"	/* with a sync: publish past a rollback */

/* --rollback=TARGET's bytes at most: a release's name is 64, and it may
 * come with its directory's whole path (PATH_MAX on Linux). */
#define SYNC_TARGET_MAX		4096

#endif
