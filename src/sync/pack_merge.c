/*
 * Merging packs by copying their entries, as git's pack-objects reuses
 * them: each entry's bytes (its compressed data, a delta stays a delta)
 * go into the new pack unchanged but for the delta's base reference. An
 * offset delta's distance to its base is recomputed, since the objects
 * between them may have gone (duplicates); one whose base went is made a
 * reference delta naming the base's id, which the new pack holds from the
 * pack that kept it. No cycle can form: an object kept from a pack either
 * has its base in the same pack, as it had, or in one earlier in base[],
 * whose kept objects in turn only point at that pack or earlier ones.
 * What a pack that stays holds is not copied; an entry whose base only
 * such a pack holds is written whole, read through libgit2, since a pack
 * on disk must hold its own bases.
 *
 * Every copied entry is checked against the CRC-32 its old index records,
 * so a damaged pack fails the merge rather than spreading into the new
 * one. Formats: git's Documentation/gitformat-pack.txt (pack version 2,
 * index version 2).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha1.h>
#include <zlib.h>

#include "git_error.h"
#include "pack_merge.h"

#define Z_WHOLE_LEVEL	Z_DEFAULT_COMPRESSION

#define OID_LEN		20
#define PACK_HDR	12
#define IDX_HDR		(8 + 256 * 4)
#define OBJ_OFS_DELTA	6
#define OBJ_REF_DELTA	7
#define NO_OFFSET	UINT64_MAX
#define OUT_BUF		(1 << 16)

struct entry {
	uint64_t	 off;
	uint32_t	 pos;		/* in the index's id order */
};

struct src {
	unsigned char	*idx, *pack;
	size_t		 idxlen, packlen;
	uint32_t	 n;
	const unsigned char *oids, *crcs, *offs, *large;
	size_t		 nlarge;
	struct entry	*byoff;		/* entries in pack order */
	uint64_t	*newoff;	/* by pos: in the new pack, or NO_OFFSET */
	uint32_t	*newcrc;	/* by pos */
	unsigned char	*keep;		/* by pos */
};

/* The packs that stay, and where to read an object whole. */
struct others {
	struct src	*s;
	size_t		 n;
	git_odb		*odb;
};

struct ref {
	uint32_t	 src, pos;
};

struct out {
	int		 fd;
	struct sha1_ctx	 sha;
	uint64_t	 pos;
	size_t		 len;
	unsigned char	 buf[OUT_BUF];
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int
map(const char *path, unsigned char **p, size_t *len)
{
	struct stat st;
	int fd;

	*p = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*len = (size_t)st.st_size;
	*p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*p == MAP_FAILED) {
		*p = NULL;
		return -1;
	}
	return 0;
}

uint32_t
pack_idx_count(const unsigned char *idx, size_t len)
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };

	if (len < IDX_HDR || memcmp(idx, magic, sizeof(magic)) != 0)
		return UINT32_MAX;
	return be32(idx + IDX_HDR - 4);
}

