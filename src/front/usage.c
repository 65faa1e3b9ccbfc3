/*
 * The synopsis and --help, kept beside each other so that a mode added
 * to one is seen missing from the other. Each line of the help names one
 * option as the man page's list does, so that a script can compare them;
 * none is wider than 80 columns.
 */
#include <stdio.h>

#include "config.h"
#include "usage.h"

void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sentry-source [-c file]\n"
	    "       sentry-source --config-dir dir\n"
	    "       sentry-source --config-dir dir --status [--json]\n"
	    "       sentry-source [-c file] --post-receive\n"
	    "       sentry-source [-c file] --sync [--branch name]\n"
	    "       sentry-source [-c file] --check\n"
	    "       sentry-source [-c file] --status [--json]\n"
	    "       sentry-source [-c file] --rollback [release | commit]\n"
	    "       sentry-source [-c file] --releases | --resume\n"
	    "       sentry-source --list-sources | --version | --help\n");
}

void
usage_help(FILE *f)
{
	usage(f);
	fprintf(f,
	    "\n"
	    "Modes (none: socket mode, one HTTP request on standard input):\n"
	    "  --config-dir dir      socket mode for many deployments: dir/NAME.conf by path\n"
	    "  --post-receive        hook mode: git's post-receive lines on standard input\n"
	    "  --sync                sync now, without an event\n"
	    "  --check               check the deployment and connect, without syncing\n"
	    "  --status              what the last sync did; exit with its status\n"
	    "  --rollback [target]   PUBLISH=releases: to the release before, or one named\n"
	    "  --releases            PUBLISH=releases: list the releases\n"
	    "  --resume              PUBLISH=releases: end a rollback's pin and sync now\n"
	    "  --list-sources        list the compiled-in sources\n"
	    "  --version             print the version\n"
	    "  -h, --help            print this help\n"
	    "Options:\n"
	    "  -c file, --config=file  default " CONFIG_DEFAULT_PATH "\n"
	    "  --branch name         with --sync: the branch to sync, which BRANCH must take\n"
	    "  --json                with --status: one JSON object\n"
	    "See sentry-source(8); the file: sentry-source.conf(5).\n");
}
