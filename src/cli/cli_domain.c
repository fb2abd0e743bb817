/* cli_domain.c — the programme's own work: approve (the exit chain) and demo
 * (src/CLI.md, src/DOMAIN.md); load is cli_load.c, report cli_report.c. */
#include "cli.h"
#include "cli_int.h"
#include "approve.h"
#include "demo.h"
#include "exitchain.h"
#include "hex.h"
#include "keys.h"
#include "parse.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- approve ---- */

/* The exit assessment ID names, or the latest one of the household it names. */
static int exit_of(struct cli *c, cz_view *v, const char *arg, uint8_t exit_entity[CZ_ENTITY_BYTES],
                   char version_hex[65])
{
    cz_txn *t = cz_view_txn(v);
    uint8_t entity[CZ_ENTITY_BYTES];
    struct cz_record r;
    if (resolve_entity(c, v, arg, entity)) return -1;
    int rc = cz_record_load(t, entity, &r);
    if (rc == CZ_OK && !strcmp(r.type_key, "household")) {
        uint8_t latest[CZ_ENTITY_BYTES];
        cz_record_clear(&r);
        if (cz_exit_latest(t, entity, latest) != CZ_OK) {
            fprintf(stderr, "cunzhan: %s\n", T(c, "this household has no exit assessment: add one with `cunzhan add exit household=ID year=...`",
                                                "该户还没有退出评估：请先用 `cunzhan add exit household=编号 year=...` 添加"));
            return -1;
        }
        memcpy(entity, latest, CZ_ENTITY_BYTES);
        rc = cz_record_load(t, entity, &r);
    }
    if (rc == CZ_OK && strcmp(r.type_key, "exit")) rc = CZ_ETYPE;
    if (rc) {
        fprintf(stderr, "cunzhan: %s: %s\n", arg, rc == CZ_ETYPE ? T(c, "not an exit assessment or a household", "不是退出评估或贫困户")
                                                                : cz_strerror(rc, c->lang));
        cz_record_clear(&r);
        return -1;
    }
    memcpy(exit_entity, entity, CZ_ENTITY_BYTES);
    cz_hex(r.id, CZ_ID_BYTES, version_hex);
    cz_record_clear(&r);
    return 0;
}

/* `approve`'s arguments; 0, or -1 when they are not an approve command line. */
struct approve_args { const char *id, *step, *decision, *notes, *date; };

static int approve_parse(int argc, char **argv, struct approve_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--step") && i + 1 < argc) a->step = argv[++i];
        else if (!strcmp(argv[i], "--reject")) a->decision = "reject";
        else if (!strcmp(argv[i], "--notes") && i + 1 < argc) a->notes = argv[++i];
        else if (!strcmp(argv[i], "--date") && i + 1 < argc) a->date = argv[++i];
        else if (!a->id) a->id = argv[i];
        else return -1;
    }
    return !a->id || !a->step || cz_step_parse(a->step) < 0 ? -1 : 0;
}

/* Why the approval was not signed; returns the exit code. */
static int approve_refused(struct cli *c, int rc, const struct cz_exit_detail *d, const struct cz_field_error *err)
{
    char msg[512];
    switch (rc) {
    case CZ_EROLE: case CZ_EORDER: case CZ_ENOTICE: case CZ_ESTALE: case CZ_EDONE: case CZ_ESAMESIGNER:
    case CZ_EDATECLOCK: case CZ_EDATEORDER: case CZ_EGUARANTEE: case CZ_EINCOME: case CZ_ENOLINE:
        cz_exit_message(rc, d, c->lang, msg, sizeof msg);
        fprintf(stderr, "cunzhan: %s\n", msg);
        fprintf(stderr, "cunzhan: %s\n", T(c, "nothing was stored", "没有保存任何内容"));
        break;
    case CZ_EPERM:
        fprintf(stderr, "cunzhan: %s\n", T(c, "this household lies outside your jurisdiction or role; nothing was stored",
                                            "该户超出您的辖区或角色权限；没有保存任何内容"));
        break;
    default:
        field_error(c, "approval", rc, err);
        break;
    }
    return CZ_EXIT_FAIL;
}

