/* bundle.h — the encrypted files carried between stations on USB sticks
 * (FORMATS.md, Bundles): the sealed container.  What it carries (the
 * payload: head, vector, entries) is payload.h's, the version vectors
 * vv.h's.
 *
 * File format, versions 1 and 2 (integers big-endian, fixed widths):
 *   "CZB" u8(version)        2 written; 1 still read (older sticks, backups)
 *   u8 flags                 0; any set bit is refused (a later build's
 *                            critical feature)
 *   u8 chunk_log2            chunk size = 2^chunk_log2, 10..20
 *                            (16, 64 KiB, unless a test asks for less)
 *   sender_box[32]           the sending station's X25519 bundle key
 *   u64 bundle_seq           per sender, from 1 (for people reading a stick)
 *   u64 plain_len            bytes the chunks carry (the stored bytes),
 *                            <= CZ_BUNDLE_PLAIN_MAX
 *   u64 unpacked_len         version 2 only: the bytes the stored zstd frame
 *                            unpacks to, <= CZ_BUNDLE_PLAIN_MAX
 *   plain_hash[32]           BLAKE2b-256 of the stored bytes
 *   ss_header[24]            crypto_secretstream_xchacha20poly1305 header
 *   u8 nrecipients           1..CZ_BUNDLE_RECIPIENTS_MAX
 *     { recipient_box[32] sealed_key[80] }   crypto_box_seal of the 32-byte
 *                                            file key to that box key
 *   signer[32]               Ed25519 key of the person who exported
 *   sig[64]                  signer's signature over every byte before it
 * then the chunks: the stored bytes cut into chunks of 2^chunk_log2 bytes
 * (the last shorter, at least one chunk even when empty), each pushed
 * through secretstream (no additional data: the key is fresh per file and
 * the signed header fixes the stored bytes' hash); every chunk TAG_MESSAGE
 * except the last, which is TAG_FINAL.  The
 * header fixes plain_len, so the exact file length is known before any
 * decryption: a shorter file is truncated, a longer one has trailing bytes,
 * and both are refused, as is a FINAL tag anywhere but at the end.
 *
 * Stored bytes: version 1, the plaintext itself.  Version 2, exactly one
 * zstd frame (RFC 8878) of the plaintext: its header names the content
 * size, equal to unpacked_len; no dictionary; a window of at most
 * 2^CZ_BUNDLE_WINDOW_LOG; no skippable frames; written with zstd's content
 * checksum (4 bytes), so a frame that unpacks to other bytes than its
 * writer compressed is named, not passed on.  A frame that does not
 * unpack (CZ_EUNPACK), unpacks to more or less than unpacked_len
 * (CZ_EUNPACK), ends before the stored bytes end (CZ_ETRAILING) or is cut
 * short (CZ_ETRUNC) is refused; a window beyond that is CZ_ETOOBIG.  Hash
 * and signature are over the compressed bytes (less to hash and encrypt);
 * unpacking stops at unpacked_len, so a bomb costs at most
 * CZ_BUNDLE_PLAIN_MAX of work and nothing unpacked is trusted before the
 * hash held.  The version is in the clear header, not
 * the plaintext, so an older build refuses a compressed bundle
 * (CZ_EVERSION, "written by a newer cunzhan") before decrypting anything.
 * Sync bundles and backups are always compressed: the entries are text and
 * keys that compress about 3:1 and the frame's own cost is a few bytes.
 *
 * Bundle id = BLAKE2b-256 of the header (signature included); it names the
 * file (<id hex>.czb) and is what the seen-list remembers.
 *
 * The plaintext is a payload (payload.h) for sync bundles and a backup's
 * sections then a payload for backups (backup.h).
 *
 * Lifetimes: decoded structures point into the buffer they were decoded
 * from unless said otherwise.
 */
#ifndef CZ_BUNDLE_H
#define CZ_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"

