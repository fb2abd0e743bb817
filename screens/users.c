/* users.c — the office's people and keys: every key announced or
 * certified, with its role, region, station and status; Enter on a pending
 * key enrols it (role and region, as `cunzhan enrol`); Add puts a new
 * person on this machine (certified at once at the office); Delete revokes
 * a key after a confirm (as `cunzhan revoke`: what the office already holds
 * from it still counts).  Only at the office: the home row is hidden at a
 * village station. */
#include "data.h"
#include "keys.h"
#include "list.h"
#include "people.h"
#include "pinyin.h"
#include "region.h"
#include "roles.h"
#include "screens_all.h"
#include "overview.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct users {
    struct cz_keylist kl;
    size_t *row_key;       /* list row -> index in kl.v */
    struct list l;
    int rc;
};

static const char *state_label(struct ui *ui, const struct cz_known_key *k)
{
    if (k->trust.state == CZ_TRUST_ROOT) return T(ui, "office root", "市办根密钥");
    if (k->trust.state == CZ_TRUST_PENDING) return T(ui, "pending", "待认证");
    return k->trust.revoked ? T(ui, "revoked", "已吊销") : T(ui, "certified", "已认证");
}

static const char *role_label(struct ui *ui, const char *role)
{
    if (!strcmp(role, "clerk")) return T(ui, "clerk", "录入员");
    if (!strcmp(role, "supervisor")) return T(ui, "supervisor", "审核人");
    if (!strcmp(role, "office")) return T(ui, "office", "市办");
    return role[0] ? role : "-";
}

static const int col_widths[] = { 26, 8, 11, 13, 0 };

/* The region shown: the certificate's, else the one asked for. */
static const char *region_of(const struct cz_known_key *k)
{
    return k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.region : k->region;
}

static void add_row(struct ui *ui, struct users *u, size_t i)
{
    const struct cz_known_key *k = &u->kl.v[i];
    const char *role = k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.role : k->role;
    const char *region = region_of(k);
    char who[160], kind[32], line[512];
    snprintf(who, sizeof who, "%s@%s", k->name[0] ? k->name : "?", k->station[0] ? k->station : "?");
    snprintf(kind, sizeof kind, "%s", !strcmp(k->kind, "station") ? T(ui, "station", "站点") : T(ui, "person", "人员"));
    const char *cells[] = { who, kind, k->trust.state == CZ_TRUST_ROOT ? T(ui, "office", "市办") : role_label(ui, role),
                            region[0] ? region : "-", state_label(ui, k) };
    data_columns(line, sizeof line, cells, col_widths, 5);
    u->row_key[u->l.n] = i;
    list_add(&u->l, line, NULL, 0, 1);
}

/* What the office acts on first, then who holds which jurisdiction:
 * pending keys, then the keys in force, then the revoked; within each by
 * region as a tree (the city, each county, its townships, their villages:
 * a code's prefix sorts before it), people before station keys, office
 * before supervisor before clerk, then name in pinyin order, then key.
 * The same order on every PC (the store walks keys by their bytes). */
static int group_of(const struct cz_known_key *k)
{
    if (k->trust.state == CZ_TRUST_PENDING) return 0;
    return k->trust.revoked ? 2 : 1;
}

static int role_rank(const struct cz_known_key *k)
{
    static const char *const order[] = { "office", "supervisor", "clerk" };
    if (k->trust.state == CZ_TRUST_ROOT) return 0;
    const char *role = k->trust.state == CZ_TRUST_CERTIFIED ? k->trust.role : k->role;
    for (int i = 0; i < 3; i++)
        if (!strcmp(role, order[i])) return i;
    return 3;
}

static int key_cmp(const void *a, const void *b)
{
    const struct cz_known_key *x = a, *y = b;
    char rx[CZ_REGION_MAX + 1], ry[CZ_REGION_MAX + 1];
    int k = group_of(x) - group_of(y);
    if (k) return k;
    cz_region_normalize(region_of(x), rx);
    cz_region_normalize(region_of(y), ry);
    if ((k = strcmp(rx, ry))) return k;
    if ((k = !strcmp(x->kind, "station") - !strcmp(y->kind, "station"))) return k;
    if ((k = role_rank(x) - role_rank(y))) return k;
    if (!(k = cz_collate(x->name, y->name))) k = cz_collate(x->station, y->station);
    return k ? k : memcmp(x->key, y->key, sizeof x->key);
}

