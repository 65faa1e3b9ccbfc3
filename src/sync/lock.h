/*
 * One sync per checkout at a time, and at most one more waiting: flock(2)
 * on two files beside the checkout (inside it, a clone could not start):
 * <CLONE_PATH>.lock, held by the running sync, and <CLONE_PATH>.wait, held
 * by the one waiting for it. An event that finds both taken needs no sync
 * of its own: the waiting one fetches after it takes the lock, so it sees
 * every commit pushed before that event was sent. The kernel drops a lock
 * when its holder dies, however it dies. A lock file that another user
 * could hold, or write, is never used (lock.c).
 *
 * With a glob BRANCH the events may name different branches, and the
 * checkout holds one: the newest push wins. Every event writes its ref
 * into <CLONE_PATH>.wait before it tries the locks, and a sync reads it
 * back once it runs, after it has let go of the wait lock: an event that
 * found the wait lock taken wrote its ref before that, so the sync that
 * absorbs it sees it (or a newer one).
 */
#ifndef SENTRY_LOCK_H
#define SENTRY_LOCK_H

#include <stddef.h>

enum lock_result {
	LOCK_TAKEN,	/* *fd holds the lock */
	LOCK_COALESCED,	/* another sync already waits: it will do this one's work */
	LOCK_NOT_OURS,	/* a lock file another user could hold; logged */
	LOCK_NO_DIR,	/* CLONE_PATH's directory does not exist */
	LOCK_ERROR	/* errno says why */
};

/* Blocks while another sync runs. *fd is the held lock's descriptor on
 * LOCK_TAKEN, -1 otherwise. ref (len bytes) is the event's ref, "" for
 * none; once the lock is held it is the newest ref an event wrote, which
 * the caller checks again. */
enum lock_result	lock_checkout(const char *clone_path, char *ref, size_t len, int *fd);
void			unlock_checkout(int fd);

#endif
