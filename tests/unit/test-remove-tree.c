/*
 * remove_tree (src/sync/remove_tree.c): a tree with every kind of entry,
 * links to a directory it must not touch, another user's entries kept,
 * and a process that swaps a directory of the tree for a link to a
 * victim directory while the removal runs, round after round: the victim
 * keeps every file.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remove_tree.h"
#include "tap.h"

#define VICTIM_FILES	50
#define RACE_ROUNDS	50	/* nftw lost within 10 (the path-based removal this replaced) */
#define TREE_FILES	40

static char base[] = "/tmp/test-remove-tree.XXXXXX";

static void
touch(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
touch(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
		(void)write(fd, "x\n", 2);
		close(fd);
	}
}

static int
exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
exists(const char *fmt, ...)
{
	char path[4096];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return lstat(path, &st) == 0;
}

static int
victim_count(void)
{
	int i, n = 0;

	for (i = 0; i < VICTIM_FILES; i++)
		n += exists("%s/victim/f%d", base, i);
	return n;
}

static void
make_victim(void)
{
	int i;

	char p[4096];

	snprintf(p, sizeof(p), "%s/victim", base);
	mkdir(p, 0755);
	for (i = 0; i < VICTIM_FILES; i++)
		touch("%s/victim/f%d", base, i);
}

static void
every_kind(void)
{
	char p[4096], q[4096];

	snprintf(p, sizeof(p), "%s/t1", base);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/t1/d", base);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/t1/d/deeper", base);
	mkdir(p, 0500);	/* read-only: we own it, so it goes too */
	touch("%s/t1/file", base);
	touch("%s/t1/d/file", base);
	snprintf(q, sizeof(q), "%s/victim", base);
	snprintf(p, sizeof(p), "%s/t1/link-to-victim", base);
	symlink(q, p);
	snprintf(p, sizeof(p), "%s/t1/d/dangling", base);
	symlink("/nonexistent/x", p);
	snprintf(p, sizeof(p), "%s/t1/fifo", base);
	mkfifo(p, 0600);
	snprintf(p, sizeof(p), "%s/t1", base);
	tap_ok(remove_tree(AT_FDCWD, p) == 0 &&
	    !exists("%s/t1", base), "a tree of files, directories, links and a fifo is removed");
	tap_ok(victim_count() == VICTIM_FILES, "a link in it to another directory is "
	    "removed, not followed (%d of %d files left there)", victim_count(), VICTIM_FILES);
	tap_ok(remove_tree(AT_FDCWD, p) == 0,
	    "a tree already gone is not an error");
	snprintf(p, sizeof(p), "%s/t1-link", base);
	snprintf(q, sizeof(q), "%s/victim", base);
	symlink(q, p);
	tap_ok(remove_tree(AT_FDCWD, p) == 0 && !exists("%s/t1-link", base) &&
	    victim_count() == VICTIM_FILES, "a link given as the top is removed as a link");
}

/* Only as root: an entry of another user's (nobody's) is kept. */
static void
not_ours(void)
{
	char p[4096];

	if (geteuid() != 0) {
		tap_ok(1, "# skip: another user's entries need root to make");
		return;
	}
	snprintf(p, sizeof(p), "%s/t2", base);
	mkdir(p, 0755);
	touch("%s/t2/mine", base);
	snprintf(p, sizeof(p), "%s/t2/theirs", base);
	mkdir(p, 0755);
	touch("%s/t2/theirs/f", base);
	snprintf(p, sizeof(p), "%s/t2/theirs/f", base);
	chown(p, 65534, 65534);
	snprintf(p, sizeof(p), "%s/t2/theirs", base);
	chown(p, 65534, 65534);
	snprintf(p, sizeof(p), "%s/t2", base);
	tap_ok(remove_tree(AT_FDCWD, p) == REMOVE_TREE_NOT_OURS &&
	    !exists("%s/t2/mine", base) && exists("%s/t2/theirs/f", base),
	    "another user's directory in the tree is kept, with what is in it; ours goes");
	chown(p, 65534, 65534);
	snprintf(p, sizeof(p), "%s/t2/theirs", base);
	chown(p, 0, 0);
	touch("%s/t2/theirs/g", base);
	snprintf(p, sizeof(p), "%s/t2", base);
	tap_ok(remove_tree(AT_FDCWD, p) == REMOVE_TREE_NOT_OURS &&
	    exists("%s/t2/theirs/g", base), "another user's look-alike top is left whole");
	chown(p, 0, 0);
	snprintf(p, sizeof(p), "%s/t2/theirs/f", base);
	chown(p, 0, 0);
	snprintf(p, sizeof(p), "%s/t2", base);
	remove_tree(AT_FDCWD, p);
}

/* Swap top/a for a link to the victim and back, as fast as it goes. */
static void __attribute__((noreturn))
swapper(const char *top)
{
	char a[300], moved[300], victim[300];

	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(moved, sizeof(moved), "%s/a.moved", top);
	snprintf(victim, sizeof(victim), "%s/victim", base);
	for (;;) {
		if (rename(a, moved) == 0) {
			symlink(victim, a);
			unlink(a);
			rename(moved, a);
		}
	}
}

static void
race(void)
{
	char top[256], p[4096];
	int round, i, lost = 0, lost_in = -1, status;
	pid_t pid;

	snprintf(top, sizeof(top), "%s/race", base);
	for (round = 0; round < RACE_ROUNDS && lost == 0; round++) {
		mkdir(top, 0700);
		snprintf(p, sizeof(p), "%s/a", top);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/a/b", top);
		mkdir(p, 0700);
		for (i = 0; i < TREE_FILES; i++) {
			touch("%s/a/f%d", top, i);
			touch("%s/a/b/f%d", top, i);
		}
		/* Same names as the victim's, so a followed link removes them. */
		for (i = 0; i < VICTIM_FILES; i++)
			touch("%s/a/b/../f%d", top, i);
		if ((pid = fork()) == 0)
			swapper(top);
		remove_tree(AT_FDCWD, top);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		remove_tree(AT_FDCWD, top);
		if ((lost = VICTIM_FILES - victim_count()) > 0)
			lost_in = round;
		make_victim();
	}
	tap_ok(lost == 0, "%d rounds of swapping a directory for a link during the "
	    "removal: %d victim files lost%s", round, lost,
	    lost_in >= 0 ? " (the swap won)" : "");
}

int
main(void)
{
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	make_victim();
	every_kind();
	not_ours();
	race();
	remove_tree(AT_FDCWD, base);
	return tap_done();
}
