/* sync.h — exporting to and importing from a stick: which peers a station
 * writes for, what each bundle holds (scoped by jurisdiction, incremental
 * against the peer's acknowledged version vector), and the import of one
 * bundle: verified whole first, then applied in bounded transactions; one
 * cut short is completed by importing it again (FORMATS.md, Bundles).  peers.c, export*.c and
 * import*.c implement it.
 *
 * Export and import need a login: export signs the header with the person's
 * key; import opens the file key with the station's box key. */
#ifndef CZ_SYNC_H
#define CZ_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"
#include "station.h"

/* A station bundles are written for.  A village station writes for the
 * office; the office for every station it has enrolled (a `cert` of kind
 * station names its box key, and its region is the jurisdiction). */
struct cz_peer {
    uint8_t box[32];
    char name[CZ_NAME_MAX];
    char region[CZ_REGION_MAX + 1];   /* "" for the office: everything */
};
/* *out malloc'd (caller frees). */
int cz_sync_peers(cz_station *st, struct cz_peer **out, size_t *n);

struct cz_export_result {
    char path[4096];
    size_t entries;          /* entries in the bundle */
    size_t skipped_scope;    /* held here but outside the peer's jurisdiction */
    size_t skipped_pending;  /* the office's: signed by keys not yet certified (never forwarded) */
    size_t bytes;
    uint64_t seq;
    /* Nothing written: no entry to send and the vector this station would
     * send is the one it sent last time (path is ""; never with full). */
    int nothing_new;
    size_t swept;            /* stale temp files removed from our sender folder */
    size_t superseded;       /* our older bundles for this peer removed (export_basis.c) */
};
/* Writes one bundle for peer onto the stick, then tidies this station's
 * sender folder for the peer (CLI.md, "A stick is a mailbag"): stale temp
 * files are swept and older bundles the new one supersedes are removed.
 * full: ignore the peer's acknowledgement and send everything in its
 * jurisdiction (always writes a bundle, and supersedes every older one). */
int cz_sync_export(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                   struct cz_export_result *res);

/* What happened to one bundle.  status: CZ_OK (applied), CZ_ESEEN (a
 * replay: nothing changed), CZ_ENOTFORUS (left for its recipient), or the
 * reason it was refused whole (nothing changed: every such reason is found
 * before anything is applied). */
struct cz_import_result {
    int status;
    uint8_t id[CZ_ID_BYTES];
    uint8_t sender_box[32], signer[32];
    uint64_t seq;
    size_t fresh, duplicate, pending, forks, refused;
    /* Entries held until a record they name arrives (authz.h), and
     * entries an earlier bundle left held that this one let in (counted
     * in fresh too). */
    size_t held, released;
    /* New entries whose clock is more than a day ahead of ours: accepted,
     * but our clock does not follow them (a persisted future timestamp
     * cannot be undone). */
    size_t clock_ahead;
    /* The header's signer is a certified person of the sending station
     * (or the office's): only then was the bundle's version vector taken
     * as that station's acknowledgement (merged: it never moves back, and
     * covers only what this station holds).  0: the entries were judged
     * one by one, the vector ignored; entries of keys not yet certified
     * were kept pending (bounded) only when the signer is the sending
     * station's own pending person or the station is not enrolled yet,
     * else refused (CZ_EUNCERT) but for key announcements. */
    int sender_trusted;
    /* The bundle brought a root rollover that counts: this station now
     * pins `root` (roster.h). */
    int root_changed;
    uint8_t root[32];
    /* This import completed one that was cut short (cz_sync_unfinished):
     * what the first one stored counts as duplicate. */
    int resumed;
    /* With a local failure: part of the bundle was committed and the
     * import is noted as unfinished; importing the bundle again completes
     * it. */
    int unfinished;
    /* Refused (CZ_EREVOKED) though an earlier import of it was cut short:
     * it can never be completed, so its note is removed; what that import
     * stored stays, judged by the rules as any stored entry. */
    int abandoned;
};
/* Told of each entry refused on its own (outside the author's role or
 * jurisdiction, revoked, broken chain); the rest of the bundle is applied. */
