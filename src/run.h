/*
 * RUN=: the command line split into words with no shell, and the command
 * run in its own process group under a deadline, its output logged.
 */
#ifndef SENTRY_RUN_H
#define SENTRY_RUN_H

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

struct run_command {
	char *const	*argv;
	char *const	*envp;		/* all of it: nothing else is inherited */
	const char	*dir;		/* its working directory */
	unsigned long	 seconds;	/* then its process group is stopped */
};

/*
 * Run it with stdin /dev/null, stdout and stderr into the log ("run: "
 * lines), no other descriptor, default signal dispositions. When it exits,
 * what it left in its process group is stopped too. 0 when it exited 0
 * in time; -1 otherwise, the reason logged.
 */
int		 run_command(const struct run_command *);

#endif