static uint64_t
entry_offset(const struct src *s, uint32_t pos)
{
	uint32_t v = be32(s->offs + 4 * (size_t)pos), i;
	const unsigned char *p;

	if (!(v & 0x80000000u))
		return v;
	if ((i = v & 0x7fffffffu) >= s->nlarge)
		return NO_OFFSET;
	p = s->large + 8 * (size_t)i;
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int
by_offset(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Maps an index. */
static int
idx_open(struct src *s, const char *dir, const char *base, char *why, size_t whylen)
{
	char path[PATH_MAX];
	size_t fixed;

	if (snprintf(path, sizeof(path), "%s/%s.idx", dir, base) >= (int)sizeof(path) ||
	    map(path, &s->idx, &s->idxlen) == -1) {
		snprintf(why, whylen, "%s.idx: %s", base, strerror(errno));
		return -1;
	}
	if ((s->n = pack_idx_count(s->idx, s->idxlen)) == UINT32_MAX) {
		snprintf(why, whylen, "%s.idx: not a version 2 index", base);
		return -1;
	}
	fixed = IDX_HDR + (size_t)s->n * (OID_LEN + 8) + 2 * OID_LEN;
	if (s->idxlen < fixed || (s->idxlen - fixed) % 8 != 0) {
		snprintf(why, whylen, "%s.idx: truncated", base);
		return -1;
	}
	s->oids = s->idx + IDX_HDR;
	s->crcs = s->oids + (size_t)s->n * OID_LEN;
	s->offs = s->crcs + (size_t)s->n * 4;
	s->large = s->offs + (size_t)s->n * 4;
	s->nlarge = (s->idxlen - fixed) / 8;
	return 0;
}

/* Maps one pack and its index and checks they agree. */
static int
src_open(struct src *s, const char *dir, const char *base, char *why, size_t whylen)
{
	char path[PATH_MAX];
	uint32_t i;

	if (idx_open(s, dir, base, why, whylen) == -1)
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s.pack", dir, base) >= (int)sizeof(path) ||
	    map(path, &s->pack, &s->packlen) == -1) {
		snprintf(why, whylen, "%s.pack: %s", base, strerror(errno));
		return -1;
	}
	if (s->packlen < PACK_HDR + OID_LEN || memcmp(s->pack, "PACK", 4) != 0 ||
	    (be32(s->pack + 4) != 2 && be32(s->pack + 4) != 3) || be32(s->pack + 8) != s->n ||
	    memcmp(s->pack + s->packlen - OID_LEN, s->large + s->nlarge * 8, OID_LEN) != 0) {
		snprintf(why, whylen, "%s.pack: does not match its index", base);
		return -1;
	}

	if ((s->byoff = calloc(s->n ? s->n : 1, sizeof(*s->byoff))) == NULL ||
	    (s->newoff = calloc(s->n ? s->n : 1, sizeof(*s->newoff))) == NULL ||
	    (s->newcrc = calloc(s->n ? s->n : 1, sizeof(*s->newcrc))) == NULL ||
	    (s->keep = calloc(s->n ? s->n : 1, 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		s->byoff[i].off = entry_offset(s, i);
		s->byoff[i].pos = i;
		s->newoff[i] = NO_OFFSET;
	}
	qsort(s->byoff, s->n, sizeof(*s->byoff), by_offset);
	for (i = 0; i < s->n; i++)
		if (s->byoff[i].off < PACK_HDR || s->byoff[i].off >= s->packlen - OID_LEN ||
		    (i > 0 && s->byoff[i].off == s->byoff[i - 1].off)) {
			snprintf(why, whylen, "%s.idx: a bad offset", base);
			return -1;
		}
	return 0;
}

/* Whether an index names id: its fan-out narrows the search. */
static int
idx_has(const struct src *s, const unsigned char *id)
{
	uint32_t lo = id[0] ? be32(s->idx + 8 + 4 * (size_t)(id[0] - 1)) : 0;
	uint32_t hi = be32(s->idx + 8 + 4 * (size_t)id[0]), mid;
	int c;

	if (hi > s->n)
		hi = s->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = memcmp(s->oids + (size_t)mid * OID_LEN, id, OID_LEN)) == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* In a pack that stays, so not to be copied (git's --stdin-packs ^pack). */
static int
staying(const struct others *x, const unsigned char *id)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (idx_has(&x->s[i], id))
			return 1;
	return 0;
}

static void
src_close(struct src *s)
{
	if (s->idx != NULL)
		munmap(s->idx, s->idxlen);
	if (s->pack != NULL)
		munmap(s->pack, s->packlen);
	free(s->byoff);
	free(s->newoff);
	free(s->newcrc);
	free(s->keep);
}

/* qsort_r: ids in order, and for one id the earliest pack first. */
static int
by_id(const void *a, const void *b, void *arg)
{
	const struct ref *x = a, *y = b;
	const struct src *s = arg;
	int c = memcmp(s[x->src].oids + (size_t)x->pos * OID_LEN,
	    s[y->src].oids + (size_t)y->pos * OID_LEN, OID_LEN);

	if (c != 0)
		return c;
	return x->src < y->src ? -1 : x->src > y->src;
}

static int
out_flush(struct out *o)
{
	size_t done = 0;
	ssize_t w;

	while (done < o->len) {
		if ((w = write(o->fd, o->buf + done, o->len - done)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	o->len = 0;
	return 0;
}

/* Appends bytes, hashed unless raw (the trailer itself). */
static int
out_put(struct out *o, const void *p, size_t n, int raw)
{
	const unsigned char *b = p;
	size_t k;

	if (!raw)
		sha1_update(&o->sha, n, b);
	o->pos += n;
	while (n > 0) {
		if (o->len == OUT_BUF && out_flush(o) == -1)
			return -1;
		k = OUT_BUF - o->len < n ? OUT_BUF - o->len : n;
		memcpy(o->buf + o->len, b, k);
		o->len += k;
		b += k;
		n -= k;
	}
	return 0;
}

static int
out_finish(struct out *o, unsigned char sum[OID_LEN])
{
	sha1_digest(&o->sha, OID_LEN, sum);
	if (out_put(o, sum, OID_LEN, 1) == -1 || out_flush(o) == -1 ||
	    fchmod(o->fd, 0444) == -1 || fsync(o->fd) == -1)
		return -1;
	return 0;
}

static uint32_t
crc(uint32_t c, const unsigned char *p, size_t n)
{
	return (uint32_t)crc32_z(c, p, n);
}

/*
 * An entry whose delta base stays in another pack: the object whole, as
 * git writes one whose base it cannot send; a pack must hold its bases.
 */
static int
write_whole(struct out *o, struct src *s, const struct entry *e, const struct others *x,
    char *why, size_t whylen)
{
	const unsigned char *id = s->oids + (size_t)e->pos * OID_LEN;
	unsigned char head[16], *z = NULL;
	git_odb_object *obj = NULL;
	git_oid oid;
	uLongf zlen;
	size_t len, hl = 1;
	int rc = -1;

	git_oid_fromraw(&oid, id);
	if (git_odb_read(&obj, x->odb, &oid) < 0) {
		snprintf(why, whylen, "%s: %s", git_oid_tostr_s(&oid), last_git_error());
		return -1;
	}
	len = git_odb_object_size(obj);
	head[0] = (unsigned char)(git_odb_object_type(obj) << 4 | (len & 0x0f));
	for (len >>= 4; len > 0; len >>= 7) {
		head[hl - 1] |= 0x80;
		head[hl++] = len & 0x7f;
	}
	len = git_odb_object_size(obj);
	zlen = compressBound((uLong)len);
	if ((z = malloc(zlen ? zlen : 1)) == NULL ||
	    compress2(z, &zlen, git_odb_object_data(obj), (uLong)len, Z_WHOLE_LEVEL) != Z_OK) {
		snprintf(why, whylen, "%s: cannot compress it", git_oid_tostr_s(&oid));
		goto out;
	}
	s->newoff[e->pos] = o->pos;
	s->newcrc[e->pos] = crc(crc(0, head, hl), z, zlen);
	if (out_put(o, head, hl, 0) == -1 || out_put(o, z, zlen, 0) == -1) {
		snprintf(why, whylen, "write: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(z);
	git_odb_object_free(obj);
	return rc;
}

/* One kept entry: its header, perhaps rewritten, then its data. */
static int
copy_entry(struct out *o, struct src *s, size_t j, const struct others *x, char *why,
    size_t whylen)
{
	const struct entry *e = &s->byoff[j], *b;
	struct entry key;
	uint64_t end = j + 1 < s->n ? s->byoff[j + 1].off : s->packlen - OID_LEN, rel;
	const unsigned char *raw = s->pack, *hdr = raw + e->off;
	unsigned char head[16 + OID_LEN], c;
	size_t p = e->off, hl, k, dl;
	uint32_t dcrc, type;

	do {
		if (p >= end || p - e->off >= 10)
			goto bad;
		c = raw[p++];
	} while (c & 0x80);
	type = hdr[0] >> 4 & 7;
	hl = p - e->off;
	memcpy(head, hdr, hl);
	if (type == OBJ_OFS_DELTA) {
		if (p >= end)
			goto bad;
		c = raw[p++];
		rel = c & 0x7f;
		while (c & 0x80) {
			if (p >= end || rel >= UINT64_MAX >> 8)
				goto bad;
			c = raw[p++];
			rel = ((rel + 1) << 7) | (c & 0x7f);
		}
		if (rel == 0 || rel > e->off - PACK_HDR)
			goto bad;
		key.off = e->off - rel;
		if ((b = bsearch(&key, s->byoff, j, sizeof(*b), by_offset)) == NULL)
			goto bad;
		if (!s->keep[b->pos] && staying(x, s->oids + (size_t)b->pos * OID_LEN))
			return write_whole(o, s, e, x, why, whylen);
		if (s->keep[b->pos]) {
			/* Written before this one: a base precedes its delta. */
			unsigned char ofs[16];

			rel = o->pos - s->newoff[b->pos];
			k = sizeof(ofs) - 1;
			ofs[k] = rel & 0x7f;
			while (rel >>= 7)
				ofs[--k] = 0x80 | (--rel & 0x7f);
			memcpy(head + hl, ofs + k, sizeof(ofs) - k);
			hl += sizeof(ofs) - k;
		} else {
			head[0] = (unsigned char)((head[0] & 0x8f) | OBJ_REF_DELTA << 4);
			memcpy(head + hl, s->oids + (size_t)b->pos * OID_LEN, OID_LEN);
			hl += OID_LEN;
		}
	}
	if (type == OBJ_REF_DELTA) {
		if (end - p < OID_LEN)
			goto bad;
		if (staying(x, raw + p))
			return write_whole(o, s, e, x, why, whylen);
	}
	dl = (size_t)(end - p);
	dcrc = crc(0, raw + p, dl);
	if ((uint32_t)crc32_combine(crc(0, hdr, p - e->off), dcrc, (z_off_t)dl) !=
	    be32(s->crcs + 4 * (size_t)e->pos)) {
		snprintf(why, whylen, "the entry at %llu fails its CRC", (unsigned long long)e->off);
		return -1;
	}
	s->newoff[e->pos] = o->pos;
	s->newcrc[e->pos] = (uint32_t)crc32_combine(crc(0, head, hl), dcrc, (z_off_t)dl);
	if (out_put(o, head, hl, 0) == -1 || out_put(o, raw + p, dl, 0) == -1) {
		snprintf(why, whylen, "write: %s", strerror(errno));
		return -1;
	}
	return 0;
bad:
	snprintf(why, whylen, "the entry at %llu is malformed", (unsigned long long)e->off);
	return -1;
}

static int
write_index(struct out *o, struct src *s, const struct ref *r, size_t nr, uint32_t kept,
    const unsigned char packsum[OID_LEN])
{
	static const unsigned char magic[8] = { 0xff, 't', 'O', 'c', 0, 0, 0, 2 };
	unsigned char b[8], sum[OID_LEN];
	uint32_t fan[256] = { 0 }, nlarge = 0, i;
	size_t k;

	for (k = 0; k < nr; k++)
		if (s[r[k].src].keep[r[k].pos])
			fan[s[r[k].src].oids[(size_t)r[k].pos * OID_LEN]]++;
	for (i = 1; i < 256; i++)
		fan[i] += fan[i - 1];
	if (fan[255] != kept)
		return -1;
	if (out_put(o, magic, sizeof(magic), 0) == -1)
		return -1;
	for (i = 0; i < 256; i++) {
		put32(b, fan[i]);
		if (out_put(o, b, 4, 0) == -1)
			return -1;
	}
	/* Ids, CRCs, offsets, large offsets: four passes in id order. */
	for (k = 0; k < nr; k++)
		if (s[r[k].src].keep[r[k].pos] &&
		    out_put(o, s[r[k].src].oids + (size_t)r[k].pos * OID_LEN, OID_LEN, 0) == -1)
			return -1;
	for (k = 0; k < nr; k++) {
		if (!s[r[k].src].keep[r[k].pos])
			continue;
		put32(b, s[r[k].src].newcrc[r[k].pos]);
		if (out_put(o, b, 4, 0) == -1)
			return -1;
	}
	for (k = 0; k < nr; k++) {
		uint64_t off = s[r[k].src].newoff[r[k].pos];

		if (!s[r[k].src].keep[r[k].pos])
			continue;
		put32(b, off < 0x80000000u ? (uint32_t)off : 0x80000000u | nlarge++);
		if (out_put(o, b, 4, 0) == -1)
			return -1;
	}
	for (k = 0; k < nr; k++) {
		uint64_t off = s[r[k].src].newoff[r[k].pos];

		if (!s[r[k].src].keep[r[k].pos] || off < 0x80000000u)
			continue;
		put32(b, (uint32_t)(off >> 32));
		put32(b + 4, (uint32_t)off);
		if (out_put(o, b, 8, 0) == -1)
			return -1;
	}
	if (out_put(o, packsum, OID_LEN, 0) == -1)
		return -1;
	return out_finish(o, sum);
}

static int
tmp_open(struct out *o, const char *dir, char *path, size_t len)
{
	if (snprintf(path, len, "%s/" PACK_MERGE_TMP "XXXXXX", dir) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((o->fd = mkostemp(path, O_CLOEXEC)) == -1) {
		*path = '\0';
		return -1;
	}
	sha1_init(&o->sha);
	o->pos = 0;
	o->len = 0;
	return 0;
}

/* Every object of every pack in id order; the first copy of each kept. */
static struct ref *
mark_kept(struct src *s, size_t n, size_t nr, const struct others *x, uint32_t *kept)
{
	struct ref *r;
	size_t i, j, k;

	if ((r = calloc(nr ? nr : 1, sizeof(*r))) == NULL)
		return NULL;
	for (i = 0, k = 0; i < n; i++)
		for (j = 0; j < s[i].n; j++) {
			r[k].src = (uint32_t)i;
			r[k++].pos = (uint32_t)j;
		}
	qsort_r(r, nr, sizeof(*r), by_id, s);
	for (k = 0, *kept = 0; k < nr; k++)
		if ((k == 0 || memcmp(s[r[k - 1].src].oids + (size_t)r[k - 1].pos * OID_LEN,
		    s[r[k].src].oids + (size_t)r[k].pos * OID_LEN, OID_LEN) != 0) &&
		    !staying(x, s[r[k].src].oids + (size_t)r[k].pos * OID_LEN)) {
			s[r[k].src].keep[r[k].pos] = 1;
			(*kept)++;
		}
	return r;
}

/* The pack first: an index without its pack would name objects nowhere,
 * a pack without its index is ignored. Each temporary renamed is emptied. */
static int
install(const char *dir, char *tpack, char *tidx, const unsigned char sum[OID_LEN],
    char name[PACK_HEX_LEN + 1], char *why, size_t whylen)
{
	char path[PATH_MAX];
	int dfd, rc;
	size_t i;

	for (i = 0; i < OID_LEN; i++)
		snprintf(name + 2 * i, 3, "%02x", sum[i]);
	if (snprintf(path, sizeof(path), "%s/pack-%s.pack", dir, name) >= (int)sizeof(path) ||
	    rename(tpack, path) == -1) {
		snprintf(why, whylen, "rename: %s", strerror(errno));
		return -1;
	}
	*tpack = '\0';
	if (snprintf(path, sizeof(path), "%s/pack-%s.idx", dir, name) >= (int)sizeof(path) ||
	    rename(tidx, path) == -1) {
		snprintf(why, whylen, "rename: %s", strerror(errno));
		return -1;
	}
	*tidx = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((rc = fsync(dfd)) == -1)
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
	close(dfd);
	return rc;
}

static int
others_open(struct others *x, const char *dir, char *const stay[], size_t nstay, git_odb *odb,
    char *why, size_t whylen)
{
	x->odb = odb;
	x->n = 0;
	if ((x->s = calloc(nstay + 1, sizeof(*x->s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (; x->n < nstay; x->n++)
		if (idx_open(&x->s[x->n], dir, stay[x->n], why, whylen) == -1)
			return -1;
	return 0;
}

static void
others_close(struct others *x)
{
	size_t i;

	for (i = 0; x->s != NULL && i <= x->n; i++)
		src_close(&x->s[i]);
	free(x->s);
}

int
pack_merge(const char *dir, char *const base[], size_t n, char *const stay[], size_t nstay,
    git_odb *odb, char name[PACK_HEX_LEN + 1], char *why, size_t whylen)
{
	struct others x = { NULL, 0, NULL };
	char tpack[PATH_MAX] = "", tidx[PATH_MAX] = "";
	unsigned char hdr[PACK_HDR], packsum[OID_LEN];
	struct src *s = NULL;
	struct ref *r = NULL;
	struct out *o = NULL;
	size_t i, j, nr = 0;
	uint32_t kept = 0;
	int rc = -1;

	*why = '\0';
	if ((s = calloc(n, sizeof(*s))) == NULL || (o = malloc(sizeof(*o))) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	o->fd = -1;
	if (others_open(&x, dir, stay, nstay, odb, why, whylen) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (src_open(&s[i], dir, base[i], why, whylen) == -1)
			goto out;
		if ((nr += s[i].n) > UINT32_MAX) {
			snprintf(why, whylen, "too many objects");
			goto out;
		}
	}
	if ((r = mark_kept(s, n, nr, &x, &kept)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}

	if (tmp_open(o, dir, tpack, sizeof(tpack)) == -1) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	memcpy(hdr, "PACK", 4);
	put32(hdr + 4, 2);
	put32(hdr + 8, kept);
	if (out_put(o, hdr, sizeof(hdr), 0) == -1) {
		snprintf(why, whylen, "write: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].n; j++)
			if (s[i].keep[s[i].byoff[j].pos] &&
			    copy_entry(o, &s[i], j, &x, why, whylen) == -1) {
				size_t l = strlen(why);

				snprintf(why + l, whylen - l, " in %s", base[i]);
				goto out;
			}
	if (out_finish(o, packsum) == -1 || close(o->fd) == -1) {
		o->fd = -1;
		snprintf(why, whylen, "write: %s", strerror(errno));
		goto out;
	}
	o->fd = -1;
	if (tmp_open(o, dir, tidx, sizeof(tidx)) == -1 ||
	    write_index(o, s, r, nr, kept, packsum) == -1 || close(o->fd) == -1) {
		o->fd = -1;
		snprintf(why, whylen, "the index: %s", strerror(errno));
		goto out;
	}
	o->fd = -1;

	if (install(dir, tpack, tidx, packsum, name, why, whylen) == -1)
		goto out;
	rc = 0;
out:
	if (o != NULL && o->fd != -1)
		close(o->fd);
	if (*tpack != '\0')
		unlink(tpack);
	if (*tidx != '\0')
		unlink(tidx);
	for (i = 0; s != NULL && i < n; i++)
		src_close(&s[i]);
	others_close(&x);
	free(r);
	free(o);
	free(s);
	return rc;
}
