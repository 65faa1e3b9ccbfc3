/* TAG=: choosing the tag to deploy (tag_pick.h). */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "exitcode.h"
#include "fetch.h"
#include "git_error.h"
#include "gitname.h"
#include "log.h"
#include "peer_limits.h"
#include "ssh_auth.h"
#include "tag_pick.h"

/* The peeled line git_remote_ls adds after an annotated tag. */
#define PEELED_SUFFIX	"^{}"

const char *
tag_pick_name(const char *ref)
{
	const char *tag = gitname_tag(ref);
	size_t len;

	if (tag == NULL)
		return NULL;
	len = strlen(tag);
	if (len >= sizeof(PEELED_SUFFIX) - 1 &&
	    strcmp(tag + len - (sizeof(PEELED_SUFFIX) - 1), PEELED_SUFFIX) == 0)
		return NULL;
	return tag;
}

int
tag_pick_later(const char *a, const char *b)
{
	return strverscmp(a, b) > 0;
}

size_t
tag_pick_highest(const char *const *refs, size_t n, const char *glob, const char **best)
{
	const char *tag;
	size_t i, taken = 0;

	*best = NULL;
	for (i = 0; i < n; i++) {
		if ((tag = tag_pick_name(refs[i])) == NULL || !gitname_tag_takes(glob, tag))
			continue;
		taken++;
		if (*best == NULL || tag_pick_later(tag, *best))
			*best = tag;
	}
	return taken;
}

/* What the child that asks the remote tells its parent. */
struct pick_answer {
	int	rc;
	size_t	taken;
	char	tag[LIMIT_REF_BYTES];
};

/* In the child: connect, list, choose. */
static void
ask_remote(const struct config *c, struct ssh_auth *a, const char *glob,
    struct pick_answer *ans)
{
	const char *url = config_get(c, CONFIG_CLONE_URL), *best, **names = NULL;
	const git_remote_head **heads;
	git_remote_callbacks cb;
	git_remote *remote = NULL;
	size_t i, n;

	ans->rc = EXIT_SYNC_FAILED;
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	ssh_auth_callbacks(a, &cb);
	if (git_remote_create_detached(&remote, url) < 0 ||
	    git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL) < 0 ||
	    git_remote_ls(&heads, &n, remote) < 0) {
		log_err("listing the tags of %s: %s", url, last_git_error());
		ans->rc = fetch_failure_status(a);
		goto out;
	}
	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL) {
		log_err("out of memory");
		ans->rc = EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < n; i++)
		names[i] = heads[i]->name;
	ans->taken = tag_pick_highest(names, n, glob, &best);
	if (best == NULL) {
		log_err("the remote has no tag that TAG %s takes: nothing to deploy", glob);
		goto out;
	}
	if (strlen(best) >= sizeof(ans->tag) - REFS_TAGS_LEN) {
		log_err("tag %.64s...: longer than a ref may be", best);
		goto out;
	}
	snprintf(ans->tag, sizeof(ans->tag), "%s", best);
	ans->rc = EXIT_OK;
out:
	free(names);
	git_remote_free(remote);
}

/*
 * The listing runs in a child, as deadline.c runs a sync's fetch: a
 * server that never answers must not hold a timer's sync past its
 * SYNC_TIMEOUT, and libgit2 has no timeout of its own.
 */
int
tag_pick_remote(const struct config *c, struct ssh_auth *a, const char *glob,
    unsigned long seconds, char *ref, size_t len)
{
	struct pick_answer ans = { .rc = EXIT_INTERNAL };
	struct pollfd pfd;
	long deadline = clock_ms() + (long)seconds * 1000, left;
	size_t got = 0;
	ssize_t r;
	pid_t pid, parent = getpid();
	int fds[2], status;

	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		log_err("cannot ask for the tags: %m");
		return EXIT_INTERNAL;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(EXIT_INTERNAL);
		close(fds[0]);
		ask_remote(c, a, glob, &ans);
		_exit(write(fds[1], &ans, sizeof(ans)) == (ssize_t)sizeof(ans) ? 0 :
		    EXIT_INTERNAL);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (got < sizeof(ans) && (left = deadline - clock_ms()) > 0) {
		if (poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) <= 0)
			continue;
		if ((r = read(fds[0], (char *)&ans + got, sizeof(ans) - got)) == 0)
			break;
		if (r > 0)
			got += (size_t)r;
		else if (errno != EINTR)
			break;
	}
	close(fds[0]);
	if (got < sizeof(ans)) {
		kill(pid, SIGKILL);
		log_err("listing the tags of %s: no answer within SYNC_TIMEOUT=%lus",
		    config_get(c, CONFIG_CLONE_URL), seconds);
		ans.rc = EXIT_SYNC_FAILED;
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (ans.rc != EXIT_OK)
		return ans.rc;
	log_info("TAG %s: %zu %s; the highest is %s", glob, ans.taken,
	    ans.taken == 1 ? "tag matches" : "tags match", ans.tag);
	snprintf(ref, len, REFS_TAGS "%s", ans.tag);
	return EXIT_OK;
}