static void load(struct ui *ui, struct users *u)
{
    cz_view *v = NULL;
    size_t sel = u->l.sel;
    list_clear(&u->l);
    free(u->kl.v);
    free(u->row_key);
    memset(&u->kl, 0, sizeof u->kl);
    u->row_key = NULL;
    if ((u->rc = cz_view_begin(ui->st, &v))) return;
    u->rc = cz_known_keys(cz_view_txn(v), cz_station_info(ui->st)->office_root, &u->kl);
    cz_view_end(v);
    if (u->rc) return;
    if (!(u->row_key = calloc(u->kl.n + 1, sizeof *u->row_key))) { u->rc = CZ_ENOMEM; return; }
    if (u->kl.n) qsort(u->kl.v, u->kl.n, sizeof *u->kl.v, key_cmp);
    for (size_t i = 0; i < u->kl.n; i++) add_row(ui, u, i);
    list_reselect(&u->l, sel);
}

static int users_open(struct ui *ui, struct screen *s, const void *arg)
{
    (void)arg;
    if (!roles_shown_office(ui)) return CZ_EPERM;
    struct users *u = calloc(1, sizeof *u);
    if (!u) return CZ_ENOMEM;
    s->state = u;
    load(ui, u);
    return CZ_OK;
}

static void users_draw(struct ui *ui, struct screen *s)
{
    struct users *u = s->state;
    char head[256];
    ui_title(ui, T(ui, "Users and keys  (Enter: enrol a pending key)", "用户与密钥（回车：认证待认证的密钥）"));
    if (ui_failed(ui, UI_TOP + 2, u->rc)) return;
    const char *cells[] = { T(ui, "Name@station", "姓名@站点"), T(ui, "Kind", "类别"), T(ui, "Role", "角色"),
                            T(ui, "Region", "辖区"), T(ui, "Status", "状态") };
    data_columns(head, sizeof head, cells, col_widths, 5);
    ui_text(ui, UI_TOP + 1, 0, head, ui->cols - 1, A_UNDERLINE);   /* over the rows' columns */
    list_draw(ui, &u->l, UI_TOP + 2, ui_body_rows(ui) - 2, 1);
}

static const struct cz_known_key *selected(struct users *u)
{
    if (!u->l.n || u->l.sel >= u->l.n) return NULL;
    return &u->kl.v[u->row_key[u->l.sel]];
}

/* Certifying and revoking need an office person (their slot holds the
 * root key): a clerk or supervisor logged in at the office is told so. */
static void say_refused(struct ui *ui, int rc)
{
    if (rc == CZ_EPERM)
        ui_message(ui, 1, "%s", T(ui, "Only a person certified as office (holding the root key) may do this; nothing was stored.",
                                  "只有已认证的市办人员（持有根密钥）才能这样做；没有保存任何内容。"));
    else ui_status_message(ui, rc);
}

static void enrol(struct ui *ui, struct users *u)
{
    const struct cz_known_key *k = selected(u);
    static const char *const roles[] = { "clerk", "supervisor", "office" };
    const char *items[3];
    char q[512], *region = NULL;
    if (!k) return;
    if (k->trust.state != CZ_TRUST_PENDING) {
        ui_message(ui, 1, "%s", T(ui, "Only a pending key can be enrolled.", "只能认证待认证的密钥。"));
        return;
    }
    for (int i = 0; i < 3; i++) items[i] = role_label(ui, roles[i]);
    size_t cur = !strcmp(k->role, "supervisor") ? 1 : !strcmp(k->role, "office") ? 2 : 0;
    snprintf(q, sizeof q, T(ui, "Role for %s", "%s 的角色"), k->name);
    int r = ui_pick(ui, q, items, 3, cur);
    if (r < 0) return;
    snprintf(q, sizeof q, T(ui, "Region code (empty: as asked, %s):", "辖区代码（留空：按申请，%s）："),
             k->region[0] ? k->region : "-");
    if (ui_prompt(ui, q, &region)) return;
    struct cz_cert_req req;
    uint8_t id[CZ_ID_BYTES];
    memcpy(req.key, k->key, 32);
    req.kind = k->kind[0] ? k->kind : "person";
    req.name = k->name;
    req.station = k->station;
    req.region = region[0] ? region : k->region;
    req.role = roles[r];
    snprintf(q, sizeof q, T(ui, "Certify %s@%s as %s for region %s?", "认证 %s@%s 为%s，辖区 %s？"), k->name, k->station,
             items[r], req.region[0] ? req.region : "-");
    if (!ui_confirm(ui, q)) { free(region); return; }
    int rc = cz_station_certify(ui->st, &req, id);
    free(region);
    if (rc == CZ_EINVAL)
        ui_message(ui, 1, "%s", T(ui, "A region is 2-12 digits (empty only for the office role); nothing was stored.",
                                  "辖区须为 2-12 位数字（仅市办角色可留空）；没有保存任何内容。"));
    else if (rc) say_refused(ui, rc);
    else {
        load(ui, u);
        ui_message(ui, 0, "%s", T(ui, "Certified.", "已认证。"));
    }
}

