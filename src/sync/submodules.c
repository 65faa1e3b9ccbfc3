/*
 * A submodule is found by its gitlink in the tree written, then by the
 * .gitmodules entry whose path is that gitlink's: a path in .gitmodules
 * names nothing by itself, so a path outside the tree, or through a
 * link, matches no gitlink and is never written (the tree check has
 * passed every gitlink's path). Names become directories of ours only
 * escaped (submodule_url.h). .gitmodules is read by libgit2's config
 * parser from a private copy, and refused when it would include another
 * file: an include could read the machine's files into our messages.
 *
 * In place, each module repository keeps refs/sentry-source/checkout,
 * the commit last written, so that the next one writes the difference.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exitcode.h"
#include "fetch.h"
#include "git_error.h"
#include "http_url.h"
#include "known_hosts.h"
#include "links.h"
#include "log.h"
#include "nofollow.h"
#include "pack.h"
#include "private_dir.h"
#include "publish.h"
#include "status.h"
#include "ssh_auth.h"
#include "subdir.h"
#include "submodule_url.h"
#include "submodules.h"
#include "tree_check.h"

#define CHECKOUT_REF	"refs/sentry-source/checkout"

struct module {
	char	*name, *path, *url;
};

struct gitlink {
	char	 path[PATH_MAX];	/* relative to the tree written */
	git_oid	 id;
};

struct found {
	const char	*prefix;
	struct gitlink	*links;
	size_t		 n;
	int		 too_many;
};

struct modules {
	struct module	m[SUBMODULE_MAX];
	size_t		 n;
};

static void
modules_free(struct modules *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		free(ms->m[i].name);
		free(ms->m[i].path);
		free(ms->m[i].url);
	}
	ms->n = 0;
}

static int
collect(const char *root, const git_tree_entry *e, void *payload)
{
	struct found *f = payload;

	if (git_tree_entry_filemode(e) != GIT_FILEMODE_COMMIT)
		return 0;
	if (f->n == SUBMODULE_MAX) {
		f->too_many = 1;
		return -1;
	}
	snprintf(f->links[f->n].path, PATH_MAX, "%s%s", root, git_tree_entry_name(e));
	git_oid_cpy(&f->links[f->n].id, git_tree_entry_id(e));
	f->n++;
	return 0;
}

/* One submodule.NAME.path or .url entry into ms. */
static int
take_entry(const git_config_entry *e, void *payload)
{
	struct modules *ms = payload;
	const char *name = e->name + strlen("submodule."), *dot = strrchr(e->name, '.');
	size_t i, len = (size_t)(dot - name);
	char **field;

	for (i = 0; i < ms->n; i++)
		if (strlen(ms->m[i].name) == len && strncmp(ms->m[i].name, name, len) == 0)
			break;
	if (i == ms->n) {
		if (ms->n == SUBMODULE_MAX)
			return 0;
		if ((ms->m[i].name = strndup(name, len)) == NULL)
			return -1;
		ms->m[i].path = ms->m[i].url = NULL;
		ms->n++;
	}
	field = strcmp(dot, ".path") == 0 ? &ms->m[i].path : &ms->m[i].url;
	free(*field);
	return (*field = strdup(e->value)) == NULL ? -1 : 0;
}

/*
 * commit's .gitmodules into ms: 0, 1 refused with why (none, a link, too
 * large, an include), -1 on an error (git_error_last or errno).
 */
static int
read_gitmodules(git_repository *repo, const git_oid *commit, const char *modules_dir,
    struct modules *ms, char *why, size_t whylen)
{
	char tmp[PATH_MAX];
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	git_config *cfg = NULL, *snap = NULL;
	const char *text;
	char *copy = NULL;
	size_t len;
	int fd = -1, rc = -1, error;

