/* export.c — one bundle written for a peer onto a stick (sync.h,
 * cz_sync_export): the sequence number taken, what it carries found
 * (export_collect.c), the file streamed onto the stick, then the note of
 * what it carried stored and the older bundles it supersedes removed
 * (export_basis.c). */
#include "sync.h"
#include "sync_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bundle_stream.h"
#include "keys.h"
#include "status.h"
#include "stick.h"

static int sign_cb(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return cz_secrets_sign(ctx, msg, len, sig);
}

/* The bundle's sequence number, taken and committed (durably: an fsync or
 * two), and the folder on the stick made (an fsync per new folder), on a
 * second thread while this one finds the entries; both are waited for
 * before a byte of the bundle is written, so a bundle still never exists
 * under a number not yet committed.  The write transaction is that
 * thread's own (LMDB: one transaction a thread).
 *
 * For a full export the same thread also walks the logs (the vector, and
 * what the entries are checked against) inside its write transaction,
 * while this thread walks the entries.  Both read the same state: this
 * thread's read transaction begins after the write transaction began
 * (`opened`) and before it commits (it waits for `reading`), and while a
 * write transaction is open nobody else can commit. */
struct seq_job {
    cz_station *st;
    const char *stick;
    const struct cz_bundle_params *p;
    struct exp_ctx *logs;          /* non-NULL: walk the logs too */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int opened, reading;
    uint64_t seq;
    int rc, log_rc, folder_rc;        /* the number's, the log walk's, the folder's */
};

