/* grow.h — the one way an array grows.  Every growable array in cunzhan
 * goes through cz_grow, so the size arithmetic is checked in one place: a
 * count read from a hostile file can ask for more than size_t holds, and a
 * hand-written `cap * 2 * sizeof` would wrap to a small buffer. */
#ifndef CZ_GROW_H
#define CZ_GROW_H

#include <stddef.h>

/* Makes room for at least `need` elements of `elem` bytes in *array, whose
 * room is *cap elements: doubles (from 16), or jumps to `need` when that is
 * more.  On success *array and *cap are updated and the elements already
 * there keep their values; new room is not zeroed.  CZ_ENOMEM when the
 * allocation fails or need * elem does not fit in a size_t; then *array
 * and *cap are unchanged (still owned by the caller).  `array` is a
 * pointer to the caller's pointer, e.g. cz_grow(&v, &cap, n + 1, sizeof *v). */
int cz_grow(void *array, size_t *cap, size_t need, size_t elem);

#endif