	tmp[0] = '\0';
	if (git_commit_lookup(&c, repo, commit) < 0 || git_commit_tree(&root, c) < 0)
		goto out;
	if ((error = git_tree_entry_bypath(&e, root, ".gitmodules")) < 0 ||
	    git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB) {
		if (error < 0 && error != GIT_ENOTFOUND)
			goto out;
		snprintf(why, whylen, "the tree has submodules and no .gitmodules file");
		rc = 1;
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(e)) < 0)
		goto out;
	text = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > SUBMODULE_GITMODULES_BYTES || memchr(text, '\0', len) != NULL) {
		snprintf(why, whylen, ".gitmodules is larger than %u bytes or binary",
		    SUBMODULE_GITMODULES_BYTES);
		rc = 1;
		goto out;
	}
	if ((copy = strndup(text, len)) == NULL)
		goto out;
	/* [include] and [includeIf]: another file read as config. */
	if (strcasestr(copy, "include") != NULL) {
		snprintf(why, whylen, ".gitmodules names an include, which is refused");
		rc = 1;
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.gitmodules-XXXXXX", modules_dir) >=
	    sizeof(tmp) || (fd = mkstemp(tmp)) == -1) {
		tmp[0] = '\0';
		git_error_set(GIT_ERROR_OS, "%s: %s", modules_dir, strerror(errno));
		goto out;
	}
	if (write(fd, copy, len) != (ssize_t)len) {
		git_error_set(GIT_ERROR_OS, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (git_config_new(&cfg) < 0 ||
	    git_config_add_file_ondisk(cfg, tmp, GIT_CONFIG_LEVEL_LOCAL, NULL, 1) < 0) {
		snprintf(why, whylen, ".gitmodules: %s", last_git_error());
		rc = 1;
		goto out;
	}
	if (git_config_snapshot(&snap, cfg) < 0 ||
	    git_config_foreach_match(snap, "^submodule\\..+\\.(path|url)$", take_entry,
	    ms) < 0)
		goto out;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	free(copy);
	git_config_free(snap);
	git_config_free(cfg);
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(c);
	return rc;
}

/* modules_dir/DIR, bare, its origin url: opened, or made. */
static int
open_module(const char *modules_dir, const char *name, const char *url,
    git_repository **repo, git_remote **origin)
{
	char dir[NAME_MAX + 1], path[PATH_MAX];
	const char *now;

	submodule_name_dir(name, dir, sizeof(dir));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", modules_dir, dir) >= sizeof(path)) {
		git_error_set_str(GIT_ERROR_OS, "the module's path is too long");
		return -1;
	}
	if (git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH |
	    GIT_REPOSITORY_OPEN_BARE, NULL) < 0 &&
	    git_repository_init(repo, path, 1) < 0)
		return -1;
	if (git_remote_lookup(origin, *repo, "origin") < 0)
		return git_remote_create(origin, *repo, "origin", url);
	/* A push may move a submodule to another URL. */
	if ((now = git_remote_url(*origin)) != NULL && strcmp(now, url) == 0)
		return 0;
	git_remote_free(*origin);
	*origin = NULL;
	if (git_remote_set_url(*repo, "origin", url) < 0)
		return -1;
	return git_remote_lookup(origin, *repo, "origin");
}

/*
 * The credentials for a submodule's URL: CLONE_URL's transport only,
 * its key and KNOWN_HOSTS for any ssh host, which must be pinned there;
 * its user and token for CLONE_URL's own https host and port alone.
 */
static const char *
submodule_auth(const struct submodules_job *j, const char *url, struct ssh_auth *out)
{
	struct http_url u;

	if (submodule_url_transport(url) == SUBMODULE_HTTPS) {
		/* The token is CLONE_URL's host's alone (http_auth.c sends
		 * it nowhere else): another host would get none. */
		if (!j->auth->https || http_url_parse(url, &u) != NULL ||
		    u.tls != j->auth->http.url.tls || u.port != j->auth->http.url.port ||
		    strcmp(u.host, j->auth->http.url.host) != 0)
			return "an https:// submodule needs an https:// CLONE_URL on its host";
		*out = *j->auth;
		out->http.attempts = 0;
		out->http.failure = HTTP_FAILURE_NONE;
		return NULL;
	}
	if (j->auth->https)
		return "an ssh submodule needs an ssh CLONE_URL, whose key it uses";
	if (ssh_auth_for_url(out, j->auth, url) == -1)
		return "no host and port in the URL";
	return NULL;
}

