/*
 * How far a mistyped word is from a known one, to suggest the one meant
 * ("unknown key BRANCHE; did you mean BRANCH?").
 */
#ifndef SENTRY_EDIT_DISTANCE_H
#define SENTRY_EDIT_DISTANCE_H

#include <stddef.h>

/* Words longer than this are never close to anything: the rows below
 * are arrays of this size, and no config key comes near it. */
#define EDIT_DISTANCE_MAX_WORD	64

/*
 * The number of edits (insert, delete or change a character, or swap
 * two neighbours) that turn a into b, ASCII case ignored; limit + 1 when
 * it is more than limit or a word is longer than EDIT_DISTANCE_MAX_WORD.
 */
size_t	edit_distance(const char *a, const char *b, size_t limit);

#endif