#define CZ_BUNDLE_VERSION 2            /* what this build writes */
#define CZ_BUNDLE_VERSION_MIN 1        /* the oldest it still reads */
#define CZ_BUNDLE_ZSTD_LEVEL 1
#define CZ_BUNDLE_WINDOW_LOG 20        /* the largest zstd window written or read */
#define CZ_BUNDLE_CHUNK_LOG2 16
#define CZ_BUNDLE_RECIPIENTS_MAX 16
#define CZ_BUNDLE_PLAIN_MAX (1024u * 1024u * 1024u)
#define CZ_BUNDLE_STANZA (32 + 80)

struct cz_bundle_header {
    uint8_t version, flags, chunk_log2;
    uint8_t sender_box[32];
    uint64_t seq, plain_len;          /* plain_len: the stored bytes (v2 compressed) */
    uint64_t unpacked_len;            /* the plaintext's bytes (v1: plain_len) */
    uint8_t plain_hash[32];
    uint8_t ss_header[24];
    size_t nrecipients;
    const uint8_t *stanzas;           /* nrecipients * CZ_BUNDLE_STANZA, into the buffer */
    uint8_t signer[32];
    size_t header_len;                /* bytes up to and including sig */
    uint8_t id[CZ_ID_BYTES];
};

/* Checks the header before anything is decrypted: magic (CZ_EMAGIC),
 * version (CZ_EOLDFORMAT below, CZ_EVERSION above), flags and chunk size
 * (CZ_EVERSION), structure (CZ_ETRUNC, CZ_ECANON), the signer's signature
 * (CZ_ESIG), and the file's exact length (CZ_ETRUNC, CZ_ETRAILING). */
int cz_bundle_read_header(const uint8_t *buf, size_t len, struct cz_bundle_header *h);

/* True when box_pk is one of the recipients. */
int cz_bundle_addressed_to(const struct cz_bundle_header *h, const uint8_t box_pk[32]);

/* Decrypts (and for version 2 unpacks) into a new buffer that is handed out
 * only after every chunk authenticated, FINAL came exactly at the end, the
 * stored bytes' hash held and the frame unpacked to exactly unpacked_len
 * (CZ_ENOTFORUS, CZ_ECRYPTO for a key that does not open, CZ_EDAMAGED for a
 * chunk that does not authenticate, CZ_ETRUNC for a missing FINAL,
 * CZ_ETRAILING for a FINAL too early, CZ_EHASH, then the frame's faults as
 * above).  *plain_len is the plaintext's length.  Free with
 * cz_bundle_plain_free (it wipes). */
int cz_bundle_open(const uint8_t *buf, size_t len, const struct cz_bundle_header *h,
                   const uint8_t box_pk[32], const uint8_t box_sk[32],
                   uint8_t **plain, size_t *plain_len);
void cz_bundle_plain_free(uint8_t *plain, size_t len);

/* The same checks a piece at a time, holding one chunk and the piece asked
 * for, never the whole file: import streams bundles of any size.  The
 * bundle is read with pread (no mapping: a stick pulled out gives CZ_EIO,
 * never a signal).  A reader is read twice when it is rewound; every pass
 * must end with cz_bundle_reader_finish, and nothing taken from it may be
 * trusted for good before finish said CZ_OK (FINAL at the end, the exact
 * length, the plaintext hash).
 *
 *   open_fd / open_mem   reads and checks the header as cz_bundle_read_header;
 *                        h's stanzas point into the reader.  Close the
 *                        reader whatever they return (fd stays the caller's).
 *   unlock               opens the file key (CZ_ENOTFORUS, CZ_ECRYPTO) and
 *                        starts at the first byte of plaintext
 *   take                 the next n plaintext bytes (n <= left), valid until
 *                        the next take; CZ_EDAMAGED, CZ_ETRUNC, CZ_ETRAILING,
 *                        CZ_EIO as the chunks are met, and for version 2
 *                        the frame's faults (CZ_EUNPACK...) as it unpacks;
 *                        failures stick
 *   finish               decrypts (and unpacks) what was not taken and checks
 *                        the end; faults in the order cz_bundle_open names
 *                        them: the chunks', the hash, then the frame's
 *   rewind               back to the first byte of plaintext */