/* The commit in the module's repository, fetched when missing. */
static int
fetch_module(const struct submodules_job *j, git_repository *repo, git_remote *origin,
    const char *url, const git_oid *id, const char *name)
{
	struct sync_target t = { NULL, NULL, NULL, 0 };
	struct ssh_auth a;
	git_odb *odb = NULL;
	const char *why;
	int have;

	/* Judged before the commit is looked for: a URL refused is refused
	 * whatever an earlier push left in the module's repository. */
	if ((why = submodule_auth(j, url, &a)) != NULL) {
		log_err("%s: submodule %s: %s: %s; nothing published", j->where, name, url, why);
		return EXIT_TREE_REFUSED;
	}
	if (git_repository_odb(&odb, repo) < 0)
		return EXIT_SYNC_FAILED;
	have = git_odb_exists(odb, id);
	git_odb_free(odb);
	if (have)
		return EXIT_OK;
	pack_remove_leftovers(repo, j->where);
	if (fetch_origin(origin, &a, &t, "sentry-source: submodule") < 0) {
		log_err("%s: submodule %s: fetch from %s failed: %s", j->where, name, url,
		    last_git_error());
		pack_remove_leftovers(repo, j->where);
		return fetch_failure_status(&a);
	}
	pack_bound(repo, j->where);
	if (git_repository_odb(&odb, repo) < 0)
		return EXIT_SYNC_FAILED;
	have = git_odb_exists(odb, id);
	git_odb_free(odb);
	if (!have) {
		log_err("%s: submodule %s: commit %s is on no branch or tag of %s",
		    j->where, name, git_oid_tostr_s(id), url);
		return EXIT_SYNC_FAILED;
	}
	return EXIT_OK;
}

/* Nested gitlinks out of the index, their directories made after: a bare
 * repository's checkout cannot look a submodule up. */
static int
checkout_tree(git_repository *repo, git_tree *from, git_tree *to, const char *dir)
{
	git_checkout_options opts;
	git_index *base = NULL, *index = NULL;
	const git_index_entry *e;
	char *gitlinks[SUBMODULE_MAX];
	size_t n = 0, i;
	int rc = -1, top = -1, fd;

	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX |
	    GIT_CHECKOUT_DONT_WRITE_INDEX;
	opts.target_directory = dir;
	opts.file_open_flags = O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	if (git_index_new(&base) < 0 || (from != NULL && git_index_read_tree(base, from) < 0) ||
	    git_index_new(&index) < 0 || git_index_read_tree(index, to) < 0)
		goto out;
	for (i = git_index_entrycount(index); i-- > 0;) {
		if ((e = git_index_get_byindex(index, i)) == NULL || e->mode != GIT_FILEMODE_COMMIT)
			continue;
		if (n == SUBMODULE_MAX || (gitlinks[n] = strdup(e->path)) == NULL)
			goto out;
		if (git_index_remove(index, gitlinks[n++], 0) < 0)
			goto out;
	}
	opts.baseline_index = base;
	if (git_checkout_index(repo, index, &opts) < 0 || (top = nofollow_open_dir(dir)) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((fd = nofollow_make_dirs(top, gitlinks[i])) == -1) {
			git_error_set(GIT_ERROR_OS, "%s/%s: %s", dir, gitlinks[i], strerror(errno));
			goto out;
		}
		close(fd);
	}
	rc = 0;
out:
	if (top != -1)
		close(top);
	for (i = 0; i < n; i++)
		free(gitlinks[i]);
	git_index_free(index);
	git_index_free(base);
	return rc;
}

