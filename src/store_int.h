/* store_int.h — inside the store: what its two files (store.c: the
 * environment, transactions and small tables; store_entry.c: entries,
 * logs, forks, versions, heads, judged) share with each other and with the
 * index (index.c), which keeps the store's index table.
 *
 * Nothing else includes it: the rest of cunzhan sees the store through
 * store.h and index.h, and never LMDB.  Pointers into MDB data hold until
 * the transaction ends, as store.h says. */
#ifndef CZ_STORE_INT_H
#define CZ_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include "store.h"

enum cz_db { CZ_DB_META, CZ_DB_USERS, CZ_DB_ENTRIES, CZ_DB_LOGS, CZ_DB_FORKS, CZ_DB_VERSIONS,
             CZ_DB_CHILDREN, CZ_DB_HEADS, CZ_DB_INDEX, CZ_DB_SEEN, CZ_DB_PEERS,
             CZ_DB_JUDGED, CZ_DB_COUNT };

struct cz_store {
    MDB_env *env;
    MDB_dbi dbi[CZ_DB_COUNT];
    int last_mdb_error;
    char *dir;
    /* The map may only be resized while this process has no transaction
     * open (mdb_env_set_mapsize), and transactions live on several threads
     * (an export takes its sequence number on one while it reads on
     * another): mu guards the count and the wish to grow. */
    pthread_mutex_t mu;
    int txns;                 /* transactions open in this process */
    int grow;                 /* a write ran out of map: grow once txns is 0 */
    int broken;               /* the map could not be made again: unusable */
    size_t map, map_max;
};

struct cz_txn {
    cz_store *s;
    MDB_txn *txn;
    int write;
    /* Writes a module keeps back and puts later, in one sweep (the index's
     * deferred terms, index.c): flush puts them, and runs before the
     * commit; pending_free lets them go when the transaction ends.  The
     * store itself knows nothing of what they are. */
    void *pending;
    int (*flush)(cz_txn *t);
    void (*pending_free)(void *pending);
    uint64_t puts;                        /* entries put so far (cz_txn_puts) */
    void *aux;                            /* cz_txn_set_aux: freed with t */
    void (*aux_free)(void *);
};

/* An LMDB code as a status, by cause; a full map also asks for the map to
 * grow (store.h).  The LMDB code is kept for cz_store_last_error. */
int cz_mdb_status(cz_store *s, int rc);
#define CZ_ST(t, rc) cz_mdb_status((t)->s, (rc))

static inline MDB_val cz_val(const void *p, size_t n)
{
    return (MDB_val){ .mv_size = n, .mv_data = (void *)p };
}

/* Every record of table db; fn returning non-zero stops with that value. */
int cz_db_walk(cz_txn *t, enum cz_db db, cz_raw_fn fn, void *ctx);
/* Every duplicate under one key of a DUPSORT table, in order; fn returning
 * non-zero stops with that value. */
int cz_db_each_dup(cz_txn *t, enum cz_db db, const void *key, size_t klen, cz_id_fn fn, void *ctx);
/* How many duplicates one key of a DUPSORT table holds (0: none). */
int cz_db_dup_count(cz_txn *t, enum cz_db db, const void *key, size_t klen, size_t *count);
/* An entity's heads in the order of their ids (cz_store_heads puts the
 * winner first). */
int cz_store_each_head(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], cz_id_fn fn, void *ctx);

/* Storing an entry, in the steps the index (index.c) puts its own between.
 *
 * The entry's bytes and its log position.  *result CZ_PUT_NEW when both
 * are new, CZ_PUT_DUPLICATE when the entry was here, CZ_PUT_FORK when
 * another entry holds its position (both kept in forks as proof). */
int cz_store_put_logged(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                        int *result);
/* The entry as a version of its entity: versions, children and heads.
 * *first: it is the entity's first version (no heads before it, no old
 * index terms); *head: it is a head now (no child of it arrived first). */
int cz_store_add_version(cz_txn *t, const struct cz_entry *e, const uint8_t id[CZ_ID_BYTES],
                         int *first, int *head);
/* A store of format 1 listed every entity's heads; format 2 lists them
 * only for entities of more than one version (store_entry.c).  For one
 * entity of a format 1 store: its list goes when it names its one version,
 * and says none (HEAD_NONE) when it is empty. */
int cz_store_heads_format1(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES]);
/* Takes a held entry out of judged, before it is applied. */
int cz_store_judged_del(cz_txn *t, const uint8_t id[CZ_ID_BYTES]);

#endif
