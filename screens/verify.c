/* verify.c — re-check every signature, chain and certificate (cz_verify)
 * and list what was found. */
#include "hex.h"
#include "list.h"
#include "overview.h"
#include "screens_all.h"
#include "verify.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

struct verify {
    struct cz_verify_report rep;
    int rc;
    struct list l;
};

struct found { struct ui *ui; struct list *l; };

static void problem_cb(void *ctx, enum cz_problem kind, const uint8_t *id, int status)
{
    struct found *f = ctx;
    char hex[65], line[512];
    if (kind == CZ_PROBLEM_PENDING || kind == CZ_PROBLEM_QUARANTINE) return;
    cz_hex(id, 32, hex);
    const char *what = kind == CZ_PROBLEM_REFUSED ? T(f->ui, "REFUSED", "已拒绝")
                     : kind == CZ_PROBLEM_HELD    ? T(f->ui, "HELD", "暂存")
                                                  : T(f->ui, "BAD", "错误");
    snprintf(line, sizeof line, " %s %.16s: %s", what, hex, cz_strerror(status, f->ui->lang));
    list_add(f->l, line, NULL, 0, 1);
}

static int verify_open(struct ui *ui, struct screen *s, const void *arg)
{
    struct verify *v = calloc(1, sizeof *v);
    struct found f = { .ui = ui };
    cz_view *view = NULL;
    if (!v) return CZ_ENOMEM;
    s->state = v;
    f.l = &v->l;
    v->rc = cz_view_begin(ui->st, &view);
    if (!v->rc) v->rc = cz_verify(cz_view_txn(view), cz_station_info(ui->st)->office_root, problem_cb, &f, &v->rep);
    cz_view_end(view);
    return CZ_OK;
}

static void verify_draw(struct ui *ui, struct screen *s)
{
    struct verify *v = s->state;
    char line[512];
    ui_title(ui, T(ui, "Verify: every signature, chain and certificate", "验证：所有签名、日志链和证书"));
    if (!ui_failed(ui, UI_TOP + 2, v->rc)) {
        snprintf(line, sizeof line, T(ui, "%zu entries: %zu verified, %zu pending, %zu problems",
                                      "共 %zu 条：%zu 条验证通过，%zu 条待认证，%zu 个问题"),
                 v->rep.entries, v->rep.verified, v->rep.pending, v->rep.problems);
        ui_text(ui, UI_TOP + 2, 1, line, ui->cols - 2, v->rep.problems ? A_BOLD : A_NORMAL);
        if (v->rep.refused || v->rep.held) {
            snprintf(line, sizeof line, T(ui, "Kept apart, not counted: %zu refused, %zu held",
                                          "另行保存、不计入：%zu 条被拒绝，%zu 条暂存"),
                     v->rep.refused, v->rep.held);
            ui_text(ui, UI_TOP + 3, 1, line, ui->cols - 2, A_BOLD);
        } else if (!v->rep.problems) {
            ui_text(ui, UI_TOP + 3, 1, T(ui, "All good.", "全部正常。"), ui->cols - 2, A_NORMAL);
        }
    }
    int top = UI_TOP + 4;
    if (!v->rc && v->rep.later) {
        /* What the person can do about them: nothing is wrong with the
         * entries, this PC's build is older than the one that wrote them. */
        snprintf(line, sizeof line,
                 T(ui, "%zu held are of record types this build does not know: upgrade cunzhan on this PC "
                       "(the office upgrades first); they count then.",
                   "暂存中有 %zu 条属于本版本不认识的记录类型：请升级本机的 cunzhan（市办先升级），升级后即计入。"),
                 v->rep.later);
        top += ui_text_wrap(ui, top, 1, line, ui->cols - 2, 2, A_BOLD);
    }
    list_draw(ui, &v->l, top, ui_body_rows(ui) - (top - UI_TOP), 1);
}

static enum ui_result verify_key(struct ui *ui, struct screen *s, const struct ui_key *k)
{
    struct verify *v = s->state;
    if (k->action == ACT_OPEN) return UI_POP;
    return list_key(&v->l, k);
}

static void verify_close(struct screen *s)
{
    struct verify *v = s->state;
    list_clear(&v->l);
    free(v);
}

static const enum cz_action verify_hints[] = { ACT_BACK, ACT_NONE };

const struct screen_ops cz_screen_verify = {
    .name = "verify",
    .open = verify_open,
    .draw = verify_draw,
    .key = verify_key,
    .close = verify_close,
    .hints = verify_hints,
};
