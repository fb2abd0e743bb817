#include "draft.h"
#include "fsutil.h"
#include "grow.h"
#include "hex.h"
#include "status.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "cunzhan-draft"

int cz_draft_path(const char *dir, const uint8_t person[32], const char *type, const uint8_t *entity,
                  const uint8_t *parent, char **out)
{
    char hex[2 * CZ_ENTITY_BYTES + 1], phex[2 * CZ_ENTITY_BYTES + 1], who[65];
    *out = NULL;
    if (!dir || !person || !type) return CZ_EINVAL;
    cz_hex(person, 32, who);
    if (entity) cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (parent) cz_hex(parent, CZ_ENTITY_BYTES, phex);
    size_t n = strlen(dir) + strlen(type) + 2 * sizeof hex + sizeof who + 32;
    char *p = malloc(n);
    if (!p) return CZ_ENOMEM;
    if (entity) snprintf(p, n, "%s/drafts/%s/%s-%s.draft", dir, who, type, hex);
    else if (parent) snprintf(p, n, "%s/drafts/%s/%s-new-%s.draft", dir, who, type, phex);
    else snprintf(p, n, "%s/drafts/%s/%s-new.draft", dir, who, type);
    *out = p;
    return CZ_OK;
}

int cz_draft_add(struct cz_draft *d, const char *key, const char *value)
{
    int rc = cz_grow(&d->f, &d->cap, d->n + 1, sizeof *d->f);
    if (rc) return rc;
    char *k = strdup(key), *v = strdup(value ? value : "");
    if (!k || !v) { free(k); free(v); return CZ_ENOMEM; }
    d->f[d->n].key = k;
    d->f[d->n++].value = v;
    return CZ_OK;
}

const char *cz_draft_get(const struct cz_draft *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->f[i].key, key)) return d->f[i].value;
    return NULL;
}

void cz_draft_free(struct cz_draft *d)
{
    for (size_t i = 0; i < d->n; i++) { free(d->f[i].key); free(d->f[i].value); }
    free(d->f);
    memset(d, 0, sizeof *d);
}

/* Keys and types: lower-case letters, digits and '_'. */
static int word_ok(const char *s, size_t len)
{
    if (!len || len > 64) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_')) return 0;
    return 1;
}

static int entity_ok(const char *s, size_t len)
{
    if (len == 3 && !memcmp(s, "new", 3)) return 1;
    if (len != 2 * CZ_ENTITY_BYTES) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int person_ok(const char *s, size_t len)
{
    if (len != 64) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* A growing output buffer. */
struct buf { char *p; size_t len, cap; int err; };

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->err) return;
    if (n >= SIZE_MAX - b->len || cz_grow(&b->p, &b->cap, b->len + n + 1, 1)) { b->err = 1; return; }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': puts_(b, "\\\\"); break;
        case '\n': puts_(b, "\\n"); break;
        case '\t': puts_(b, "\\t"); break;
        case '\r': puts_(b, "\\r"); break;
        default: put(b, s, 1); break;
        }
    }
}

int cz_draft_encode(const struct cz_draft *d, char **out, size_t *len)
{
    struct buf b = { 0 };
    char line[256];
    *out = NULL;
    *len = 0;
    if (!person_ok(d->person, strlen(d->person)) || !word_ok(d->type, strlen(d->type)) ||
        !entity_ok(d->entity, strlen(d->entity)))
        return CZ_EINVAL;
    snprintf(line, sizeof line, MAGIC " %d\nperson %s\ntype %s\nentity %s\nsaved %" PRId64 "\n",
             CZ_DRAFT_VERSION, d->person, d->type, d->entity, d->saved);
    puts_(&b, line);
    for (size_t i = 0; i < d->n; i++) {
        if (!word_ok(d->f[i].key, strlen(d->f[i].key)) ||
            !cz_utf8_valid(d->f[i].value, strlen(d->f[i].value))) {
            free(b.p);
            return CZ_EINVAL;
        }
        puts_(&b, "field ");
        puts_(&b, d->f[i].key);
        puts_(&b, " ");
        put_escaped(&b, d->f[i].value);
        puts_(&b, "\n");
    }
    puts_(&b, "end\n");
    if (b.err) { free(b.p); return CZ_ENOMEM; }
    if (b.len > CZ_DRAFT_MAX) { free(b.p); return CZ_ETOOBIG; }
    *out = b.p;
    *len = b.len;
    return CZ_OK;
}

