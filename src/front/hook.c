/*
 * Hook mode: installed as a bare repository's post-receive hook, read the
 * githooks(5) lines "<old> SP <new> SP <refname>", tell the pusher what
 * each ref means to us, and sync without holding the push: the sync runs
 * detached, logging to syslog, and git push returns at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "front.h"
#include "log.h"
#include "status_record.h"

/* Two object names, a ref and the separators; longer lines are not git's. */
#define HOOK_LINE_MAX	(2 * OID_HEX_LEN + LIMIT_REF_BYTES + 4)
#define SHORT_OID	7

static const char *
short_name(const char *ref)
{
	if (strncmp(ref, "refs/heads/", 11) == 0)
		return ref + 11;
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
	_exit(exec_sync(d, &call));
}

int
post_receive(const struct deployment *d)
{
	char line[HOOK_LINE_MAX + 2];
	struct push p, chosen;
	int matched = 0, c;

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
		printf("sentry-source: %s -> %.*s, syncing\n", short_name(p.ref),
		    SHORT_OID, p.new_oid);
	}
	if (ferror(stdin)) {
		log_err("reading the hook's input: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	return matched ? detach_sync(d, &chosen) : EXIT_OK;
}
