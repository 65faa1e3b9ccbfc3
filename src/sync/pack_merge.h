/*
 * One pack from several, by copying their entries as they are: no object
 * is inflated and no delta searched again, so the cost is the bytes
 * copied, and the pack is no larger than its parts less their duplicates.
 */
#ifndef SENTRY_PACK_MERGE_H
#define SENTRY_PACK_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#define PACK_HEX_LEN	40

/*
 * Writes into dir (an objects/pack directory) the pack of every object in
 * the packs named by base (each "pack-<hex>", without suffix) but those
 * the packs named by stay hold, and its index. An object in several is
 * taken from the first that holds it: put the largest first. An entry
 * whose delta base stays elsewhere is written whole, read from odb. The new pack is named pack-<hex of its checksum>, hex
 * returned in name; its pack file is renamed into place before its index,
 * and the directory synced, so a kill leaves either the old packs alone
 * usable or the new one too. Returns 0, or -1 with a reason in why; a
 * failure leaves only temporaries (PACK_MERGE_TMP*) behind.
 */
int	pack_merge(const char *dir, char *const base[], size_t n, char *const stay[],
	    size_t nstay, git_odb *odb, char name[PACK_HEX_LEN + 1], char *why,
	    size_t whylen);

/* The objects an index (version 2) names, from its mapped bytes; UINT32_MAX
 * for anything else. */
uint32_t	pack_idx_count(const unsigned char *idx, size_t len);

/* The prefix of pack_merge's temporary files. */
#define PACK_MERGE_TMP	"tmp_fold_"

#endif