/* Undoes put_escaped; CZ_ECANON on an unknown escape or a raw control. */
static int unescape(const char *s, size_t len, char **out)
{
    char *v = malloc(len + 1);
    size_t n = 0;
    if (!v) return CZ_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) goto bad;
        if (c != '\\') { v[n++] = (char)c; continue; }
        if (++i >= len) goto bad;
        switch (s[i]) {
        case '\\': v[n++] = '\\'; break;
        case 'n': v[n++] = '\n'; break;
        case 't': v[n++] = '\t'; break;
        case 'r': v[n++] = '\r'; break;
        default: goto bad;
        }
    }
    v[n] = 0;
    if (!cz_utf8_valid(v, n)) { free(v); return CZ_EUTF8; }
    *out = v;
    return CZ_OK;
bad:
    free(v);
    return CZ_ECANON;
}

/* Splits "word rest" at the first space. */
static int split(const char *line, size_t len, const char *want, const char **rest, size_t *rlen)
{
    size_t wl = strlen(want);
    if (len < wl + 1 || memcmp(line, want, wl) || line[wl] != ' ') return 0;
    *rest = line + wl + 1;
    *rlen = len - wl - 1;
    return 1;
}

static int parse_int(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    if (!len || len > 18) return CZ_ECANON;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return CZ_ECANON;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return CZ_OK;
}

static int decode_field(struct cz_draft *d, const char *rest, size_t rlen)
{
    const char *sp = memchr(rest, ' ', rlen);
    char key[65], *value = NULL;
    if (!sp || !word_ok(rest, (size_t)(sp - rest))) return CZ_ECANON;
    memcpy(key, rest, (size_t)(sp - rest));
    key[sp - rest] = 0;
    if (cz_draft_get(d, key)) return CZ_ECANON;        /* a key twice */
    int rc = unescape(sp + 1, rlen - (size_t)(sp - rest) - 1, &value);
    if (rc) return rc;
    rc = cz_draft_add(d, key, value);
    free(value);
    return rc;
}

int cz_draft_decode(const char *buf, size_t len, struct cz_draft *d)
{
    const char *p = buf, *end = buf + len, *rest;
    size_t rlen;
    int rc = CZ_OK, ended = 0;
    unsigned lineno = 0;
    memset(d, 0, sizeof d[0]);
    if (len > CZ_DRAFT_MAX) return CZ_ETOOBIG;
    while (p < end && !ended) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) { rc = CZ_ETRUNC; goto cleanup; }    /* a line cut short */
        size_t ll = (size_t)(nl - p);
        switch (lineno++) {
        case 0: {
            size_t ml = strlen(MAGIC);
            if (ll < ml + 1 || memcmp(p, MAGIC " ", ml + 1)) { rc = CZ_EMAGIC; goto cleanup; }
            if (ll != ml + 2 || p[ml + 1] != '0' + CZ_DRAFT_VERSION) { rc = CZ_EVERSION; goto cleanup; }
            break;
        }
        case 1:
            if (!split(p, ll, "person", &rest, &rlen) || !person_ok(rest, rlen)) { rc = CZ_ECANON; goto cleanup; }
            memcpy(d->person, rest, rlen);
            d->person[rlen] = 0;
            break;
        case 2:
            if (!split(p, ll, "type", &rest, &rlen) || !word_ok(rest, rlen) || rlen > CZ_TYPE_MAX) {
                rc = CZ_ECANON;
                goto cleanup;
            }
            memcpy(d->type, rest, rlen);
            d->type[rlen] = 0;
            break;
        case 3:
            if (!split(p, ll, "entity", &rest, &rlen) || !entity_ok(rest, rlen)) { rc = CZ_ECANON; goto cleanup; }
            memcpy(d->entity, rest, rlen);
            d->entity[rlen] = 0;
            break;
        case 4:
            if (!split(p, ll, "saved", &rest, &rlen)) { rc = CZ_ECANON; goto cleanup; }
            if ((rc = parse_int(rest, rlen, &d->saved))) goto cleanup;
            break;
        default:
            if (ll == 3 && !memcmp(p, "end", 3)) { ended = 1; break; }
            if (!split(p, ll, "field", &rest, &rlen)) { rc = CZ_ECANON; goto cleanup; }
            if ((rc = decode_field(d, rest, rlen))) goto cleanup;
            break;
        }
        p = nl + 1;
    }
    if (!ended) rc = lineno == 0 && len == 0 ? CZ_EMAGIC : CZ_ETRUNC;
    else if (p != end) rc = CZ_ECANON;                 /* bytes after "end" */
