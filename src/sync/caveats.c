/*
 * One walk of the commit's tree, or of the index that holds it:
 * gitlinks (mode 160000) are submodules; a .gitattributes that names
 * filter=lfs marks LFS pointer files. Only the attributes files are
 * read, not the blobs they describe.
 */
#include <string.h>

#include "caveats.h"
#include "log.h"

struct found {
	git_repository	*repo;
	int		 submodules, lfs;
};

static int
has_lfs(git_repository *repo, const git_oid *id)
{
	git_blob *blob;
	const char *p, *end;
	int found = 0;

	if (git_blob_lookup(&blob, repo, id) < 0)
		return 0;
	p = git_blob_rawcontent(blob);
	end = p + git_blob_rawsize(blob);
	/* memmem: the blob is bytes, not a string. */
	found = memmem(p, (size_t)(end - p), "filter=lfs", 10) != NULL;
	git_blob_free(blob);
	return found;
}

static int
visit(const char *root, const git_tree_entry *e, void *payload)
{
	struct found *f = payload;

	(void)root;
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_COMMIT)
		f->submodules = 1;
	else if (!f->lfs && git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    strcmp(git_tree_entry_name(e), ".gitattributes") == 0)
		f->lfs = has_lfs(f->repo, git_tree_entry_id(e));
	return 0;
}

static void
say(const struct found *f, const char *clone_path)
{
	if (f->submodules || f->lfs)
		log_notice("%s: the tree has %s%s%s, checked out as they are in Git: %s "
		    "(see CAVEATS in sentry-source(8))", clone_path,
		    f->submodules ? "submodules" : "", f->submodules && f->lfs ? " and " : "",
		    f->lfs ? "Git LFS files" : "",
		    f->submodules && f->lfs ? "empty directories and pointer files" :
		    f->submodules ? "empty directories" : "pointer files");
}

void
caveats_log(git_repository *repo, const git_oid *commit_id, const char *clone_path,
    int submodules_written)
{
	struct found f = { repo, 0, 0 };
	git_commit *commit = NULL;
	git_tree *tree = NULL;

	if (git_commit_lookup(&commit, repo, commit_id) == 0 &&
	    git_commit_tree(&tree, commit) == 0 &&
	    git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &f) == 0) {
		/* Written submodules are no caveat. */
		if (submodules_written)
			f.submodules = 0;
		say(&f, clone_path);
	}
	git_tree_free(tree);
	git_commit_free(commit);
}

/* The index is in memory already, and holds each path with its mode:
 * no tree is read, and the only blobs read are the attributes files. */
void
caveats_log_index(git_repository *repo, const char *clone_path, int submodules_written)
{
	struct found f = { repo, 0, 0 };
	const git_index_entry *e;
	const char *slash, *name;
	git_index *index;
	size_t i, n;

	if (git_repository_index(&index, repo) < 0)
		return;
	n = git_index_entrycount(index);
	for (i = 0; i < n && !(f.submodules && f.lfs); i++) {
		if ((e = git_index_get_byindex(index, i)) == NULL)
			continue;
		name = (slash = strrchr(e->path, '/')) != NULL ? slash + 1 : e->path;
		if (e->mode == GIT_FILEMODE_COMMIT)
			f.submodules = 1;
		else if (!f.lfs && (e->mode == GIT_FILEMODE_BLOB ||
		    e->mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
		    strcmp(name, ".gitattributes") == 0)
			f.lfs = has_lfs(repo, &e->id);
	}
	git_index_free(index);
	if (submodules_written)
		f.submodules = 0;
	say(&f, clone_path);
}