static void job_signal(struct seq_job *j, int *flag)
{
    pthread_mutex_lock(&j->mu);
    *flag = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static void job_wait(struct seq_job *j, const int *flag)
{
    pthread_mutex_lock(&j->mu);
    while (!*flag) pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

static void *seq_take(void *arg)
{
    struct seq_job *j = arg;
    cz_txn *t = NULL;
    uint64_t seq = 0;
    int rc = cz_txn_begin(cz_station_store(j->st), 1, &t);
    job_signal(j, &j->opened);
    if (rc) goto done;
    if ((rc = cz_meta_get_u64(t, "bundle_seq", &seq)) && rc != CZ_ENOTFOUND) goto done;
    seq++;
    if ((rc = cz_meta_put_u64(t, "bundle_seq", seq))) goto done;
    if (j->logs) j->log_rc = cz_store_each_log(t, exp_log_cb, j->logs);
    job_wait(j, &j->reading);
    rc = cz_txn_commit(t);
    t = NULL;
    if (rc) goto done;
    j->seq = seq;
    j->folder_rc = cz_bundle_stream_folder(j->stick, j->p);
done:
    cz_txn_abort(t);
    j->rc = rc;
    return NULL;
}


/* One export under way: what cz_sync_export_with holds from start to end. */
struct export_run {
    cz_station *st;
    const char *stick;
    const struct cz_peer *peer;
    int full;
    const struct cz_progress *pr;
    struct cz_export_result *res;
    const struct cz_station_info *info;
    struct cz_vv mine, ack;
    int have_ack;
    struct exp_ctx x;
    struct exp_basis old, nb;
    struct cz_bundle_params p;
    struct seq_job sj;
    pthread_t seq_thread;
    int seq_running;
    cz_txn *t;                        /* the read transaction the entries live in */
    uint8_t *head;                    /* the payload's head */
    size_t head_len, head_cap;
    uint8_t id[CZ_ID_BYTES];
};

/* The bundle's sequence number is taken before the file is written, so
 * two exports never share one even when the second write fails; it is
 * committed on another thread (seq_take) while the entries are found. */
static int export_start(struct export_run *e)
{
    pthread_mutex_init(&e->sj.mu, NULL);
    pthread_cond_init(&e->sj.cv, NULL);
    e->seq_running = pthread_create(&e->seq_thread, NULL, seq_take, &e->sj) == 0;
    if (!e->seq_running) {
        e->sj.logs = NULL;
        e->sj.reading = 1;
        seq_take(&e->sj);
        if (e->sj.rc) return e->sj.rc;
    }
    return CZ_OK;
}

/* The peer's acknowledgement (x.ack), unless a full export ignores it. */
static int export_ack(struct export_run *e)
{
    const void *v;
    size_t len, pos = 0;
    if (!e->full) {
        int rc = cz_store_peer_get(e->t, e->peer->box, &v, &len);
        if (rc == CZ_OK) {
            /* A damaged acknowledgement only costs a full bundle. */
            e->have_ack = cz_vv_decode(v, len, &pos, &e->ack) == CZ_OK;
            if (e->have_ack) crypto_generichash(e->nb.ack_hash, 32, v, len, NULL, 0);
        } else if (rc != CZ_ENOTFOUND) {
            return rc;
        }
    }
    e->x.ack = e->have_ack ? &e->ack : NULL;
    return CZ_OK;
}

/* What the bundle carries, and the number and folder the second thread
 * made meanwhile. */
static int export_find(struct export_run *e)
{
    int rc;
    job_wait(&e->sj, &e->sj.opened);
    rc = cz_txn_begin(cz_station_store(e->st), 0, &e->t);
    job_signal(&e->sj, &e->sj.reading);
    if (rc) return rc;
    e->x.t = e->t;
    if ((rc = exp_basis_get(e->t, e->peer->box, &e->old))) return rc;
    if (e->sj.logs) rc = exp_collect_early(&e->x);
    else if ((rc = export_ack(e)) == CZ_OK) rc = exp_collect(&e->x);
    if (e->seq_running) {
        pthread_join(e->seq_thread, NULL);
        e->seq_running = 0;
    }
    /* The failures in the order they used to be met. */
    if (e->sj.rc) rc = e->sj.rc;
    else if (e->sj.log_rc) rc = e->sj.log_rc;
    if (rc == CZ_OK && e->sj.logs) rc = exp_collect_check(&e->x);
    return rc ? rc : e->sj.folder_rc;
}

/* The payload's head, and what the note keeps of the vector it sends and
 * the positions it carries.  *skip: the peer would learn nothing new. */
static int export_head(struct export_run *e, int *skip)
{
    size_t count_at;
    int rc = cz_payload_head_put(CZ_PAYLOAD_SYNC, &e->mine, (uint32_t)e->x.n, &e->head, &e->head_len,
                                 &e->head_cap, &count_at);
    if (rc) return rc;
    crypto_generichash(e->nb.mine_hash, 32, e->head + CZ_PAYLOAD_VV_AT, count_at - CZ_PAYLOAD_VV_AT, NULL, 0);
    if ((rc = exp_carried(&e->x, &e->nb.c_cur))) return rc;
    *skip = !e->full && exp_nothing_new(e->stick, e->peer, e->info->box_pk, &e->old, &e->nb);
    return CZ_OK;
}

static void export_tick(void *ctx, size_t done, size_t total)
{
    sync_progress(ctx, done, total);
}

static int export_fill(void *ctx, uint8_t *buf, size_t want)
{
    return cz_payload_out_fill(ctx, buf, want);
}

static int export_write(struct export_run *e)
{
    struct cz_payload_out o;
    size_t file_len = 0;
    cz_payload_out_init(&o, e->head, e->head_len, e->x.items, e->x.n);
    o.tick = export_tick;
    o.tick_ctx = (void *)e->pr;
    sync_progress(e->pr, 0, e->x.n);
    int rc = cz_bundle_write_stream(e->stick, &e->p, (uint64_t)e->head_len + e->x.bytes, export_fill, &o,
                                    e->res->path, sizeof e->res->path, e->id, &file_len);
    if (rc) return rc;
    e->res->bytes = file_len;
    e->res->seq = e->p.seq;
    sync_progress(e->pr, e->x.n, e->x.n);
    return CZ_OK;
}

/* "Last sent" (cz_sync_last) is noted only now that the bundle is renamed
 * into place and its folder fsynced: an export that failed, or a stick
 * pulled out before the end, does not count as sent.  The note is for the
 * screens only (nothing else reads it), so a failure to write it does not
 * undo an export that is whole on the stick.  The read transaction ends
 * first (one transaction a thread).  Older bundles are removed only once
 * the note that says what the bundles carried is stored (a failure to
 * remove is left for the next export). */
static int export_note(struct export_run *e)
{
    uint64_t drop_from = 0, drop_below = 0;
    int noted = 0;
    memcpy(e->nb.last_id, e->id, CZ_ID_BYTES);
    int rc = exp_supersede(&e->old, e->full, e->p.seq, e->have_ack ? &e->ack : NULL, &e->nb, &drop_from, &drop_below);
    if (rc) return rc;
    cz_txn_abort(e->t);
    e->t = NULL;
    cz_txn *t = NULL;
    if (cz_txn_begin(cz_station_store(e->st), 1, &t) == CZ_OK) {
        char last[96];
        sync_meta_name(last, sizeof last, "sent", e->peer->box);
        if (cz_meta_put_u64(t, last, cz_now_ms()) == CZ_OK && exp_basis_put(t, e->peer->box, &e->nb) == CZ_OK)
            noted = cz_txn_commit(t) == CZ_OK;
        else
            cz_txn_abort(t);
    }
    if (noted && drop_below > drop_from)
        (void)cz_stick_drop_bundles(e->stick, e->peer->box, e->info->box_pk, drop_from, drop_below, e->id,
                                    &e->res->superseded);
    return CZ_OK;
}

static int export_steps(struct export_run *e)
{
    int rc, skip;
    if ((rc = export_start(e)) || (rc = export_find(e))) return rc;
    e->p.seq = e->sj.seq;
    e->res->entries = e->x.n;
    /* Before writing, so a stick that filled up with them has room again. */
    if ((rc = cz_stick_sweep_temps(e->stick, e->peer->box, e->info->box_pk, (int64_t)time(NULL), CZ_STICK_TEMP_AGE,
                                   &e->res->swept)))
        return rc;
    if ((rc = export_head(e, &skip))) return rc;
    if (skip) {
        e->res->nothing_new = 1;
        return CZ_OK;
    }
    if ((rc = export_write(e))) return rc;
    return export_note(e);
}

int cz_sync_export(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                   struct cz_export_result *res)
{
    return cz_sync_export_with(st, stick, peer, full, NULL, res);
}

int cz_sync_export_with(cz_station *st, const char *stick, const struct cz_peer *peer, int full,
                        const struct cz_progress *pr, struct cz_export_result *res)
{
    const struct cz_secrets *sec = cz_station_secrets(st);
    const struct cz_station_info *info = cz_station_info(st);
    memset(res, 0, sizeof *res);
    if (!sec) return CZ_EPERM;
    struct export_run run = {
        .st = st, .stick = stick, .peer = peer, .full = full, .pr = pr, .res = res, .info = info,
        .p = { .sender_box = info->box_pk, .recipients = (const uint8_t (*)[32])peer->box, .nrecipients = 1,
               .signer = cz_secrets_sign_pk(sec), .sign = sign_cb, .sign_ctx = (void *)sec },
    }, *e = &run;
    e->sj = (struct seq_job){ .st = st, .stick = stick, .p = &e->p, .logs = full ? &e->x : NULL };
    e->x = (struct exp_ctx){ .region = peer->region, .mine = &e->mine, .res = res,
                             .root = info->kind == CZ_KIND_OFFICE ? info->office_root : NULL };
    int rc = export_steps(e);
    if (e->seq_running) pthread_join(e->seq_thread, NULL);
    pthread_cond_destroy(&e->sj.cv);
    pthread_mutex_destroy(&e->sj.mu);
    cz_txn_abort(e->t);
    free(e->head);
    exp_ctx_free(&e->x);
    cz_vv_free(&e->mine);
    cz_vv_free(&e->ack);
    exp_basis_free(&e->old);
    exp_basis_free(&e->nb);
    return rc;
}
