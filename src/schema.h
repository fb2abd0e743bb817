/* schema.h — record types, their fields, labels in both languages, and the
 * rules that turn what a person typed into a canonical body.
 *
 * Field tags are part of the signed format: a tag, once shipped, keeps its
 * meaning forever and is never reused.  Keys are the data contract of
 * DOMAIN.md (command line, CSV headers, --json).
 *
 * The tables are static; every pointer returned here lives for the whole
 * program. */
#ifndef CZ_SCHEMA_H
#define CZ_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include "codec.h"
#include "status.h"

enum cz_ftype {
    CZ_F_LINE,     /* one line of text                     -> TEXT  */
    CZ_F_TEXT,     /* free text, may hold line breaks      -> TEXT  */
    CZ_F_INT,      /* whole number >= 0                    -> SINT  */
    CZ_F_YEAR,     /* 1949..2199                           -> SINT  */
    CZ_F_MONEY,    /* yuan, <= 2 decimals                  -> SINT fen */
    CZ_F_AREA,     /* mu, <= 2 decimals                    -> SINT hundredths of a mu */
    CZ_F_DECIMAL,  /* <= 2 decimals (jin, units)           -> SINT hundredths */
    CZ_F_DATE,     /* YYYY-MM-DD                           -> UINT YYYYMMDD */
    CZ_F_ENUM,     /* one of values, by key or label       -> TEXT key */
    CZ_F_SET,      /* several of values                    -> LIST keys */
    CZ_F_LIST,     /* comma-separated free items           -> LIST */
    CZ_F_REF,      /* another record's id                  -> BYTES 16 */
    CZ_F_VERSION,  /* one exact version (entry id)         -> BYTES 32 */
    CZ_F_IDNUM,    /* resident ID number, GB 11643         -> TEXT */
    CZ_F_PHONE,    /* digits, +, -, space                  -> TEXT */
    CZ_F_PLACE,    /* GB/T 2260 code prefix, 2..12 digits  -> TEXT */
    CZ_F_KEY,      /* a public key, 64 hex digits          -> BYTES 32 */
};

enum cz_fflag {
    CZ_FF_REQUIRED = 1 << 0,
    CZ_FF_DERIVED  = 1 << 1,  /* computed, never typed on a form */
    CZ_FF_NAME     = 1 << 2,  /* searchable by any part (find) */
    CZ_FF_EXACT    = 1 << 3,  /* indexed for exact look-up (numbers, ID numbers) */
    CZ_FF_REGION   = 1 << 4,  /* this place code is the record's region */
    CZ_FF_INHERIT  = 1 << 5,  /* region comes from the referenced record */
    CZ_FF_TITLE    = 1 << 6,  /* shown as the record's title in lists */
    CZ_FF_CODE     = 1 << 7,  /* a line or list that holds codes, not prose (cz_schema_folds) */
    /* Worked out from other records (a household's status from its exit
     * chain and return records, hhstatus.h), always with CZ_FF_DERIVED: a
     * value kept in a stored version is history only, and a new local
     * write refuses one (HINT_RECKONED). */
    CZ_FF_RECKONED = 1 << 8,
    /* About a person, never public (ID numbers and the birth date they
     * hold, phones, bank accounts, health): masked (cz_schema_mask) wherever nobody of this station
     * has logged in, and left out of notices, reports and prints. */
    CZ_FF_PRIVATE  = 1 << 9,
};

struct cz_enum_value { const char *key, *en, *zh; };

struct cz_field {
    const char *key;
    uint32_t tag;
    enum cz_ftype type;
    unsigned flags;
    const char *en, *zh;
    const struct cz_enum_value *values;   /* ENUM and SET; NULL-key terminated */
    const char *ref_type;                 /* REF: the type referred to (NULL: any) */
};

struct cz_type {
    const char *key, *en, *zh;
    const struct cz_field *fields;
    size_t nfields;
    int trust;          /* certificates and revocations: signed by the office root */
};

/* All types, in display order. */
const struct cz_type *cz_schema_types(size_t *count);
/* By key ("household") or either label ("贫困户", "Household"); NULL if none. */
const struct cz_type *cz_schema_type(const char *name);
/* By key or either label; NULL if none. */
const struct cz_field *cz_schema_field(const struct cz_type *t, const char *name);
const struct cz_field *cz_schema_field_by_tag(const struct cz_type *t, uint32_t tag);

const char *cz_label(const char *en, const char *zh, enum cz_lang lang);
/* Label of an enum value key, or the key itself when unknown. */
const char *cz_enum_label(const struct cz_field *f, const char *key, enum cz_lang lang);

