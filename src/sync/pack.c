/*
 * Repacking with libgit2's packbuilder, no git CLI: everything reachable
 * from a ref, a reflog entry or HEAD goes into one new pack, as with git's
 * `repack -a -d`: commits through a revwalk, and on their own the tag
 * objects and the trees and blobs that refs or tags name (a revwalk
 * reaches none of these, and a repository without them fails every later
 * fetch with "object not found"); only once that pack
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

/*
 * What an id names, down its chain of tags: tag objects and trees and
 * blobs into the pack, commits into the walk (which adds their trees).
 * A chain of tags cannot loop: each tag's id hashes its target's.
 */
static int
push_object(git_repository *repo, git_packbuilder *pb, git_revwalk *walk, git_odb *odb,
    const git_oid *id)
{
	git_object_t type;
	git_oid at;
	git_tag *tag;
	size_t len;
	int rc;

	git_oid_cpy(&at, id);
	for (;;) {
		if (git_odb_read_header(&len, &type, odb, &at) < 0)
			return -1;
		if (type != GIT_OBJECT_TAG)
			break;
		if (git_packbuilder_insert(pb, &at, NULL) < 0 ||
		    git_tag_lookup(&tag, repo, &at) < 0)
			return -1;
		git_oid_cpy(&at, git_tag_target_id(tag));
		git_tag_free(tag);
	}
	switch (type) {
	case GIT_OBJECT_COMMIT: rc = git_revwalk_push(walk, &at); break;
	case GIT_OBJECT_TREE: rc = git_packbuilder_insert_tree(pb, &at); break;
	default: rc = git_packbuilder_insert(pb, &at, NULL); break;
	}
	return rc;
}

/* A reflog keeps commits a force push dropped; git fsck checks they exist.
 * Entries whose objects are already gone are git's business, not ours. */
static int
push_reflog(git_repository *repo, git_packbuilder *pb, git_revwalk *walk, git_odb *odb,
    const char *ref)
{
	git_reflog *log;
	const git_oid *id;
	size_t i, n;
	int rc = 0;

	if (git_reflog_read(&log, repo, ref) < 0)
		return 0;
	n = git_reflog_entrycount(log);
	for (i = 0; rc == 0 && i < n; i++) {
		id = git_reflog_entry_id_new(git_reflog_entry_byindex(log, i));
		if (!git_oid_is_zero(id) && git_odb_exists(odb, id))
			rc = push_object(repo, pb, walk, odb, id);
	}
	git_reflog_free(log);
	return rc;
}

static int
push_refs(git_repository *repo, git_packbuilder *pb, git_revwalk *walk)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_odb *odb = NULL;
	git_oid head;
	int error;

	if (git_repository_odb(&odb, repo) < 0 || git_reference_iterator_new(&it, repo) < 0) {
		error = -1;
		goto out;
	}
	while ((error = git_reference_next(&ref, it)) == 0) {
		if (push_reflog(repo, pb, walk, odb, git_reference_name(ref)) < 0 ||
		    (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    push_object(repo, pb, walk, odb, git_reference_target(ref)) < 0))
			error = -1;
		git_reference_free(ref);
		if (error < 0)
			goto out;
	}
	if (error != GIT_ITEROVER || push_reflog(repo, pb, walk, odb, "HEAD") < 0) {
		error = -1;
		goto out;
	}
	/* A detached HEAD is no ref the iterator lists; an unborn one is nothing. */
	error = 0;
	if (git_reference_name_to_id(&head, repo, "HEAD") == 0)
		error = push_object(repo, pb, walk, odb, &head);
out:
	git_reference_iterator_free(it);
	git_odb_free(odb);
	return error;
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
pack_remove_leftovers_in(const char *gitdir, const char *clone_path)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (join(dir, gitdir, "objects/pack", 12, "") == -1 || (d = opendir(dir)) == NULL)
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
pack_remove_leftovers(git_repository *repo, const char *clone_path)
{
	pack_remove_leftovers_in(git_repository_path(repo), clone_path);
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
	    push_refs(repo, pb, walk) < 0 || git_packbuilder_insert_walk(pb, walk) < 0 ||
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
