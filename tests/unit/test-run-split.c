/*
 * Splitting RUN= into words: what sh would make of the line with nothing
 * expanded, and the lines refused before any sync (unclosed quotes, a
 * trailing backslash, no command, a relative command path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_split.h"
#include "tap.h"

/* want: the words joined by '|', as the test names them. */
static void
split(const char *line, const char *want)
{
	char **argv = NULL, got[1024] = "";
	const char *why;
	size_t i;

	if ((why = run_split(line, &argv)) == NULL)
		for (i = 0; argv[i] != NULL; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			    i ? "|" : "", argv[i]);
	tap_ok(why == NULL && strcmp(got, want) == 0, "[%s] splits into [%s] (got [%s]%s%s)",
	    line, want, got, why ? ": " : "", why ? why : "");
	free(argv);
}

static void
refused(const char *line, const char *want)
{
	char **argv = (char **)&argv;
	const char *why = run_split(line, &argv);

	tap_ok(why != NULL && strstr(why, want) != NULL && argv == NULL,
	    "[%s] refused: %s", line, why ? why : "(accepted)");
}

int
main(void)
{
	split("/usr/bin/lint", "/usr/bin/lint");
	split("lint --all", "lint|--all");
	split("  lint \t --all  ", "lint|--all");
	split("lint 'two words'", "lint|two words");
	split("lint \"two words\"", "lint|two words");
	split("lint a'b c'd", "lint|ab cd");
	split("lint '' x", "lint||x");
	split("lint \"\"", "lint|");
	split("lint two\\ words", "lint|two words");
	split("lint \\'x\\'", "lint|'x'");
	split("lint \\\\", "lint|\\");
	split("lint 'a\\b'", "lint|a\\b");
	split("lint 'say \"hi\"'", "lint|say \"hi\"");
	split("lint \"it's\"", "lint|it's");
	split("lint \"a\\\"b\"", "lint|a\"b");
	split("lint \"a\\\\b\"", "lint|a\\b");
	split("lint \"a\\$b\"", "lint|a$b");
	split("lint \"a\\nb\"", "lint|a\\nb");
	/* Nothing is expanded and no character is special to a shell. */
	split("echo $HOME ~ * ; | > x && `id` $(id)", "echo|$HOME|~|*|;|||>|x|&&|`id`|$(id)");
	split("/bin/sh -c 'make lint && echo \"$SENTRY_NEW\"'",
	    "/bin/sh|-c|make lint && echo \"$SENTRY_NEW\"");

	refused("lint 'oops", "' that no ' closes");
	refused("lint \"oops", "\" that no \" closes");
	refused("lint \"a\\\"", "\" that no \" closes");
	refused("lint oops\\", "ends in a backslash");
	refused("   ", "names no command");
	refused("'' arg", "names no command");
	refused("bin/lint", "not a relative path");
	refused("./lint.sh", "not a relative path");
	refused("../x/lint", "not a relative path");

	tap_ok(run_findable("sh") == NULL, "sh is found in PATH");
	tap_ok(run_findable("/bin/sh") == NULL, "/bin/sh is executable");
	tap_ok(run_findable("/etc/passwd") != NULL, "/etc/passwd is not executable");
	tap_ok(run_findable("/etc") != NULL, "/etc is not an executable file");
	tap_ok(run_findable("no-such-command-sentry") != NULL, "an unknown name is not found");
	return tap_done();
}