cleanup:
    if (rc) cz_draft_free(d);
    return rc;
}

/* The folder part of path (malloc'd). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

int cz_draft_write(const char *path, const struct cz_draft *d)
{
    char *data = NULL, *folder = folder_of(path);
    size_t len = 0;
    int rc;
    if (!folder) return CZ_ENOMEM;
    if ((rc = cz_draft_encode(d, &data, &len))) goto cleanup;
    /* The drafts folder is private (0700), the file too (0600, fsutil.h). */
    if ((rc = cz_fs_make_dirs(folder, 0700))) goto cleanup;
    rc = cz_fs_write_atomic(path, data, len);
cleanup:
    free(data);
    free(folder);
    return rc;
}

int cz_draft_read(const char *path, struct cz_draft *d)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = CZ_OK;
    memset(d, 0, sizeof d[0]);
    FILE *f = fopen(path, "rb");
    if (!f) return cz_fs_errno_status(errno);   /* ENOENT: CZ_ENOTFOUND */
    if (!(buf = malloc(CZ_DRAFT_MAX + 1))) { rc = CZ_ENOMEM; goto cleanup; }
    len = fread(buf, 1, CZ_DRAFT_MAX + 1, f);
    if (ferror(f)) { rc = errno ? cz_fs_errno_status(errno) : CZ_EIO; goto cleanup; }
    rc = cz_draft_decode(buf, len, d);
cleanup:
    free(buf);
    fclose(f);
    return rc;
}

int cz_draft_remove(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) return cz_fs_errno_status(errno);
    return CZ_OK;
}

/* Every current head of entity is a tombstone (none: not held here, so not
 * known to be deleted). */
static int all_heads_deleted(cz_txn *t, const uint8_t entity[CZ_ENTITY_BYTES], int *gone)
{
    uint8_t heads[CZ_PARENTS_MAX][CZ_ID_BYTES];
    size_t n = 0;
    struct cz_entry e;
    int rc;
    *gone = 0;
    if ((rc = cz_store_heads(t, entity, heads, CZ_PARENTS_MAX, &n))) return rc == CZ_ENOTFOUND ? CZ_OK : rc;
    if (n == 0 || n > CZ_PARENTS_MAX) return CZ_OK;
    for (size_t i = 0; i < n; i++) {
        if ((rc = cz_store_get_entry(t, heads[i], &e))) return rc;
        if (!(e.flags & CZ_ENTRY_FLAG_TOMBSTONE)) return CZ_OK;
    }
    *gone = 1;
    return CZ_OK;
}

/* The entity a draft's file name depends on: the record's own
 * (<type>-<hex>.draft) or its parent's (<type>-new-<hex>.draft).  0 for
 * <type>-new.draft and for any name cz_draft_path does not make. */
static int name_entity(const char *name, uint8_t entity[CZ_ENTITY_BYTES])
{
    size_t len = strlen(name), sfx = strlen(".draft");
    const char *dash = strchr(name, '-');
    if (!dash || len <= sfx || strcmp(name + len - sfx, ".draft")) return 0;
    if (!word_ok(name, (size_t)(dash - name)) || (size_t)(dash - name) > CZ_TYPE_MAX) return 0;
    const char *hex = dash + 1;
    size_t hl = (size_t)(name + len - sfx - hex);
    if (hl == 4 + 2 * CZ_ENTITY_BYTES && !memcmp(hex, "new-", 4)) { hex += 4; hl -= 4; }
    if (hl != 2 * CZ_ENTITY_BYTES || !entity_ok(hex, hl)) return 0;   /* "new" has 3 */
    char buf[2 * CZ_ENTITY_BYTES + 1];
    memcpy(buf, hex, hl);
    buf[hl] = 0;
    return cz_unhex(buf, entity, CZ_ENTITY_BYTES) == CZ_OK;
}

/* Sweeps one folder of drafts (a person's, or the top one where drafts
 * of the first format lie). */
