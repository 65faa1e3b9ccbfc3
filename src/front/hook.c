/*
 * Hook mode: installed as a bare repository's post-receive hook, read the
 * githooks(5) lines "<old> SP <new> SP <refname>", tell the pusher what
 * each ref means to us, and sync without holding the push: the sync runs
 * detached, logging to syslog, and git push returns at once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "front.h"
#include "gitname.h"
#include "log.h"
#include "status_record.h"

/* Two object names, a ref and the separators; longer lines are not git's. */
#define HOOK_LINE_MAX	(2 * OID_HEX_LEN + LIMIT_REF_BYTES + 4)
#define SHORT_OID	7

static const char *
short_name(const char *ref)
{
	if (strncmp(ref, REFS_HEADS, REFS_HEADS_LEN) == 0)
		return ref + REFS_HEADS_LEN;
	if (strncmp(ref, "refs/tags/", 10) == 0)
		return ref + 10;
	return ref;
}

/* Judge one line as a source judges a change; 1 when it is the push to
 * sync, filling p; otherwise the pusher is told why not. */
static int
judge_line(const struct deployment *d, char *line, struct push *p)
{
	struct source_result res = { .verdict = SOURCE_IGNORED };
	struct source_push judge = SOURCE_PUSH_INIT(&d->rule, &res);
	char *old = line, *new, *ref;

	line[strcspn(line, "\n")] = '\0';
	if ((new = strchr(old, ' ')) == NULL || (ref = strchr(new + 1, ' ')) == NULL) {
		printf("sentry-source: a line that is not \"<old> <new> <ref>\", ignored\n");
		return 0;
	}
	*new++ = '\0';
	*ref++ = '\0';
	if (source_push_change(&judge, ref, old, new) && res.verdict == SOURCE_MATCH) {
		*p = res.push;
		return 1;
	}
	printf("sentry-source: %s ignored: %s\n", short_name(ref), res.why);
	return 0;
}

/*
 * git runs the hook in its own environment: GIT_DIR=. (the bare
 * repository), GIT_EXEC_PATH, GIT_PROTOCOL, GIT_QUARANTINE_PATH, and the
 * push options as GIT_PUSH_OPTION_COUNT and GIT_PUSH_OPTION_n, whose
 * values the pusher chooses (git push -o). None of it is the sync's: RUN=
 * in the checkout would see another repository, and the pusher would
 * choose what it reads. The helper gets the hook's environment without
 * any GIT_ variable; nothing here needs it after the lines are read.
 */
static int
drop_git_env(void)
{
	char **e, **kept;
	size_t n = 0;

	for (e = environ; *e != NULL; e++)
		n++;
	if ((kept = calloc(n + 1, sizeof(*kept))) == NULL)
		return -1;
	n = 0;
	for (e = environ; *e != NULL; e++)
		if (strncmp(*e, "GIT_", 4) != 0)
			kept[n++] = *e;
	environ = kept;	/* the exec that follows takes it; never freed */
	return 0;
}

/*
 * Fork the sync off: the child leaves the hook's session and its pipes
 * (git reads the hook's output until the last holder closes it), and the
 * parent returns to git at once.
 */
static int
detach_sync(const struct deployment *d, const struct push *p)
{
	struct sync_call call = { .push = p, .detach = 1, .mode = STATUS_MODE_HOOK };
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		log_err("cannot start the sync: %m");
		return EXIT_INTERNAL;
	}
	if (pid > 0)
		return EXIT_OK;
	setsid();
	log_to_syslog();
	if (drop_git_env() == -1) {
		log_err("out of memory");
		_exit(EXIT_INTERNAL);
	}
	_exit(exec_sync(d, &call));
}

int
post_receive(const struct deployment *d)
{
	char line[HOOK_LINE_MAX + 2], why[PATH_MAX + 256];
	struct push p, chosen;
	int matched = 0, c, cannot = 0;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			while ((c = getchar()) != EOF && c != '\n')
				;
			printf("sentry-source: a line longer than git writes, ignored\n");
			continue;
		}
		if (!judge_line(d, line, &p))
			continue;
		if (matched++) {
			printf("sentry-source: %s also matches; the checkout follows %s\n",
			    short_name(p.ref), short_name(chosen.ref));
			continue;
		}
		chosen = p;
		/* Said to the pusher, who may be the only one to read it. */
		if ((cannot = exec_sync_ready(why, sizeof(why)) == -1)) {
			printf("sentry-source: %s -> %.*s, cannot sync: %s\n",
			    short_name(p.ref), SHORT_OID, p.new_oid, why);
			continue;
		}
		printf("sentry-source: %s -> %.*s, syncing\n", short_name(p.ref),
		    SHORT_OID, p.new_oid);
	}
	if (ferror(stdin)) {
		log_err("reading the hook's input: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	if (cannot)
		return EXIT_INTERNAL;
	return matched ? detach_sync(d, &chosen) : EXIT_OK;
}
