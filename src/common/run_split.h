/*
 * RUN= (and BUILD=) as words: split with no shell and checked, by the
 * front before it answers and by the helper before it runs the command.
 */
#ifndef SENTRY_RUN_SPLIT_H
#define SENTRY_RUN_SPLIT_H

/*
 * Split a line into the words sh would make of it, with no expansion of
 * anything: blanks separate words; '...' keeps every byte; "..." too,
 * except that \ before " \ $ or ` stands for that character; outside
 * quotes \ takes any next character. The first word must be an absolute
 * path or a name without '/' (looked up in PATH). NULL and *argv (one
 * allocation: free(*argv) frees it all), or why the line is refused.
 */
const char	*run_split(const char *line, char ***argv);

/* The name found in PATH, or the absolute path, executable; else why not. */
const char	*run_findable(const char *command);

#endif
