/* bundle_int.h — what the bundle container's files (bundle.c, the whole
 * file; bundle_reader.c, a piece at a time) share: the header's sizes,
 * its parser and the checks of the zstd frame.  Only they include this. */
#ifndef CZ_BUNDLE_INT_H
#define CZ_BUNDLE_INT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>
#include "bundle.h"

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define FIXED_HEAD_V1 (4 + 1 + 1 + 32 + 8 + 8 + 32 + 24 + 1)   /* up to nrecipients */
#define FIXED_HEAD_MAX (FIXED_HEAD_V1 + 8)                      /* v2: unpacked_len */
#define HEAD_MAX (FIXED_HEAD_MAX + CZ_BUNDLE_RECIPIENTS_MAX * CZ_BUNDLE_STANZA + 32 + 64)

/* Chunks of 2^log2 bytes that carry plain_len bytes (one even when empty). */
uint64_t bundle_nchunks(uint64_t plain_len, unsigned log2);
/* avail bytes of the file are in buf (all of it, or at least HEAD_MAX);
 * file_len is the whole file's length.  The checks of
 * cz_bundle_read_header. */
int bundle_parse_header(const uint8_t *buf, size_t avail, uint64_t file_len, struct cz_bundle_header *h);
/* The stanza addressed to box_pk, NULL when none is. */
const uint8_t *bundle_stanza(const struct cz_bundle_header *h, const uint8_t box_pk[32]);
/* A decompression context that refuses windows past CZ_BUNDLE_WINDOW_LOG. */
ZSTD_DCtx *bundle_dctx_new(void);
/* The zstd frame's header, from the first stored bytes (at least a
 * chunk's worth, or all of them when `all`): one frame naming
 * unpacked_len as its content size, no dictionary, a window within the
 * limit (CZ_EUNPACK, CZ_ETRUNC, CZ_ETOOBIG). */
int bundle_frame_check(const uint8_t *p, size_t len, int all, uint64_t unpacked_len);

#endif