typedef struct cz_bundle_reader cz_bundle_reader;
int cz_bundle_reader_open_fd(int fd, cz_bundle_reader **r, struct cz_bundle_header *h);
int cz_bundle_reader_open_mem(const uint8_t *buf, size_t len, cz_bundle_reader **r,
                              struct cz_bundle_header *h);
int cz_bundle_reader_unlock(cz_bundle_reader *r, const uint8_t box_pk[32], const uint8_t box_sk[32]);
uint64_t cz_bundle_reader_left(const cz_bundle_reader *r);
int cz_bundle_reader_take(cz_bundle_reader *r, size_t n, const uint8_t **p);
int cz_bundle_reader_finish(cz_bundle_reader *r);
int cz_bundle_reader_rewind(cz_bundle_reader *r);
void cz_bundle_reader_close(cz_bundle_reader *r);

struct cz_bundle_params {
    const uint8_t *sender_box;        /* 32 bytes */
    uint64_t seq;
    const uint8_t (*recipients)[32];
    size_t nrecipients;
    const uint8_t *signer;            /* 32 bytes: the Ed25519 key sign uses */
    cz_sign_fn sign;
    void *sign_ctx;
    unsigned chunk_log2;              /* 0: CZ_BUNDLE_CHUNK_LOG2 */
};

/* Compresses, encrypts and signs plaintext into a new malloc'd file image
 * (format CZ_BUNDLE_VERSION). */
int cz_bundle_seal(const struct cz_bundle_params *p, const uint8_t *plain, size_t plain_len,
                   uint8_t **out, size_t *out_len, uint8_t id[CZ_ID_BYTES]);
/* Seals `stored` as the stored bytes of a bundle of format `version` as
 * they are: version 1 is the old writer; for version 2 nothing is
 * compressed or checked, the header just says unpacked_len.  For tests and
 * the fuzz target, which build hostile frames with real keys. */
int cz_bundle_seal_raw(const struct cz_bundle_params *p, unsigned version, const uint8_t *stored,
                       size_t stored_len, uint64_t unpacked_len, uint8_t **out, size_t *out_len,
                       uint8_t id[CZ_ID_BYTES]);
/* Header bytes up to nrecipients for a format version. */
size_t cz_bundle_fixed_head(unsigned version);
/* A compression context with the bundle's settings for `plain_len` bytes
 * (a ZSTD_CCtx *; NULL when out of memory). */
void *cz_bundle_cctx(uint64_t plain_len, int workers);

/* Writes a file image atomically as STICK/cunzhan/<recipient>/<sender>/<id>.czb
 * where recipient and sender are the first 16 hex digits of the box keys
 * (ASCII only, so every stick's file system takes them; station names may
 * be Chinese).  path gets the file's name. */
int cz_bundle_write(const char *stick, const uint8_t recipient[32], const uint8_t sender[32],
                    const uint8_t id[CZ_ID_BYTES], const uint8_t *buf, size_t len,
                    char *path, size_t path_size);
/* Writes buf as FOLDER/NAME atomically (folders made as needed; temp file
 * in the same folder, fsync, rename, fsync the folder).  path gets the
 * file's name.  Bundles and backups both go through here. */
int cz_file_write_atomic(const char *folder, const char *name, const uint8_t *buf, size_t len,
                         char *path, size_t path_size);
/* The same below a stick: FOLDER is base/rel, and no symlink in rel is
 * followed (fsutil.h, cz_fs_make_dirs_under; CZ_ENOTPLAIN).  A full or
 * write-protected base is CZ_ESTICKFULL or CZ_ESTICKRO (cz_fs_stick_status),
 * as with cz_bundle_write. */
int cz_file_write_under(const char *base, const char *rel, const char *name, const uint8_t *buf, size_t len,
                        char *path, size_t path_size);
/* The folder on a stick holding bundles for box key `me`. */
void cz_bundle_inbox(const char *stick, const uint8_t me[32], char *path, size_t size);

#endif
