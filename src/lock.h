/*
 * One sync per checkout at a time: an flock(2) on <CLONE_PATH>.lock, a
 * file beside the checkout (inside it, a clone could not start). The
 * kernel drops the lock when its holder dies, however it dies.
 */
#ifndef SENTRY_LOCK_H
#define SENTRY_LOCK_H

/* The held lock's descriptor, or -1 with errno set. Blocks until free. */
int	lock_checkout(const char *clone_path);
void	unlock_checkout(int fd);

#endif
