/*
 * Repacking with libgit2's packbuilder, no git CLI: everything reachable
 * from a ref or a reflog entry goes into one new pack; only once that pack
 * is written (the packbuilder renames it into place) are the old ones
 * removed, so a kill at any moment leaves every object in some pack.
 */

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "git_error.h"
#include "log.h"
#include "pack.h"

#define PACK_SUFFIX	".pack"

/* dir/name[0..n) + suffix into buf; -1 when it does not fit. */
static int
join(char *buf, const char *dir, const char *name, int n, const char *suffix)
{
	int len = snprintf(buf, PATH_MAX, "%s/%.*s%s", dir, n, name, suffix);

	return len < 0 || len >= PATH_MAX ? -1 : 0;
}

static int
is_pack(const char *name)
{
	size_t n = strlen(name), m = strlen(PACK_SUFFIX);

	return strncmp(name, "pack-", 5) == 0 && n > m &&
	    strcmp(name + n - m, PACK_SUFFIX) == 0;
}

static size_t
count_packs(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += is_pack(de->d_name);
	closedir(d);
	return n;
}

/* A reflog keeps commits a force push dropped; git fsck checks they exist. */
static void
push_reflog(git_repository *repo, git_revwalk *walk, const char *ref)
{
	git_reflog *log;
	const git_reflog_entry *e;
	git_odb *odb;
	size_t i, n;

	if (git_reflog_read(&log, repo, ref) < 0)
		return;
	if (git_repository_odb(&odb, repo) == 0) {
		n = git_reflog_entrycount(log);
		for (i = 0; i < n; i++) {
			e = git_reflog_entry_byindex(log, i);
			if (!git_oid_is_zero(git_reflog_entry_id_new(e)) &&
			    git_odb_exists(odb, git_reflog_entry_id_new(e)))
				git_revwalk_push(walk, git_reflog_entry_id_new(e));
		}
		git_odb_free(odb);
	}
	git_reflog_free(log);
}

static int
push_refs(git_repository *repo, git_revwalk *walk)
{
	git_reference_iterator *it;
	git_reference *ref;
	int error;

	if (git_reference_iterator_new(&it, repo) < 0)
		return -1;
	while ((error = git_reference_next(&ref, it)) == 0) {
		push_reflog(repo, walk, git_reference_name(ref));
		/* Tags may name trees or blobs: only commits walk. */
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT)
			git_revwalk_push(walk, git_reference_target(ref));
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	push_reflog(repo, walk, "HEAD");
	return error == GIT_ITEROVER ? git_revwalk_push_head(walk) : -1;
}

/* Every pack but the one just written. */
static void
remove_old_packs(const char *dir, const git_oid *keep)
{
	char path[PATH_MAX], keepname[64];
	struct dirent *de;
	int n;
	DIR *d;

	snprintf(keepname, sizeof(keepname), "pack-%s" PACK_SUFFIX, git_oid_tostr_s(keep));
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!is_pack(de->d_name) || strcmp(de->d_name, keepname) == 0)
			continue;
		n = (int)(strlen(de->d_name) - strlen(PACK_SUFFIX));
		/* The index first: a pack without one is ignored, the reverse is not. */
		if (join(path, dir, de->d_name, n, ".idx") == 0)
			unlink(path);
		if (join(path, dir, de->d_name, n, ".rev") == 0)
			unlink(path);
		if (join(path, dir, de->d_name, n, PACK_SUFFIX) == 0)
			unlink(path);
	}
	closedir(d);
}

/* A fetch killed mid-transfer leaves libgit2's pack_git2_* temporaries;
 * under the lock, any such file is a dead predecessor's. */
void
pack_remove_leftovers(git_repository *repo, const char *clone_path)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (join(dir, git_repository_path(repo), "objects/pack", 12, "") == -1 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "pack_git2_", 10) != 0)
			continue;
		if (join(path, dir, de->d_name, NAME_MAX, "") == 0 && unlink(path) == 0)
			log_notice("%s: removed %s, left by an interrupted fetch", clone_path,
			    de->d_name);
	}
	closedir(d);
}

void
pack_bound(git_repository *repo, const char *clone_path)
{
	char dir[PATH_MAX];
	git_packbuilder *pb = NULL;
	git_revwalk *walk = NULL;
	size_t before;

	if (join(dir, git_repository_path(repo), "objects/pack", 12, "") == -1 ||
	    (before = count_packs(dir)) <= LIMIT_PACKS)
		return;
	if (git_packbuilder_new(&pb, repo) < 0 || git_revwalk_new(&walk, repo) < 0 ||
	    push_refs(repo, walk) < 0 || git_packbuilder_insert_walk(pb, walk) < 0 ||
	    git_packbuilder_write(pb, dir, 0, NULL, NULL) < 0) {
		log_warning("%s: repacking %zu packs failed, kept them: %s", clone_path, before,
		    last_git_error());
		goto out;
	}
	remove_old_packs(dir, git_packbuilder_hash(pb));
	log_info("%s: repacked %zu packs into one", clone_path, before);
out:
	git_revwalk_free(walk);
	git_packbuilder_free(pb);
}