static int
dir_empty(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int fd, empty = 1;

	if ((fd = nofollow_open_dir(dir)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 1;
	}
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* The commit's tree into dir, checked first; in place from the last. */
static int
write_module(const struct submodules_job *j, git_repository *repo, const git_oid *id,
    const char *dir, const char *name)
{
	struct namelist links = NAMELIST_INIT;
	git_commit *c = NULL;
	git_tree *from = NULL, *to = NULL;
	git_oid last;
	int has_last = 0, rc;

	/* An empty directory (new, or the submodule removed and added back)
	 * holds nothing of the last commit written. */
	if (j->incremental && !dir_empty(dir) &&
	    git_reference_name_to_id(&last, repo, CHECKOUT_REF) == 0) {
		if (git_oid_equal(&last, id))
			return EXIT_OK;
		has_last = 1;
	}
	if ((rc = tree_check_sync(repo, has_last ? &last : NULL, id, dir, j->where)) != EXIT_OK)
		return rc;
	rc = EXIT_SYNC_FAILED;
	if (git_commit_lookup(&c, repo, id) < 0 || git_commit_tree(&to, c) < 0)
		goto fail;
	git_commit_free(c);
	c = NULL;
	if (has_last && (git_commit_lookup(&c, repo, &last) < 0 ||
	    git_commit_tree(&from, c) < 0))
		goto fail;
	if (j->incremental && links_check(repo, from, to, dir, &links) == -1)
		goto fail;
	if (links.count > 0) {
		log_err("%s: submodule %s: refusing to write through %s, a link no commit "
		    "holds; nothing written", j->where, name, links.text);
		rc = EXIT_NOT_OURS;
		goto out;
	}
	if (checkout_tree(repo, from, to, dir) < 0 || (j->incremental &&
	    git_reference_create(NULL, repo, CHECKOUT_REF, id, 1, "sentry-source") < 0))
		goto fail;
	rc = EXIT_OK;
	goto out;
fail:
	log_err("%s: submodule %s: checkout of %s into %s: %s", j->where, name,
	    git_oid_tostr_s(id), dir, last_git_error());
out:
	git_tree_free(from);
	git_tree_free(to);
	git_commit_free(c);
	return rc;
}

static const struct module *
module_at(const struct modules *ms, const char *path)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->m[i].path != NULL && strcmp(ms->m[i].path, path) == 0)
			return &ms->m[i];
	return NULL;
}

static int	update(const struct submodules_job *, git_repository *, const git_oid *,
		    const char *, const char *, const char *, const char *, int);

/* One gitlink: its module judged, fetched, written, and its own. */
static int
one(const struct submodules_job *j, const struct modules *ms, const struct gitlink *g,
    const char *full, const char *dir, const char *modules_dir, const char *url, int depth)
{
	char resolved[PATH_MAX], target[PATH_MAX], nested[PATH_MAX];
	const struct module *m;
	git_repository *repo = NULL;
	git_remote *origin = NULL;
	const char *why;
	int rc = EXIT_TREE_REFUSED, top, fd;

	if ((m = module_at(ms, full)) == NULL || m->url == NULL) {
		log_err("%s: submodule at %s: no entry of .gitmodules gives its path and URL; "
		    "nothing published", j->where, full);
		return rc;
	}
	if ((why = submodule_name_refused(m->name)) != NULL ||
	    (why = submodule_url_resolve(url, m->url, resolved, sizeof(resolved))) != NULL) {
		log_err("%s: submodule at %s: %s; nothing published", j->where, full, why);
		return rc;
	}
	if (j->judge_only) {
		struct ssh_auth a;

		if ((why = submodule_auth(j, resolved, &a)) == NULL)
			return EXIT_OK;
		log_err("%s: submodule %s: %s: %s; nothing published", j->where, m->name,
		    resolved, why);
		return rc;
	}
	rc = EXIT_SYNC_FAILED;
	if ((size_t)snprintf(target, sizeof(target), "%s/%s", dir, g->path) >= sizeof(target) ||
	    (top = nofollow_open_dir(dir)) == -1)
		goto fail;
	fd = nofollow_make_dirs(top, g->path);
	close(top);
	if (fd == -1)
		goto fail;
	close(fd);
	if (open_module(modules_dir, m->name, resolved, &repo, &origin) < 0) {
		log_err("%s: submodule %s: %s", j->where, m->name, last_git_error());
		goto out;
	}
	if ((rc = fetch_module(j, repo, origin, resolved, &g->id, m->name)) != EXIT_OK ||
	    (rc = write_module(j, repo, &g->id, target, m->name)) != EXIT_OK)
		goto out;
	snprintf(nested, sizeof(nested), "%smodules", git_repository_path(repo));
	rc = update(j, repo, &g->id, NULL, target, nested, resolved, depth + 1);
	goto out;
fail:
	log_err("%s: submodule %s: %s/%s: %s", j->where, m->name, dir, g->path, strerror(errno));
out:
	git_remote_free(origin);
	git_repository_free(repo);
	return rc;
}