/* What to tell a person whose value was refused. */
enum cz_hint {
    HINT_NONE, HINT_UNKNOWN_FIELD, HINT_REQUIRED, HINT_DERIVED, HINT_DERIVED_MISMATCH,
    HINT_TEXT, HINT_INT, HINT_YEAR, HINT_MONEY, HINT_DECIMAL, HINT_DATE, HINT_ENUM,
    HINT_ID_LENGTH, HINT_ID_CHARS, HINT_ID_DATE, HINT_ID_CHECK, HINT_PHONE, HINT_PLACE,
    HINT_REF, HINT_KEY, HINT_PRIMARY_CAUSE, HINT_EXISTS, HINT_REF_MISSING, HINT_REF_TYPE,
    HINT_REF_DELETED, HINT_REF_AMBIG, HINT_DATE_FUTURE, HINT_DERIVED_AMOUNT,
    HINT_REF_NUMBER_NONE, HINT_REF_NUMBER_AMBIG, HINT_PLACE_UNKNOWN, HINT_PLACE_OTHER,
    HINT_RECKONED,
    /* registry (household side): schema_registry.c */
    HINT_CAUSES_LIMIT, HINT_YEAR_RECENT, HINT_DATE_ORDER, HINT_DERIVED_SUM, HINT_MONTHS,
    HINT_CHANGE_LEAVE, HINT_CHANGE_JOIN, HINT_YEAR_TAKEN, HINT_MEMBER_OF,
    /* the village side and the exit (villrec.h) */
    HINT_YEAR_RECORD, HINT_DATE_BEFORE, HINT_MONITOR_WHO, HINT_DATE_YEAR, HINT_MONITOR_YEAR,
    HINT_MORE_THAN,
};

/* Why a value was refused: which field, the status, and a hint that says the
 * fix.  cz_field_error_message() writes it in the user's language. */
struct cz_field_error {
    const struct cz_field *field;   /* NULL when the field name is unknown */
    char name[64];                  /* what the person typed as the field name */
    int status;
    enum cz_hint hint;
    char detail[96];                /* e.g. the expected check character's rule */
};
/* Fills *err (when not NULL) and returns status. */
int cz_field_error_set(struct cz_field_error *err, const struct cz_field *f, int status,
                       enum cz_hint hint, const char *detail);
void cz_field_error_message(const struct cz_type *t, const struct cz_field_error *e,
                            enum cz_lang lang, char *buf, size_t size);
/* Only the hint of that message (what is wrong and the fix), without the
 * field's key and label: for a screen that shows it under the field. */
void cz_field_error_hint(const struct cz_type *t, const struct cz_field_error *e,
                         enum cz_lang lang, char *hint, size_t size);

/* True when what is typed into f is folded with NFKC (full-width digits,
 * letters and punctuation become ASCII: cz_text_normalize): numbers,
 * dates, codes, ID numbers, phones, places, enum values, ids, keys, and
 * lines or lists flagged CZ_FF_CODE (a household number).  Prose (the
 * other lines, texts and lists: names, addresses, notes, topics) is kept
 * as typed, NFC only (cz_text_prose).  FORMATS.md lists them. */
int cz_schema_folds(const struct cz_field *f);

/* True when setting f re-derives other fields (an ID number; a sale's
 * quantity and prices).  Callers applying several fields set these first. */
int cz_schema_derives(const struct cz_type *t, const struct cz_field *f);

/* Parse and normalise one FIELD=VALUE into body (an empty value removes the
 * field).  A derived field typed beside its source must agree with it
 * (checked in cz_schema_finish). */
int cz_schema_set(const struct cz_type *t, cz_body *body, const char *name,
                  const char *value, struct cz_field_error *err);

/* One FIELD=VALUE pair as typed. */
struct cz_assign { const char *field; const char *value; };
/* Splits "FIELD=VALUE" in place at its first '=' into *a, which then
 * points into kv.  CZ_EINVAL (kv untouched) when there is no '=' or no
 * field before it. */
int cz_assign_split(char *kv, struct cz_assign *a);

/* Several assignments, sources of derived values first (so the result does
 * not depend on the order they were typed in). */
int cz_schema_set_many(const struct cz_type *t, cz_body *body, const struct cz_assign *a, size_t n,
                       struct cz_field_error *err);

/* After all assignments: required fields present, derived values computed
 * (a member's sex and birth date from the ID number), cross-field rules
 * (primary cause among the causes).  `today` is YYYYMMDD. */
int cz_schema_finish(const struct cz_type *t, cz_body *body, uint32_t today,
                     struct cz_field_error *err);

/* A field's value for display and --json: money "12.50", dates "2016-03-05",
 * enum keys, lists comma-joined, references as hex.  Writes "" when absent.
 * Returns the kind found (0 when absent). */
int cz_schema_format(const struct cz_field *f, const cz_body *b, enum cz_lang lang,
                     int labels, char *buf, size_t size);

/* A private field's value (cz_schema_format's output, `clear`) as shown
 * to someone not logged in: an ID number keeps its last four characters,
 * a phone its first three and last four digits, a date (a member's birth
 * date, which with the last four would give the ID back) its year,
 * anything else is "***".
 * An empty value stays empty; a field not CZ_FF_PRIVATE is copied as is. */
void cz_schema_mask(const struct cz_field *f, const char *clear, char *buf, size_t size);
/* cz_schema_format, then cz_schema_mask when `masked`. */
int cz_schema_format_shown(const struct cz_field *f, const cz_body *b, enum cz_lang lang, int labels,
                           int masked, char *buf, size_t size);

/* Tests only: makes cz_schema_type() answer NULL for `key` (NULL: none
 * hidden), so a test can play an older build that lacks a type this one
 * knows (TRUST.md, Mixed builds).  Nothing else calls it. */
void cz_schema_test_hide(const char *key);

/* The record's title for lists: its first TITLE field, formatted. */
void cz_schema_title(const struct cz_type *t, const cz_body *b, char *buf, size_t size);

#endif
