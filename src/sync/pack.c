/*
 * Geometric repacking, as git's `repack --geometric=2 -d`: packs sorted by
 * their object counts must each hold at least twice the objects of the one
 * before; the small ones that break this progression are folded into one
 * pack, with as many of the larger ones as it takes for the new pack to be
 * at most half the next. A fetch adds a small pack and the next sync folds
 * it into the other small ones; the largest pack is rewritten only when
 * everything fetched since it was written weighs half as much as it does.
 * So after each sync the counts double from pack to pack, and a checkout
 * holds at most 2 + log2(objects) packs: 19 for 100,000 objects.
 *
 * The fold copies entries (pack_merge.c): it costs the bytes of the packs
 * folded, never a delta search. As git's --stdin-packs it leaves out what
 * the packs that stay already hold (the bases a thin fetch had appended),
 * writing whole the few objects whose delta base is there; every other
 * object they hold is kept, so whatever refs, reflogs, HEAD and tags
 * reach stays. Unreachable objects
 * stay too (as with git --geometric); libgit2 never expires a reflog, so
 * in a checkout nearly nothing is unreachable. The old packs are removed
 * only once the new one and its index are renamed into place and the
 * directory synced, so a kill at any moment leaves every object in some
 * pack, at worst twice.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git_error.h"
#include "log.h"
#include "pack.h"
#include "pack_merge.h"

#define PACK_SUFFIX	".pack"
/* git's --geometric=2: each pack at least twice the one before. */
#define GEOMETRIC_FACTOR	2

struct pack {
	char		 base[NAME_MAX + 1];	/* pack-<hex>, no suffix */
	uint32_t	 count;
};

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

/* The object count of base's index; UINT32_MAX when unreadable, and for a
 * pack kept by a .keep file, which git's repack leaves alone too. */
static uint32_t
pack_count(const char *dir, const char *base)
{
	unsigned char hdr[8 + 256 * 4];
	char path[PATH_MAX];
	ssize_t got;
	int fd;

	if (join(path, dir, base, NAME_MAX, ".keep") == -1 || access(path, F_OK) == 0 ||
	    join(path, dir, base, NAME_MAX, ".idx") == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return UINT32_MAX;
	got = read(fd, hdr, sizeof(hdr));
	close(fd);
	return got == (ssize_t)sizeof(hdr) ? pack_idx_count(hdr, sizeof(hdr)) : UINT32_MAX;
}

/* The packs that can be folded; -1 when the directory cannot be read. */
static int
list_packs(const char *dir, struct pack **out, size_t *n)
{
	struct pack *p = NULL, *q;
	struct dirent *de;
	size_t cap = 0, len;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!is_pack(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			if ((q = reallocarray(p, cap, sizeof(*p))) == NULL) {
				free(p);
				closedir(d);
				return -1;
			}
			p = q;
		}
		len = strlen(de->d_name) - strlen(PACK_SUFFIX);
		memcpy(p[*n].base, de->d_name, len);
		p[*n].base[len] = '\0';
		if ((p[*n].count = pack_count(dir, p[*n].base)) != UINT32_MAX)
			(*n)++;
	}
	closedir(d);
	*out = p;
	return 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct pack *x = a, *y = b;

	return x->count < y->count ? -1 : x->count > y->count;
}

/*
 * git's split (builtin/repack.c): from the largest down, the packs that
 * already form the progression; those below them go, and with them each
 * larger pack the new one would not be half of. Sorted ascending; returns
 * how many of the smallest to fold.
 */
static size_t
geometric_split(const struct pack *p, size_t n)
{
	uint64_t total = 0;
	size_t i, split;

	if (n == 0)
		return 0;
	for (i = n - 1; i > 0; i--)
		if (p[i].count < (uint64_t)GEOMETRIC_FACTOR * p[i - 1].count)
			break;
	split = i ? i + 1 : 0;
	for (i = 0; i < split; i++)
		total += p[i].count;
	for (; split < n && p[split].count < GEOMETRIC_FACTOR * total; split++)
		total += p[split].count;
	return split;
}

/* A folded pack's files, its index first: a pack without one is ignored,
 * an index without its pack is not. A multi-pack-index naming it is stale:
 * git and libgit2 work without one. */
static void
remove_pack(const char *dir, const char *base)
{
	static const char *const suffixes[] = { ".idx", ".rev", ".bitmap", ".mtimes",
	    PACK_SUFFIX };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (join(path, dir, base, NAME_MAX, suffixes[i]) == 0)
			unlink(path);
	if (join(path, dir, "multi-pack-index", NAME_MAX, "") == 0)
		unlink(path);
}

/* Temporaries: libgit2's pack_git2_* from a fetch killed mid-transfer,
 * ours from a repack killed before its renames, and a pack renamed whose
 * index was not yet; under the lock, any such file is a dead
 * predecessor's. */
static const char *
leftover(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (strncmp(name, "pack_git2_", 10) == 0)
		return "an interrupted fetch";
	if (strncmp(name, PACK_MERGE_TMP, strlen(PACK_MERGE_TMP)) == 0 ||
	    (is_pack(name) && join(path, dir, name, (int)(strlen(name) - strlen(PACK_SUFFIX)),
	    ".idx") == 0 && access(path, F_OK) == -1 && errno == ENOENT))
		return "an interrupted repack";
	return NULL;
}

void
pack_remove_leftovers_in(const char *gitdir, const char *clone_path)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	const char *by;
	DIR *d;

	if (join(dir, gitdir, "objects/pack", 12, "") == -1 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((by = leftover(dir, de->d_name)) == NULL)
			continue;
		if (join(path, dir, de->d_name, NAME_MAX, "") == 0 && unlink(path) == 0)
			log_notice("%s: removed %s, left by %s", clone_path, de->d_name, by);
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
	char dir[PATH_MAX], name[PACK_HEX_LEN + 1], why[256], **fold = NULL;
	git_odb *odb = NULL;
	struct pack *p = NULL;
	uint64_t objects = 0;
	size_t n, split, i;

	if (join(dir, git_repository_path(repo), "objects/pack", 12, "") == -1 ||
	    list_packs(dir, &p, &n) == -1)
		return;
	qsort(p, n, sizeof(*p), by_count);
	if ((split = geometric_split(p, n)) < 2)
		goto out;
	/* The largest first: a duplicate is kept from it. */
	if ((fold = calloc(n, sizeof(*fold))) == NULL || git_repository_odb(&odb, repo) < 0)
		goto out;
	for (i = 0; i < split; i++) {
		fold[i] = p[split - 1 - i].base;
		objects += p[i].count;
	}
	/* What the packs that stay hold is not copied (git's ^pack). */
	for (i = split; i < n; i++)
		fold[i] = p[i].base;
	if (pack_merge(dir, fold, split, fold + split, n - split, odb, name, why,
	    sizeof(why)) == -1) {
		log_warning("%s: repacking %zu of %zu packs failed, kept them: %s", clone_path,
		    split, n, why);
		goto out;
	}
	for (i = 0; i < split; i++)
		/* Folding packs whose objects one of them all holds gives it back. */
		if (strcmp(fold[i] + 5, name) != 0)
			remove_pack(dir, fold[i]);
	log_info("%s: repacked %zu of %zu packs (%llu objects) into one", clone_path, split, n,
	    (unsigned long long)objects);
out:
	git_odb_free(odb);
	free(fold);
	free(p);
}
