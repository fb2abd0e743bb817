/* query.h — reading records: the current view of one record, its history,
 * lists by type with filters, and find by any part of a name, a household
 * number or an ID number.  Everything works inside a read transaction. */
#ifndef CZ_QUERY_H
#define CZ_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "entry.h"
#include "history.h"
#include "schema.h"
#include "store.h"

/* The current view of a record: its winning head (newest clock, then
 * highest origin; history.h), merged with any concurrent ones (merge.h).
 * `body` is owned by the record (NULL when deleted); release with
 * cz_record_clear. */
struct cz_record {
    uint8_t entity[CZ_ENTITY_BYTES];
    uint8_t id[CZ_ID_BYTES];
    size_t nheads;               /* > 1: unresolved concurrent versions */
    const struct cz_type *type;  /* NULL for a type this build does not know */
    char type_key[CZ_TYPE_MAX + 1];
    char region[CZ_REGION_MAX + 1];
    int deleted;
    uint8_t origin[32];
    uint64_t seq, hlc;
    int64_t wall;
    cz_body *body;
};
int cz_record_load(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], struct cz_record *r);
void cz_record_clear(struct cz_record *r);

/* A record's versions are history.h's (cz_record_history): included
 * here, as reading a record is where callers meet them. */

typedef int (*cz_entity_fn)(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES]);

/* Live records of a type whose fields equal the filters (values as typed,
 * normalised like add: `status=未脱贫` and `status=poor` match alike).  On a
 * bad filter, *err names it. */
int cz_query_list(cz_txn *t, const struct cz_type *type, const struct cz_assign *filters,
                  size_t n, cz_entity_fn fn, void *ctx, struct cz_field_error *err);

/* Records whose name contains `text` (after folding: full-width, case and
 * spaces do not matter), whose household number or ID number is `text`,
 * whose household number holds it (3 characters or more: `0012`, `yy-3`),
 * whose phone holds its digits (4 or more), or whose name's pinyin or
 * initials start with it (王秀英: `wangxiuying`, `Wang Xiuying`, `wangx`,
 * `wxy`; surnames read as surnames, pinyin.h).  Each entity is reported
 * once. */
int cz_query_find(cz_txn *t, const char *text, cz_entity_fn fn, void *ctx);
/* The same without looking in private fields (schema.h, CZ_FF_PRIVATE:
 * ID numbers, phones): for a reader not logged in, to whom a match would
 * tell what the masking hides. */
int cz_query_find_public(cz_txn *t, const char *text, cz_entity_fn fn, void *ctx);

/* The same, for a screen: reports at most `limit` records and stops
 * loading there.  *total is how many records match: exact (*exact = 1) for
 * a query of one or two characters or when everything fit; otherwise those
 * past the page were only checked against the index (every two-character
 * part of the query), not loaded, so *total is at most that (*exact = 0).
 * Costs the page's record loads plus one index look-up per candidate. */
#define CZ_QUERY_PAGE 200
int cz_query_find_page(cz_txn *t, const char *text, size_t limit, cz_entity_fn fn, void *ctx,
                       size_t *total, int *exact);

/* The first `limit` live records of a type in the order of one exact field
 * (e.g. households by number), and how many live records of the type there
 * are (*total).  Records missing that field are not walked. */
int cz_query_first(cz_txn *t, const struct cz_type *type, const char *field, size_t limit,
                   cz_entity_fn fn, void *ctx, size_t *total);

#endif