static int
update(const struct submodules_job *j, git_repository *repo, const git_oid *commit,
    const char *prefix, const char *dir, const char *modules_dir, const char *url, int depth)
{
	struct modules *ms = NULL;
	struct found f = { prefix, NULL, 0, 0 };
	char why[PATH_MAX + 64], full[2 * PATH_MAX];
	git_tree *tree = NULL;
	size_t i;
	int rc = EXIT_SYNC_FAILED, r;

	if ((f.links = calloc(SUBMODULE_MAX, sizeof(*f.links))) == NULL ||
	    (ms = calloc(1, sizeof(*ms))) == NULL)
		goto out;
	if (subdir_tree(repo, commit, prefix, &tree, why, sizeof(why)) != 0 ||
	    (git_tree_walk(tree, GIT_TREEWALK_PRE, collect, &f) < 0 && !f.too_many)) {
		log_err("%s: submodules of %s: %s", j->where, git_oid_tostr_s(commit),
		    last_git_error());
		goto out;
	}
	rc = EXIT_TREE_REFUSED;
	if (f.too_many || (f.n > 0 && depth >= SUBMODULE_DEPTH)) {
		log_err("%s: commit %s: more than %d submodules, or nested deeper than %d; "
		    "nothing published", j->where, git_oid_tostr_s(commit), SUBMODULE_MAX,
		    SUBMODULE_DEPTH);
		goto out;
	}
	if (f.n == 0) {
		rc = EXIT_OK;
		goto out;
	}
	/* The modules' repositories, private as the one that names them
	 * (NAME.releases/modules is beside the releases, not in repo.git). */
	if (private_dir(modules_dir, 1) == -1) {
		rc = EXIT_SYNC_FAILED;
		goto out;
	}
	if ((r = read_gitmodules(repo, commit, modules_dir, ms, why, sizeof(why))) != 0) {
		if (r == 1)
			log_err("%s: commit %s: %s; nothing published", j->where,
			    git_oid_tostr_s(commit), why);
		else
			log_err("%s: .gitmodules of %s: %s", j->where, git_oid_tostr_s(commit),
			    last_git_error());
		rc = r == 1 ? EXIT_TREE_REFUSED : EXIT_SYNC_FAILED;
		goto out;
	}
	rc = EXIT_OK;
	for (i = 0; i < f.n && rc == EXIT_OK; i++) {
		snprintf(full, sizeof(full), "%s%s%s", prefix != NULL ? prefix : "",
		    prefix != NULL ? "/" : "", f.links[i].path);
		rc = one(j, ms, &f.links[i], full, dir, modules_dir, url, depth);
	}
out:
	if (ms != NULL)
		modules_free(ms);
	free(ms);
	free(f.links);
	git_tree_free(tree);
	return rc;
}

int
submodules_judge(const struct submodules_job *j, git_repository *repo,
    const git_oid *commit, const char *modules_dir, const char *url)
{
	struct submodules_job k = *j;

	k.judge_only = 1;
	return update(&k, repo, commit, NULL, NULL, modules_dir, url, 0);
}

int
submodules_update(const struct submodules_job *j, git_repository *repo,
    const git_oid *commit, const char *prefix, const char *dir, const char *modules_dir,
    const char *url)
{
	return update(j, repo, commit, prefix, dir, modules_dir, url, 0);
}

