/*
 * No shell between RUN= and the command: the line is split here, once,
 * the way sh splits words but with nothing expanded, so that no byte of
 * a config value is ever interpreted twice. Who wants a shell writes
 * RUN=/bin/sh -c '...'. Both programs split: the front to refuse a bad
 * RUN before it answers, the helper to run it.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>

#include "run_split.h"

/* execvp(3)'s search path when PATH is unset. */
#define DEFAULT_PATH	"/bin:/usr/bin"

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

const char *
run_split(const char *line, char ***argvp)
{
	size_t len = strlen(line), max = len / 2 + 2, argc = 0;
	const char *s = line, *why = NULL;
	char **argv, *out;

	*argvp = NULL;
	/* Words are never longer than the line: one block holds them all. */
	if ((argv = malloc(max * sizeof(*argv) + len + 1)) == NULL)
		return "cannot be split: out of memory";
	out = (char *)(argv + max);
	for (;;) {
		while (blank(*s))
			s++;
		if (*s == '\0')
			break;
		argv[argc++] = out;
		while (*s != '\0' && !blank(*s)) {
			switch (*s) {
			case '\'':
				for (s++; *s != '\''; s++) {
					if (*s == '\0') {
						why = "has a ' that no ' closes";
						goto fail;
					}
					*out++ = *s;
				}
				s++;
				break;
			case '"':
				for (s++; *s != '"'; s++) {
					if (*s == '\0') {
						why = "has a \" that no \" closes";
						goto fail;
					}
					if (*s == '\\' && s[1] != '\0' && strchr("\"\\$`", s[1]) != NULL)
						s++;
					*out++ = *s;
				}
				s++;
				break;
			case '\\':
				if (s[1] == '\0') {
					why = "ends in a backslash";
					goto fail;
				}
				s++;
				/* FALLTHROUGH */
			default:
				*out++ = *s++;
			}
		}
		*out++ = '\0';
	}
	argv[argc] = NULL;
	if (argc == 0 || argv[0][0] == '\0')
		why = "names no command";
	else if (argv[0][0] != '/' && strchr(argv[0], '/') != NULL)
		why = "must start with an absolute path or a command name found in PATH, "
		    "not a relative path";
	else {
		*argvp = argv;
		return NULL;
	}
fail:
	free(argv);
	return why;
}

static int
executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *
run_findable(const char *command)
{
	const char *dirs, *dir, *end;
	char path[PATH_MAX];
	int n;

	if (command[0] == '/')
		return executable(command) ? NULL : "is not an executable file";
	if ((dirs = getenv("PATH")) == NULL)
		dirs = DEFAULT_PATH;
	for (dir = dirs; ; dir = end + 1) {
		end = strchrnul(dir, ':');
		/* An empty entry is the working directory: CLONE_PATH, the
		 * pushed files; the check does not look there. */
		if (end > dir) {
			n = snprintf(path, sizeof(path), "%.*s/%s", (int)(end - dir), dir, command);
			if (n > 0 && (size_t)n < sizeof(path) && executable(path))
				return NULL;
		}
		if (*end == '\0')
			return "is not found in PATH";
	}
}