/* After the county decision: the day the notice may close. */
static void say_notice_close(struct cli *c, const struct approve_args *a, const uint8_t exit_entity[CZ_ENTITY_BYTES])
{
    uint64_t close_ms;
    char when[64];
    if (cz_step_parse(a->step) != CZ_STEP_COUNTY || strcmp(a->decision, "approve") ||
        cz_approve_notice_close(c->st, exit_entity, &close_ms) != CZ_OK)
        return;
    cz_format_cst((int64_t)(close_ms / 1000), when, sizeof when);
    fprintf(stderr, T(c, "cunzhan: the public notice may close from %s (China time)\n",
                       "cunzhan: 公示最早可于 %s（北京时间）结束\n"), when);
}

int cmd_approve(struct cli *c, int argc, char **argv)
{
    struct approve_args a = { .decision = "approve" };
    uint8_t exit_entity[CZ_ENTITY_BYTES], entity[CZ_ENTITY_BYTES], version[CZ_ID_BYTES];
    char version_hex[65], hex[65];
    struct cz_field_error err;
    struct cz_exit_detail d;
    cz_view *v = NULL;
    int rc;

    if (approve_parse(argc, argv, &a))
        return usage(c, "approve ID --step village|township|county|notice [--reject] [--notes TEXT] [--date YYYY-MM-DD]",
                     "approve 编号 --step village|township|county|notice [--reject] [--notes 说明] [--date 年-月-日]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if ((rc = cz_view_begin(c->st, &v))) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    rc = exit_of(c, v, a.id, exit_entity, version_hex);
    cz_view_end(v);
    if (rc || login(c)) return CZ_EXIT_FAIL;
    /* The rules first, to say which one fails with what it needs (the day
     * the notice may close, the criterion not met); cz_approve_sign
     * judges them again as it signs. */
    rc = cz_approve_check(c->st, exit_entity, a.step, a.decision, a.date, NULL, &d);
    if (rc == CZ_EDATE || rc == CZ_EFIELD) rc = CZ_OK;   /* field errors: reported by the signing below */
    if (rc == CZ_OK) {
        memset(&d, 0, sizeof d);
        rc = cz_approve_sign(c->st, exit_entity, a.step, a.decision, a.notes, a.date, NULL, entity, version,
                             version_hex, &err);
    }
    if (rc) return approve_refused(c, rc, &d, &err);
    say_notice_close(c, &a, exit_entity);
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(hex));
        json_object_set_new(o, "approves", json_string(version_hex));
        print_json(o);
    } else {
        puts(hex);
    }
    return CZ_EXIT_OK;
}

/* ---- demo ---- */

static void demo_say(const char *step) { fprintf(stderr, "demo: %s\n", step); }

int cmd_demo(struct cli *c, int argc, char **argv)
{
    const char *what = NULL;
    const char *pass = getenv("CUNZHAN_PASSPHRASE");
    if (argc) return usage(c, "demo [-C DIR]", "demo [-C 文件夹]");
    if (!pass || !*pass) pass = "demo";
    int rc = cz_demo_build(c->dir, pass, demo_say, &what);
    if (rc == CZ_EEXIST) {
        fprintf(stderr, "cunzhan: %s: %s\n", c->dir, T(c, "a demo (or a station) already lives here; choose another folder with -C",
                                                        "这里已有演示数据（或村站）；请用 -C 选择其他文件夹"));
        return CZ_EXIT_FAIL;
    }
    if (rc) {
        fprintf(stderr, "cunzhan: demo: %s: %s\n", what ? what : "?", cz_strerror(rc, c->lang));
        return CZ_EXIT_FAIL;
    }
    printf(T(c, "demo ready in %s: office, yangshuwan, nanzhai (passphrase: %s)\n",
              "演示数据已建立于 %s：office、yangshuwan、nanzhai（口令：%s）\n"), c->dir,
           getenv("CUNZHAN_PASSPHRASE") ? T(c, "from CUNZHAN_PASSPHRASE", "同 CUNZHAN_PASSPHRASE") : "demo");
    return CZ_EXIT_OK;
}