typedef void (*cz_refused_fn)(void *ctx, const uint8_t id[CZ_ID_BYTES], const uint8_t origin[32], int why);

/* Imports one bundle file image.  Returns CZ_OK when res->status says what
 * happened; another status only for local failures (disk, memory). */
int cz_sync_import(cz_station *st, const uint8_t *buf, size_t len, cz_refused_fn fn, void *ctx,
                   struct cz_import_result *res);

/* The same from a file, streamed: memory stays flat whatever the bundle's
 * size.  A file that cannot be read is a local failure (CZ_ENOTFOUND,
 * CZ_EIO, CZ_ETOOBIG), as with cz_read_file; a symlink, FIFO, device or
 * folder is CZ_ENOTPLAIN (never opened for reading, never followed). */
int cz_sync_import_file(cz_station *st, const char *path, cz_refused_fn fn, void *ctx,
                        struct cz_import_result *res);

/* Bundles whose import was cut short (killed, the disk full, the stick
 * pulled, or read otherwise the second time) after part of them was
 * committed: each is completed by importing it again.  *out malloc'd
 * (caller frees), oldest name first; sender names the sending station as
 * the Sync screen does. */
struct cz_import_unfinished {
    uint8_t id[CZ_ID_BYTES], sender_box[32], signer[32];
    uint64_t seq, since_ms;           /* the bundle's number; when the import began */
    char path[4096];                  /* the file as given to import ("" from memory) */
    char sender[CZ_NAME_MAX];
};
int cz_sync_unfinished(cz_station *st, struct cz_import_unfinished **out, size_t *n);

/* Entries held for a record type this station's build did not know
 * (a later build's: authz.h, CZ_ELATER), judged again now that it does:
 * after an upgrade they count as if they had just arrived (res: released,
 * refused).  Writes only when such an entry is there.  The command line
 * and the screens call it when they open a station; every import judges
 * held entries again too.  CZ_OK, or
 * a local failure (the entries stay held). */
int cz_sync_rejudge(cz_station *st, struct cz_import_result *res);

/* Progress of a long export or import, for a bar on screen: fn hears now
 * and then how much of `total` is done (done reaches total at the end).
 * The plain functions above are these with no progress. */
struct cz_progress { void (*fn)(void *ctx, size_t done, size_t total); void *ctx; };
int cz_sync_export_with(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                        const struct cz_progress *pr, struct cz_export_result *res);
int cz_sync_import_with(cz_station *st, const uint8_t *buf, size_t len, cz_refused_fn fn, void *ctx,
                        const struct cz_progress *pr, struct cz_import_result *res);
int cz_sync_import_file_with(cz_station *st, const char *path, cz_refused_fn fn, void *ctx,
                             const struct cz_progress *pr, struct cz_import_result *res);

/* When this station last wrote a bundle for the peer with box key `box`
 * and last imported one from it (ms since the epoch; 0: never).  "Sent" is
 * noted only after the bundle file is renamed into place on the stick and
 * its folder fsynced; "received" in the import's last transaction. */
int cz_sync_last(cz_station *st, const uint8_t box[32], uint64_t *sent_ms, uint64_t *received_ms);

/* The last bundle this station exported or imported: the latest of the
 * cz_sync_last times over every station it exchanged with, so it agrees
 * with the Sync screen's columns.  When, which way, and the other
 * station's name (a key fingerprint when it is not a peer).  CZ_ENOTFOUND
 * when it never synced. */
enum cz_sync_dir { CZ_SYNC_EXPORT = 1, CZ_SYNC_IMPORT = 2 };
struct cz_sync_last {
    enum cz_sync_dir dir;
    int64_t when;                /* unix seconds */
    uint8_t box[32];
    char with[CZ_NAME_MAX];
};
int cz_sync_latest(cz_station *st, struct cz_sync_last *out);

/* Reads a whole file into a malloc'd buffer (bundles are bounded by
 * CZ_BUNDLE_PLAIN_MAX). */
int cz_read_file(const char *path, uint8_t **buf, size_t *len);

#endif