static void wipe_free(char *s)
{
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

static void add_user(struct ui *ui, struct users *u)
{
    static const char *const roles[] = { "clerk", "supervisor", "office" };
    const char *items[3];
    char *name = NULL, *p1 = NULL, *p2 = NULL;
    if (ui_prompt(ui, T(ui, "New person's name:", "新用户姓名："), &name)) return;
    for (int i = 0; i < 3; i++) items[i] = role_label(ui, roles[i]);
    int r = ui_pick(ui, T(ui, "Role", "角色"), items, 3, 0);
    if (r < 0) goto cleanup;
    if (ui_prompt_secret(ui, T(ui, "Passphrase for the new person (8 characters or more):", "新用户的口令（至少 8 个字符）："), &p1)) goto cleanup;
    if (ui_prompt_secret(ui, T(ui, "The same passphrase again:", "再次输入口令："), &p2)) goto cleanup;
    if (strcmp(p1, p2)) {
        ui_message(ui, 1, "%s", T(ui, "The two passphrases differ; nobody was added.", "两次输入的口令不一致；没有添加用户。"));
        goto cleanup;
    }
    if (!p1[0]) {
        ui_message(ui, 1, "%s", T(ui, "The passphrase may not be empty; nobody was added.", "口令不能为空；没有添加用户。"));
        goto cleanup;
    }
    int rc = cz_station_user_add(ui->st, name, roles[r], p1);
    if (rc == CZ_EINVAL)
        ui_message(ui, 1, "%s", T(ui, "A name is 1-63 bytes without '/'; nobody was added.", "姓名须为 1-63 字节且不含 '/'；没有添加用户。"));
    else if (rc) say_refused(ui, rc);
    else {
        load(ui, u);
        ui_message(ui, 0, T(ui, "Added %s.", "已添加 %s。"), name);
    }
cleanup:
    free(name);
    wipe_free(p1);
    wipe_free(p2);
}

static void revoke(struct ui *ui, struct users *u)
{
    const struct cz_known_key *k = selected(u);
    char q[512];
    uint8_t id[CZ_ID_BYTES];
    uint64_t after = 0;
    cz_view *v = NULL;
    if (!k) return;
    if (k->trust.state == CZ_TRUST_ROOT) {
        ui_message(ui, 1, "%s", T(ui, "The office root key cannot be revoked.", "市办根密钥不能吊销。"));
        return;
    }
    if (k->trust.revoked) {
        ui_message(ui, 1, "%s", T(ui, "This key is already revoked.", "该密钥已被吊销。"));
        return;
    }
    snprintf(q, sizeof q, T(ui, "Revoke %s@%s? Its later records will not count.", "吊销 %s@%s？其以后的记录将不再有效。"),
             k->name, k->station);
    if (!ui_confirm(ui, q)) return;
    int rc = cz_view_begin(ui->st, &v);
    if (!rc) rc = cz_view_log_last(v, k->key, &after);
    cz_view_end(v);
    if (!rc) rc = cz_station_revoke(ui->st, k->key, after, NULL, id);
    if (rc) { say_refused(ui, rc); return; }
    load(ui, u);
    ui_message(ui, 0, "%s", T(ui, "Revoked.", "已吊销。"));
}

static enum ui_result users_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct users *u = s->state;
    switch (k->action) {
    case ACT_OPEN: enrol(ui, u); return UI_HANDLED;
    case ACT_ADD: add_user(ui, u); return UI_HANDLED;
    case ACT_DELETE: revoke(ui, u); return UI_HANDLED;
    default: return list_key(&u->l, k);
    }
}

/* On F9 (and after a child screen): the rows written again, in the
 * language now chosen. */
static void users_resume(struct ui *ui, struct screen *s)
{
    load(ui, s->state);
}

static void users_close(struct screen *s)
{
    struct users *u = s->state;
    list_clear(&u->l);
    free(u->kl.v);
    free(u->row_key);
    free(u);
}

static const enum cz_action users_hints[] = { ACT_OPEN, ACT_ADD, ACT_DELETE, ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_users = {
    .name = "users",
    .open = users_open,
    .draw = users_draw,
    .key = users_key,
    .close = users_close,
    .resume = users_resume,
    .hints = users_hints,
};
