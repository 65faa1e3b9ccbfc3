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

#define LOCK_COALESCED	(-2)
#define LOCK_NOT_OURS	(-3)

/* The held lock's descriptor; LOCK_COALESCED when another sync is already
 * waiting; LOCK_NOT_OURS, logged, when a lock file is not a regular file
 * that only the effective user owns and may write; -1 with errno set.
 * Blocks while another sync runs. ref (len bytes) is the event's ref, ""
 * for none; once the lock is held it is the newest ref an event wrote,
 * which the caller checks again. */
int	lock_checkout(const char *clone_path, char *ref, size_t len);
void	unlock_checkout(int fd);

#endif