/* Does any entry of KNOWN_HOSTS name the host? (check.c's probe.) */
static int
pinned(const struct ssh_auth *a)
{
	static const unsigned char probe[4 + 11 + 4 + 32] =
	    "\0\0\0\13ssh-ed25519\0\0\0\40";

	return known_hosts_check(a->known_hosts, a->known_hosts_len, a->host, a->port,
	    probe, sizeof(probe)) != KNOWN_HOST_UNKNOWN;
}

void
submodules_check(git_repository *repo, const git_oid *commit, const char *clone_url,
    const struct ssh_auth *auth, publish_report *report)
{
	struct submodules_job j = { (struct ssh_auth *)auth, clone_url, "--check", 0, 0 };
	struct modules *ms;
	char why[PATH_MAX + 64], resolved[PATH_MAX], dir[PATH_MAX];
	struct ssh_auth a;
	const char *no;
	size_t i;
	int r;

	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s", getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((r = read_gitmodules(repo, commit, dir, ms, why, sizeof(why))) != 0) {
		if (r == 1 && strstr(why, "no .gitmodules") != NULL)
			report(EXIT_OK, "SUBMODULES=yes: commit %.12s has no .gitmodules",
			    git_oid_tostr_s(commit));
		else
			report(EXIT_TREE_REFUSED, "SUBMODULES=yes: commit %.12s: %s",
			    git_oid_tostr_s(commit), r == 1 ? why : last_git_error());
		goto out;
	}
	for (i = 0; i < ms->n; i++) {
		if ((no = submodule_name_refused(ms->m[i].name)) != NULL ||
		    (no = ms->m[i].url == NULL ? "no URL" : NULL) != NULL ||
		    (no = submodule_url_resolve(clone_url, ms->m[i].url, resolved,
		    sizeof(resolved))) != NULL || (no = submodule_auth(&j, resolved, &a)) != NULL)
			report(EXIT_TREE_REFUSED, "submodule %s: %s", ms->m[i].name, no);
		else if (a.https)
			report(EXIT_OK, "submodule %s: %s, on CLONE_URL's https server",
			    ms->m[i].name, resolved);
		else if (!pinned(&a))
			report(EXIT_HOSTKEY, "submodule %s: %s: KNOWN_HOSTS names no %s%s%s:%d; "
			    "add its keys (ssh-keyscan -p %d %s) after checking them",
			    ms->m[i].name, resolved, a.port == 22 ? "" : "[", a.host,
			    a.port == 22 ? "" : "]", a.port, a.port, a.host);
		else
			report(EXIT_OK, "submodule %s: %s, host %s in KNOWN_HOSTS", ms->m[i].name,
			    resolved, a.host);
	}
out:
	modules_free(ms);
	free(ms);
}

void
submodules_check_config(const struct config *c, const char *branch,
    const struct ssh_auth *a, publish_report *report)
{
	char oid[STATUS_OID_LEN + 1], path[PATH_MAX], ref[PATH_MAX];
	git_repository *repo = NULL;
	git_oid id;
	int have;

	if (!config_yes(c, CONFIG_SUBMODULES))
		return;
	publish_for(c)->live(c, oid, NULL, 0);
	publish_for(c)->repo_path(c, path, sizeof(path));
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		repo = NULL;
	/* The tip fetched last, else the live commit. */
	snprintf(ref, sizeof(ref), "refs/remotes/origin/%s", branch != NULL ? branch : "");
	have = repo != NULL && ((branch != NULL && strpbrk(branch, "*?[") == NULL &&
	    git_reference_name_to_id(&id, repo, ref) == 0) ||
	    (oid[0] != '\0' && git_oid_fromstr(&id, oid) == 0));
	if (!have) {
		git_repository_free(repo);
		report(EXIT_OK, "SUBMODULES=yes: nothing synced yet; every sync reads the "
		    "tip's .gitmodules");
		return;
	}
	submodules_check(repo, &id, config_get(c, CONFIG_CLONE_URL), a, report);
	git_repository_free(repo);
}
