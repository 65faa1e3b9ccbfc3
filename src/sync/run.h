/*
 * RUN=: the command run in its own process group under a deadline, its
 * output logged. The line is split by run_split (run_split.h).
 */
#ifndef SENTRY_RUN_H
#define SENTRY_RUN_H

struct run_command {
	char *const	*argv;
	char *const	*envp;		/* all of it: nothing else is inherited */
	const char	*dir;		/* its working directory */
	unsigned long	 seconds;	/* then its process group is stopped */
	const char	*name;		/* for the log: RUN */
	const char	*label;		/* its output's lines: "run: ..." */
	const char	*timeout_name;	/* before the seconds: "RUN_TIMEOUT=" */
};

/*
 * Run it with stdin /dev/null, stdout and stderr into the log ("run: "
 * lines, or the label), no other descriptor, default signal dispositions. When it exits,
 * what it left in its process group is stopped too. 0 when it exited 0
 * in time; -1 otherwise, the reason logged.
 */
int		 run_command(const struct run_command *);

#endif
