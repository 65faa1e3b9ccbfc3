/*
 * remove_tree (src/sync/remove_tree.c): a tree with every kind of entry,
 * links to a directory it must not touch, another user's entries kept,
 * and a process that swaps a directory of the tree for a link to a
 * victim directory while the removal runs, round after round: the victim
 * keeps every file. Trees deeper than a path can name (5,000 levels),
 * removed whole with few descriptors allowed, and with another user's
 * file at the bottom: kept, with the directories that hold it only.
 */
#include <sys/resource.h>
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

#include "bounds.h"
#include "remove_tree.h"
#include "tap.h"

#define VICTIM_FILES	50
#define RACE_ROUNDS	50	/* nftw lost within 10 (the path-based removal this replaced) */
#define TREE_FILES	40
#define DEEP_LEVELS	5000	/* 10,000 bytes of path: past PATH_MAX */
/* Far fewer than one per level: what remove_tree holds, and a few more. */
#define FEW_FDS		(LIMIT_REMOVE_FDS + 16)

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

/* top/d/d/.../d, levels deep, with a file "f" in each level and a
 * sibling directory "s" every 100 levels; the deepest level's fd, or -1. */
static int
make_deep(const char *top, int levels)
{
	int fd, next, i, f;

	mkdir(top, 0700);
	if ((fd = open(top, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	for (i = 0; i < levels; i++) {
		if ((f = openat(fd, "f", O_WRONLY | O_CREAT, 0600)) != -1)
			close(f);
		if (i % 100 == 0)
			mkdirat(fd, "s", 0700);
		if (mkdirat(fd, "d", 0700) == -1 ||
		    (next = openat(fd, "d", O_RDONLY | O_DIRECTORY)) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* remove_tree(top) in a child allowed only fds descriptors: its result. */
static int
remove_with_fds(const char *top, rlim_t fds)
{
	struct rlimit rl = { fds, fds };
	int status;
	pid_t pid;
	int rc;

	if ((pid = fork()) == 0) {
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(99);
		rc = remove_tree(AT_FDCWD, top);
		_exit(rc == -1 ? 98 : rc);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return 97;
	return WEXITSTATUS(status);
}

static void
deep(void)
{
	char top[256];
	int fd, f, rc;

	snprintf(top, sizeof(top), "%s/deep", base);
	fd = make_deep(top, DEEP_LEVELS);
	tap_ok(fd != -1, "a tree %d levels deep is made", DEEP_LEVELS);
	if (fd != -1)
		close(fd);
	tap_ok(remove_tree(AT_FDCWD, top) == 0 && !exists("%s", top),
	    "a tree %d levels deep is removed whole", DEEP_LEVELS);

	fd = make_deep(top, DEEP_LEVELS);
	if (fd != -1)
		close(fd);
	rc = remove_with_fds(top, FEW_FDS);
	tap_ok(rc == 0 && !exists("%s", top), "...with only %d descriptors allowed "
	    "(exit %d)", FEW_FDS, rc);

	if (geteuid() != 0) {
		tap_ok(1, "# skip: another user's entries need root to make");
		return;
	}
	/* nobody's file at the bottom: the chain to it stays, the rest goes. */
	if ((fd = make_deep(top, DEEP_LEVELS)) != -1) {
		if ((f = openat(fd, "theirs", O_WRONLY | O_CREAT, 0600)) != -1) {
			fchown(f, 65534, 65534);
			close(f);
		}
		close(fd);
	}
	rc = remove_with_fds(top, FEW_FDS);
	tap_ok(rc == REMOVE_TREE_NOT_OURS && exists("%s/d", top) && !exists("%s/f", top) &&
	    !exists("%s/s", top) && !exists("%s/d/d/f", top),
	    "another user's file %d levels down is kept, with the directories above "
	    "it; every other entry goes (rc %d)", DEEP_LEVELS, rc);
	/* Made ours again, the next removal finishes the work. */
	if ((fd = open(top, O_RDONLY | O_DIRECTORY)) != -1) {
		int i, next;

		for (i = 0; i < DEEP_LEVELS && fd != -1; i++) {
			next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
			close(fd);
			fd = next;
		}
		if (fd != -1) {
			fchownat(fd, "theirs", 0, 0, AT_SYMLINK_NOFOLLOW);
			close(fd);
		}
	}
	tap_ok(remove_tree(AT_FDCWD, top) == 0 && !exists("%s", top),
	    "...and once it is ours, the next removal takes the rest");
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
	deep();
	remove_tree(AT_FDCWD, base);
	return tap_done();
}
