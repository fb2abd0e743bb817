/* bundle_stream.h — writing a bundle (bundle.h's format, version 2) straight
 * to the stick while the plaintext is produced, without holding the
 * plaintext or the encrypted file in memory.
 *
 * The plaintext's length must be known up front (the zstd frame and the
 * header name it).  The plaintext is filled a batch (256 KiB) at a time on
 * the calling thread, which also hashes, encrypts and writes the
 * compressed bytes as they come; from 4 MiB of plaintext zstd's own
 * threads (one per core, up to 4) compress meanwhile, below that the
 * calling thread compresses too.  Written stretches are handed to the
 * kernel's writeback as they pass 4 MiB.  The last chunk is held
 * back until the frame ends (it is the FINAL one); the signed header, with
 * the stored length and hash, is written last, into the room left for it
 * at the start of the temp file.
 * The file is then fsync'd and renamed to <id>.czb and its folder fsync'd,
 * as cz_bundle_write does: a pulled stick leaves no half bundle under a
 * real name. */
#ifndef CZ_BUNDLE_STREAM_H
#define CZ_BUNDLE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"

/* Fills buf with exactly `want` of the next plaintext bytes; non-zero (a
 * status code) stops the write. */
typedef int (*cz_plain_fill_fn)(void *ctx, uint8_t *buf, size_t want);

/* Makes the folder cz_bundle_write_stream writes into (as it does itself,
 * each new folder's parent fsync'd): for a caller that wants it made while
 * it is busy with something else.  p's seq and signer are not used. */
int cz_bundle_stream_folder(const char *stick, const struct cz_bundle_params *p);

/* Writes STICK/cunzhan/<recipient>/<sender>/<id>.czb (the names as
 * cz_bundle_write gives them) for p->recipients[0] from p->sender_box.
 * path gets the file's name, id the bundle id, *file_len its size. */
int cz_bundle_write_stream(const char *stick, const struct cz_bundle_params *p, uint64_t plain_len,
                           cz_plain_fill_fn fill, void *ctx, char *path, size_t path_size,
                           uint8_t id[CZ_ID_BYTES], size_t *file_len);

#endif
