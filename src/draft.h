/* draft.h — a form's unsaved content, kept on disk so a power cut does not
 * lose what a person typed.  Drafts live in DIR/drafts/ beside DIR/db (never
 * in LMDB, never signed); they are local scratch, not records.
 *
 * A draft is one person's: it lives in DIR/drafts/<person>/, <person> the
 * 64 hex digits of the logged-in person's public key, and names them
 * inside too, so a second person opening the same form is never offered
 * (nor signs) another's typing.
 *
 * File format (UTF-8 text, one item a line, strict):
 *
 *     cunzhan-draft 2
 *     person <64 hex digits: the person's public key>
 *     type <record type key>
 *     entity <32 hex digits, or "new">
 *     saved <unix seconds>
 *     field <field key> <value, escaped: \\ \n \t \r>
 *     ...
 *     end
 *
 * A file without the magic line is CZ_EMAGIC, another version CZ_EVERSION,
 * one missing the final "end" line CZ_ETRUNC, anything else out of shape
 * CZ_ECANON.  A draft that fails to read is ignored by the screens.
 * Drafts of the first format (version 1, directly in DIR/drafts/, naming
 * nobody) cannot be told apart by person: they are offered to nobody and
 * kept (a person who typed one can still read the file), and the sweep
 * removes them with their record like any other. */
#ifndef CZ_DRAFT_H
#define CZ_DRAFT_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "store.h"

#define CZ_DRAFT_VERSION 2
#define CZ_DRAFT_MAX (256 * 1024)   /* a draft larger than this is refused */

struct cz_draft_field { char *key, *value; };

struct cz_draft {
    char person[65];                        /* hex of the person's public key */
    char type[CZ_TYPE_MAX + 1];
    char entity[2 * CZ_ENTITY_BYTES + 1];   /* hex, or "new" */
    int64_t saved;
    struct cz_draft_field *f;               /* owned; free with cz_draft_free */
    size_t n, cap;                          /* cap: room in f (cz_draft_add) */
};

/* The path of a person's draft of a form:
 * DIR/drafts/<person hex>/<type>-<entity hex>.draft, or for a new record
 * <type>-new.draft (<type>-new-<parent hex>.draft when opened under a
 * parent).  *out malloc'd. */
int cz_draft_path(const char *dir, const uint8_t person[32], const char *type, const uint8_t *entity,
                  const uint8_t *parent, char **out);

/* Each draft of this person that reads whole and names them: its path,
 * its content, the record's entity (NULL for a new record) and, for a new
 * record under a parent, the parent (else NULL); all valid during the
 * call only.  A non-zero return stops the
 * walk and is returned.  No drafts folder: CZ_OK. */
typedef int (*cz_draft_fn)(void *ctx, const char *path, const struct cz_draft *d, const uint8_t *entity,
                           const uint8_t *parent);
int cz_draft_list(const char *dir, const uint8_t person[32], cz_draft_fn fn, void *ctx);

/* Adds a field (copies key and value). */
int cz_draft_add(struct cz_draft *d, const char *key, const char *value);
/* The value of key, or NULL. */
const char *cz_draft_get(const struct cz_draft *d, const char *key);
void cz_draft_free(struct cz_draft *d);

/* Serialises d; *out malloc'd, *len its length. */
int cz_draft_encode(const struct cz_draft *d, char **out, size_t *len);
/* Parses a draft file's bytes into *d (zeroed first; freed on failure). */
int cz_draft_decode(const char *buf, size_t len, struct cz_draft *d);

/* Atomic write: the drafts folder is made if missing, then a temp file in
 * it is written, fsynced and renamed over path, and the folder fsynced. */
int cz_draft_write(const char *path, const struct cz_draft *d);
/* CZ_ENOTFOUND when there is no draft; a decode status when malformed. */
int cz_draft_read(const char *path, struct cz_draft *d);
/* Removes the draft (CZ_OK when there was none). */
int cz_draft_remove(const char *path);

/* Removes the drafts whose form can never open again, so that the personal
 * data typed into them does not stay on disk for ever: the screens call it
 * at start-up (catching deletions made by the command line or imported
 * while they were closed), after an import, and after a deletion signed in
 * them.  A draft goes when every current head of its record is a tombstone:
 *     <type>-<entity>.draft        the record <entity> is deleted;
 *     <type>-new-<parent>.draft    the record <parent> (a household) it
 *                                  was being added under is deleted: that
 *                                  form opens only from a live household.
 * Both the person folders and the drafts of the first format directly in
 * DIR/drafts/ are swept.  Kept: <type>-new.draft (a new record not stored yet); a draft whose
 * record has a live head, even when the provisional view is a deletion (a
 * deletion concurrent with an edit is a conflict a person may resolve
 * either way); a draft whose record this store does not hold (after a
 * restore it may yet arrive); and every file not named as above (temp
 * files, dot files, anything else).  Only file names and the store are
 * read, one read transaction; the folder is fsynced after a removal.
 * *removed (may be NULL) counts the drafts removed.  A missing drafts
 * folder is CZ_OK.  On an error the sweep goes on with the other drafts
 * and returns the first error (CZ_EIO for a file that would not go). */
int cz_draft_sweep(const char *dir, cz_store *store, size_t *removed);

#endif