static int sweep_folder(const char *folder, cz_txn *t, size_t *count, int *first)
{
    DIR *d = opendir(folder);
    char *path = NULL;
    int rc = CZ_OK;
    size_t before = *count;
    if (!d) return errno == ENOENT ? CZ_OK : cz_fs_errno_status(errno);
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        uint8_t entity[CZ_ENTITY_BYTES];
        int gone = 0;
        if (de->d_name[0] == '.' || !name_entity(de->d_name, entity)) continue;
        if ((rc = all_heads_deleted(t, entity, &gone))) { if (!*first) *first = rc; continue; }
        if (!gone) continue;
        free(path);
        if (!(path = malloc(strlen(folder) + strlen(de->d_name) + 2))) { rc = CZ_ENOMEM; goto cleanup; }
        sprintf(path, "%s/%s", folder, de->d_name);
        if ((rc = cz_draft_remove(path))) { if (!*first) *first = rc; continue; }
        (*count)++;
    }
    if (errno) { rc = cz_fs_errno_status(errno); goto cleanup; }
    /* The names are gone for good only once the folder says so. */
    rc = *count > before ? cz_fs_fsync_dir(folder) : CZ_OK;
cleanup:
    closedir(d);
    free(path);
    return rc;
}

int cz_draft_sweep(const char *dir, cz_store *store, size_t *removed)
{
    char *folder = NULL, *sub = NULL;
    DIR *d = NULL;
    cz_txn *t = NULL;
    size_t count = 0;
    int rc = CZ_OK, first = CZ_OK;
    if (removed) *removed = 0;
    if (!dir || !store) return CZ_EINVAL;
    size_t n = strlen(dir) + sizeof "/drafts";
    if (!(folder = malloc(n))) return CZ_ENOMEM;
    snprintf(folder, n, "%s/drafts", dir);
    if (!(d = opendir(folder))) { rc = errno == ENOENT ? CZ_OK : cz_fs_errno_status(errno); goto cleanup; }
    if ((rc = cz_txn_begin(store, 0, &t))) goto cleanup;
    if ((rc = sweep_folder(folder, t, &count, &first))) goto cleanup;
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        if (!person_ok(de->d_name, strlen(de->d_name))) continue;
        free(sub);
        if (!(sub = malloc(strlen(folder) + strlen(de->d_name) + 2))) { rc = CZ_ENOMEM; goto cleanup; }
        sprintf(sub, "%s/%s", folder, de->d_name);
        if ((rc = sweep_folder(sub, t, &count, &first)) && !first) first = rc;
        rc = CZ_OK;
    }
    if (errno) rc = cz_fs_errno_status(errno);
cleanup:
    if (!rc) rc = first;
    if (removed) *removed = count;
    cz_txn_abort(t);
    if (d) closedir(d);
    free(sub);
    free(folder);
    return rc;
}

int cz_draft_list(const char *dir, const uint8_t person[32], cz_draft_fn fn, void *ctx)
{
    char who[65], *folder = NULL, *path = NULL;
    DIR *d = NULL;
    int rc = CZ_OK;
    if (!dir || !person || !fn) return CZ_EINVAL;
    cz_hex(person, 32, who);
    size_t n = strlen(dir) + sizeof who + sizeof "/drafts/";
    if (!(folder = malloc(n))) return CZ_ENOMEM;
    snprintf(folder, n, "%s/drafts/%s", dir, who);
    if (!(d = opendir(folder))) { rc = errno == ENOENT ? CZ_OK : cz_fs_errno_status(errno); goto cleanup; }
    for (struct dirent *de; (errno = 0, de = readdir(d));) {
        struct cz_draft dr;
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".draft")) continue;
        free(path);
        if (!(path = malloc(strlen(folder) + len + 2))) { rc = CZ_ENOMEM; goto cleanup; }
        sprintf(path, "%s/%s", folder, de->d_name);
        /* Only drafts that read whole and are this person's. */
        if (cz_draft_read(path, &dr) != CZ_OK) continue;
        if (strcmp(dr.person, who)) { cz_draft_free(&dr); continue; }
        uint8_t parent[CZ_ENTITY_BYTES];
        const char *dash = strchr(de->d_name, '-');
        int under = dash && !strncmp(dash + 1, "new-", 4) && name_entity(de->d_name, parent);
        uint8_t entity[CZ_ENTITY_BYTES];
        int known = strcmp(dr.entity, "new") && cz_unhex(dr.entity, entity, CZ_ENTITY_BYTES) == CZ_OK;
        rc = fn(ctx, path, &dr, known ? entity : NULL, under ? parent : NULL);
        cz_draft_free(&dr);
        if (rc) goto cleanup;
    }
    if (errno) rc = cz_fs_errno_status(errno);
cleanup:
    if (d) closedir(d);
    free(path);
    free(folder);
    return rc;
}
