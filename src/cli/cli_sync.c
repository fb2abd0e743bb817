/* cli_sync.c — the stick: export, import, and the conflicts that
 * concurrent edits leave (conflicts, resolve) (src/CLI.md). */
#include "cli.h"
#include "hex.h"
#include "cli_int.h"
#include "cli_progress.h"
#include "conflicts.h"
#include "keys.h"
#include "merge.h"
#include "station.h"
#include "status.h"
#include "stick.h"
#include "stickfind.h"
#include "sync.h"
#include "text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int peer_matches(const struct cz_peer *p, const char *want)
{
    char hex[65];
    size_t n = strlen(want);
    cz_hex(p->box, 32, hex);
    if (!strcmp(p->name, want)) return 1;
    return n >= 6 && n <= 64 && !strncasecmp(hex, want, n);
}

/* "/dev/sdb1  7.5 GB  vfat  U PAN" for a stick not mounted. */
static void describe_unmounted(const struct cz_stick *s, char *buf, size_t size)
{
    char sz[32], label[sizeof s->label * 3 + 8];
    cz_stick_size_text(s->bytes, sz, sizeof sz);
    cz_text_safe(s->label, label, sizeof label);
    snprintf(buf, size, "%s%s%s%s%s%s%s", s->node, sz[0] ? "  " : "", sz, s->fstype[0] ? "  " : "", s->fstype,
             label[0] ? "  " : "", label);
}

/* How to mount the unmounted sticks listed (the mount offer, CLI.md). */
static void print_mount_help(struct cli *c, const struct cz_stick *v, size_t n, int udisks)
{
    char line[1024], where[32];
    for (size_t i = 0, k = 0; i < n; i++) {
        if (v[i].state == CZ_STICK_MOUNTED) continue;
        describe_unmounted(&v[i], line, sizeof line);
        fprintf(stderr, "  %s%s\n", line, v[i].state == CZ_STICK_LOCKED ? T(c, "  (encrypted, locked)", "  （已加密，未解锁）") : "");
        if (udisks && v[i].state == CZ_STICK_LOCKED)
            fprintf(stderr, "    %s\n      udisksctl unlock -b %s\n", T(c, "to unlock it (asks its passphrase), run:", "解锁（会询问其口令），运行："), v[i].node);
        else if (udisks)
            fprintf(stderr, "    %s\n      udisksctl mount -b %s\n", T(c, "to mount it, run:", "挂载，运行："), v[i].node);
        else {
            snprintf(where, sizeof where, k ? "/mnt/usb%zu" : "/mnt/usb", k + 1);
            k++;
            cz_stick_mount_line(&v[i], where, line, sizeof line);
            fprintf(stderr, "    %s\n      %s\n", T(c, "to mount it, as root run:", "挂载，以 root 身份运行："), line);
        }
    }
    fprintf(stderr, "  %s\n", T(c, "then run this command again (or name a folder: --to DIR, import DIR)",
                                 "然后重新运行本命令（或指定文件夹：--to 文件夹，import 文件夹）"));
}

/* The one stick plugged in but not mounted, mounted through udisksctl when
 * the person at the terminal says so; 0 with its mount point in buf, -1
 * when declined, -2 when udisksctl failed (said, with the line to run). */
static int offer_mount(struct cli *c, const struct cz_stick_places *p, const struct cz_stick *s, char *buf, size_t size)
{
    char line[1024], why[512], where[32] = "/mnt/usb";
    describe_unmounted(s, line, sizeof line);
    fprintf(stderr, "cunzhan: %s %s\n", T(c, "a USB stick is plugged in but not mounted:", "插着一个U盘，但没有挂载："), line);
    fprintf(stderr, "%s", T(c, "mount it now (udisksctl)? [Y/n] ", "现在挂载它（udisksctl）吗？[Y/n] "));
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin) || (line[0] != '\n' && line[0] != 'y' && line[0] != 'Y')) return -1;
    int rc = cz_stick_mount(p, s, buf, size, why, sizeof why);
    if (rc == CZ_OK) {
        char safe[4096 + 64];
        fprintf(stderr, "cunzhan: %s %s (%s)\n", T(c, "mounted; using the USB stick at", "已挂载；使用U盘："),
                cz_text_safe(buf, safe, sizeof safe), s->dev);
        return 0;
    }
    fprintf(stderr, "cunzhan: %s: %s%s%s\n", s->node, cz_strerror(rc, c->lang), why[0] ? ": " : "",
            cz_text_safe(why, line, sizeof line));
    cz_stick_mount_line(s, where, line, sizeof line);
    fprintf(stderr, "  %s\n    %s\n", T(c, "or as root run:", "或以 root 身份运行："), line);
    return -2;
}

/* None mounted: what is plugged in, and how to mount it. */
static void no_mounted_stick(struct cli *c, const struct cz_stick *v, size_t n)
{
    if (n == 0) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "no USB stick is plugged in (none seen on USB or as an SD card): plug one in, or name a folder with --to DIR (import: import DIR)",
                                            "没有插入U盘（USB 和 SD 卡上都没有找到）：请插入U盘，或用 --to 文件夹 指定（导入：import 文件夹）"));
        return;
    }
    fprintf(stderr, "cunzhan: %s\n", T(c, "a USB stick is plugged in but not mounted:", "插着U盘，但没有挂载："));
    print_mount_help(c, v, n, cz_stick_can_udisks());
}

int choose_stick(struct cli *c, char *buf, size_t size)
{
    struct cz_stick_places p;
    struct cz_stick *v = NULL;
    size_t n = 0, mounted = 0;
    char safe[4096 + 64];
    cz_stick_places_default(&p);
    int rc = cz_sticks_scan(&p, &v, &n);
    while (rc == CZ_OK && mounted < n && v[mounted].state == CZ_STICK_MOUNTED) mounted++;
    if (mounted == 1) {
        snprintf(buf, size, "%s", v[0].mount);
        /* A stick's mount point carries its label, which whoever wrote the stick chose. */
        fprintf(stderr, "cunzhan: %s %s (%s)\n", T(c, "using the USB stick at", "使用U盘："),
                cz_text_safe(v[0].mount, safe, sizeof safe), v[0].dev);
        free(v);
        return 0;
    }
    int offer = -1;
    if (mounted == 0 && n == 1 && v[0].state == CZ_STICK_UNMOUNTED && cz_stick_can_udisks() && isatty(0) && isatty(2))
        offer = offer_mount(c, &p, &v[0], buf, size);
    if (offer == 0) {
        free(v);
        return 0;
    }
    if (mounted == 0 && offer == -1)
        no_mounted_stick(c, v, n);
    else if (mounted > 1) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "several USB sticks are mounted; name one with --to DIR (import: import DIR):",
                                            "挂载了多个U盘；请用 --to 文件夹 指定其一（导入：import 文件夹）："));
        for (size_t i = 0; i < mounted; i++) fprintf(stderr, "  %s  (%s)\n", cz_text_safe(v[i].mount, safe, sizeof safe), v[i].dev);
    }
    free(v);
    return CZ_EXIT_USAGE;
}

/* `export`'s arguments; 0, or -1 when they are not an export command line. */
struct export_args { const char *to; int full; char **want; int nfor; };

static int export_parse(int argc, char **argv, struct export_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) a->to = argv[++i];
        else if (!strcmp(argv[i], "--for") && i + 1 < argc) a->want[a->nfor++] = argv[++i];
        else if (!strcmp(argv[i], "--full")) a->full = 1;
        else return -1;
    }
    return 0;
}

/* Every --for names an enrolled station, and there is one at all; 1 after
 * saying which is missing. */
static int check_wanted(struct cli *c, const struct export_args *a, const struct cz_peer *peers, size_t npeers)
{
    int failed = 0;
    for (int i = 0; i < a->nfor; i++) {
        int found = 0;
        for (size_t k = 0; k < npeers; k++) found |= peer_matches(&peers[k], a->want[i]);
        if (!found) {
            fprintf(stderr, "cunzhan: %s: %s\n", a->want[i], T(c, "no enrolled station by that name or key: see `cunzhan enrol`",
                                                               "没有该名称或密钥的已认证站点：请查看 `cunzhan enrol`"));
            failed = 1;
        }
    }
    if (npeers == 0) {
        fprintf(stderr, "cunzhan: %s\n", T(c, "no station is enrolled yet: import a station's bundle, then `cunzhan enrol`",
                                            "还没有已认证的站点：请先导入村站的数据包，再运行 `cunzhan enrol`"));
        failed = 1;
    }
    return failed;
}

static json_t *export_json(const struct cz_peer *p, const struct cz_export_result *res)
{
    json_t *o = json_object();
    char hex[65];
    cz_hex(p->box, 32, hex);
    json_object_set_new(o, "for", json_string(p->name));
    json_object_set_new(o, "box", json_string(hex));
    json_object_set_new(o, "file", json_string(res->path));
    json_object_set_new(o, "entries", json_integer((json_int_t)res->entries));
    json_object_set_new(o, "outside_jurisdiction", json_integer((json_int_t)res->skipped_scope));
    json_object_set_new(o, "bytes", json_integer((json_int_t)res->bytes));
    json_object_set_new(o, "seq", json_integer((json_int_t)res->seq));
    json_object_set_new(o, "nothing_new", json_boolean(res->nothing_new));
    json_object_set_new(o, "superseded", json_integer((json_int_t)res->superseded));
    json_object_set_new(o, "temp_swept", json_integer((json_int_t)res->swept));
    return o;
}

static void export_text(struct cli *c, const struct cz_peer *p, const struct cz_export_result *res)
{
    char nm[CZ_NAME_MAX * 3 + 8], safe[4096 + 64];
    if (res->nothing_new) {
        printf(T(c, "nothing new for %s: no bundle written\n", "没有给%s的新内容：未写入数据包\n"),
               cz_text_safe(p->name, nm, sizeof nm));
    } else {
        printf(T(c, "%s: %zu entries -> %s\n", "%s：%zu 条记录 -> %s\n"), cz_text_safe(p->name, nm, sizeof nm),
               res->entries, cz_text_safe(res->path, safe, sizeof safe));
        if (res->superseded)
            printf(T(c, "  %zu older bundle(s) for %s removed: this one carries what they did\n",
                      "  已删除给%2$s的 %1$zu 个旧数据包：新数据包已包含其内容\n"),
                   res->superseded, cz_text_safe(p->name, nm, sizeof nm));
    }
    if (res->swept)
        printf(T(c, "  %zu unfinished temp file(s) of an earlier export removed\n",
                  "  已删除之前导出中断留下的 %zu 个临时文件\n"), res->swept);
}

/* The bundles for the stations chosen (all with no --for); 1 when any
 * could not be written. */
static int export_all(struct cli *c, const struct export_args *a, const struct cz_peer *peers, size_t npeers)
{
    int failed = 0, rc;
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t k = 0; k < npeers; k++) {
        int chosen = a->nfor == 0;
        for (int i = 0; i < a->nfor; i++) chosen |= peer_matches(&peers[k], a->want[i]);
        if (!chosen) continue;
        struct cz_export_result res;
        struct cli_progress *bar = cli_progress_start(c, "export", "导出", "entries", "条");
        rc = cz_sync_export_with(c->st, a->to, &peers[k], a->full, cli_progress_hook(bar), &res);
        cli_progress_done(bar, rc == CZ_OK);
        if (rc) {
            /* A full or write-protected stick is fixed at the stick. */
            say_error(c, rc, cz_status_is_stick(rc) ? a->to : peers[k].name);
            failed = 1;
            continue;
        }
        if (arr) json_array_append_new(arr, export_json(&peers[k], &res));
        else export_text(c, &peers[k], &res);
    }
    if (arr) print_json(arr);
    return failed;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
    struct export_args a = { .want = calloc((size_t)argc + 1, sizeof *a.want) };
    struct cz_peer *peers = NULL;
    size_t npeers = 0;
    char stick[4096];
    int rc, ret = CZ_EXIT_FAIL;

    if (!a.want) return CZ_EXIT_FAIL;
    if (export_parse(argc, argv, &a)) {
        free(a.want);
        return usage(c, "export [--to DIR] [--for STATION...] [--full]", "export [--to 文件夹] [--for 站点...] [--full]");
    }
    if (!a.to) {
        if ((rc = choose_stick(c, stick, sizeof stick))) { free(a.want); return rc; }
        a.to = stick;
    }
    if (open_station(c) || login(c)) goto cleanup;
    if ((rc = cz_sync_peers(c->st, &peers, &npeers))) { say_error(c, rc, NULL); goto cleanup; }
    if (check_wanted(c, &a, peers, npeers)) {
        if (c->json) print_json(json_array());
        goto cleanup;
    }
    if (!export_all(c, &a, peers, npeers)) ret = CZ_EXIT_OK;
cleanup:
    free(peers);
    free(a.want);
    return ret;
}

struct import_out {
    struct cli *c;
    json_t *list;
    struct cli_progress *bar;   /* wiped before a refused entry is named */
};

static void refused_cb(void *ctx, const uint8_t id[CZ_ID_BYTES], const uint8_t origin[32], int why)
{
    struct import_out *io = ctx;
    char hex[65], fp[24];
    cz_hex(id, CZ_ID_BYTES, hex);
    cz_fingerprint(origin, fp);
    if (io->list) {
        json_t *o = json_object();
        char ohex[65];
        cz_hex(origin, 32, ohex);
        json_object_set_new(o, "entry", json_string(hex));
        json_object_set_new(o, "author", json_string(ohex));
        json_object_set_new(o, "reason", json_string(cz_strerror(why, io->c->lang)));
        json_object_set_new(o, "code", json_string(cz_status_name(why)));
        json_array_append_new(io->list, o);
    } else {
        cli_progress_clear(io->bar);
        printf("  %s %.16s (%s %s): %s\n", T(io->c, "refused entry", "拒收记录"), hex,
               T(io->c, "key", "密钥"), fp, cz_strerror(why, io->c->lang));
    }
}

static const char *status_word(int status)
{
    return status == CZ_OK ? "imported" : status == CZ_ESEEN ? "already" : status == CZ_ENOTFORUS ? "not_for_us" : "refused";
}

/* Who sent and who signed a bundle, by name, once the bundle could be
 * opened far enough to say so; empty strings otherwise. */
static void import_names(struct cli *c, const struct cz_import_result *res, char sender[160], char signer[160])
{
    cz_view *v = NULL;
    sender[0] = signer[0] = 0;
    if (res->status == CZ_EMAGIC || res->status == CZ_EOLDFORMAT || res->status == CZ_EVERSION ||
        res->status == CZ_ETRUNC || res->status == CZ_ESIG || cz_view_begin(c->st, &v) != CZ_OK)
        return;
    signer_name(cz_view_txn(v), cz_station_info(c->st), res->sender_box, c->lang, sender, 160);
    signer_name(cz_view_txn(v), cz_station_info(c->st), res->signer, c->lang, signer, 160);
    cz_view_end(v);
}

static json_t *import_json(struct cli *c, const char *path, const struct cz_import_result *res, const char *sender,
                           const char *signer, json_t *refused)
{
    json_t *o = json_object();
    char hex[65];
    json_object_set_new(o, "file", json_string(path));
    cz_hex(res->id, CZ_ID_BYTES, hex);
    json_object_set_new(o, "bundle", json_string(sender[0] ? hex : ""));
    json_object_set_new(o, "status", json_string(status_word(res->status)));
    if (res->status) {
        json_object_set_new(o, "reason", json_string(cz_strerror(res->status, c->lang)));
        json_object_set_new(o, "code", json_string(cz_status_name(res->status)));
    }
    json_object_set_new(o, "sender", json_string(sender));
    json_object_set_new(o, "signed_by", json_string(signer));
    json_object_set_new(o, "seq", json_integer((json_int_t)res->seq));
    json_object_set_new(o, "new", json_integer((json_int_t)res->fresh));
    json_object_set_new(o, "duplicate", json_integer((json_int_t)res->duplicate));
    json_object_set_new(o, "pending", json_integer((json_int_t)res->pending));
    json_object_set_new(o, "forks", json_integer((json_int_t)res->forks));
    json_object_set_new(o, "refused", json_integer((json_int_t)res->refused));
    json_object_set_new(o, "clock_ahead", json_integer((json_int_t)res->clock_ahead));
    json_object_set_new(o, "held", json_integer((json_int_t)res->held));
    json_object_set_new(o, "released", json_integer((json_int_t)res->released));
    json_object_set_new(o, "acknowledgement", json_boolean(res->sender_trusted));
    json_object_set_new(o, "completed_unfinished", json_boolean(res->resumed));
    json_object_set_new(o, "abandoned_unfinished", json_boolean(res->abandoned));
    if (res->root_changed) {
        cz_hex(res->root, 32, hex);
        json_object_set_new(o, "new_root", json_string(hex));
    }
    json_object_set_new(o, "refused_entries", refused);
    return o;
}

/* A bundle taken in: what came, what waits, what the sender's trust means. */
static void import_text_ok(struct cli *c, const struct cz_import_result *res, const char *sender, const char *signer)
{
    printf(T(c, "  from %s (bundle %llu, signed by %s): %zu new (%zu from keys not yet certified), %zu duplicates, %zu refused%s\n",
              "  来自 %s（第 %llu 个数据包，签名人 %s）：新增 %zu 条（其中 %zu 条来自尚未认证的密钥），重复 %zu 条，拒收 %zu 条%s\n"),
           sender, (unsigned long long)res->seq, signer, res->fresh, res->pending, res->duplicate, res->refused,
           res->forks ? T(c, "; FORK found: show a supervisor", "；发现分叉：请报告审核员") : "");
    if (res->resumed)
        printf("  %s\n", T(c, "(this completes the import of this bundle that was cut short: what it stored then counts as duplicates)",
                             "（本次完成了该数据包先前中断的导入：当时已保存的记录计为重复）"));
    if (res->held || res->released)
        printf(T(c, "  %zu held until a record they name arrives or their author is certified (kept, not counted, not sent on); %zu held earlier now let in\n",
                  "  %zu 条暂存，待其引用的记录到达或作者获得认证（已保留，不计入，不转发）；%zu 条先前暂存的现已接收\n"),
               res->held, res->released);
    if (!res->sender_trusted)
        printf("  %s\n", T(c, "(the signer is not a certified person of the sending station: what it says it holds is not taken as that station's acknowledgement)",
                             "（签名人不是发送站点的已认证人员：其所称已有的数据不作为该站的确认）"));
    if (res->root_changed) {
        char fp[24];
        cz_fingerprint(res->root, fp);
        printf(T(c, "  the office root key was replaced (root rollover): this station now pins %s\n",
                  "  市办根密钥已更换：本站现固定新根密钥 %s\n"), fp);
    }
    if (res->clock_ahead)
        printf(T(c, "  %zu of them carry a clock more than a day ahead of this PC's: kept, but this station's clock does not follow; check the sender's date and time\n",
                  "  其中 %zu 条的时钟比本机快一天以上：已保留，但本站时钟不跟随；请检查发送方电脑的日期和时间\n"),
               res->clock_ahead);
}

static void import_text(struct cli *c, const struct cz_import_result *res, const char *sender, const char *signer)
{
    if (res->status == CZ_OK)
        import_text_ok(c, res, sender, signer);
    else if (res->status == CZ_ESEEN)
        printf("  %s\n", cz_strerror(res->status, c->lang));
    else if (res->abandoned)
        printf("  %s: %s; %s\n", T(c, "refused", "拒收"), cz_strerror(res->status, c->lang),
               T(c, "its earlier import, cut short, can never be completed: it is no longer listed as unfinished, "
                    "and what it stored stays, counted only as the rules allow",
                 "此前中断的导入再也无法完成：不再列为未完成；当时已保存的记录保留，仅按规则计入"));
    else
        printf("  %s: %s; %s\n", T(c, "refused", "拒收"), cz_strerror(res->status, c->lang),
               T(c, "nothing changed", "没有任何改变"));
}

/* One bundle file; returns 1 when it was refused or entries were refused. */
static int import_one(struct cli *c, const char *path, json_t *arr)
{
    struct cz_import_result res;
    struct import_out io = { .c = c, .list = arr ? json_array() : NULL };
    char safe[4096 + 64], sender[160], signer[160];
    int rc;
    /* Streamed from the file, never read whole (a bundle may be large);
     * opened as a regular file only, never through a link (a FIFO or a
     * link on a stick is named and refused).  Its name, from the stick,
     * is printed filtered. */
    if (!arr) printf("%s\n", cz_text_safe(path, safe, sizeof safe));
    /* When a transaction of the import filled the database's map, that
     * transaction alone is undone and the map has grown meanwhile
     * (store.h): run again, the import goes on from its last commit. */
    io.bar = cli_progress_start(c, "import", "导入", "entries", "条");
    for (int tries = 0;; tries++) {
        rc = cz_sync_import_file_with(c->st, path, refused_cb, &io, cli_progress_hook(io.bar), &res);
        if (rc != CZ_EDBFULL || tries == CZ_CLI_MAP_RETRIES) break;
    }
    cli_progress_done(io.bar, rc == CZ_OK);
    if (rc) {
        say_error(c, rc, path);
        if (res.unfinished)
            fprintf(stderr, "cunzhan: %s\n",
                    T(c, "part of this bundle is applied and the import is noted as unfinished: import the bundle again to complete it",
                      "该数据包已导入一部分，本次导入记为未完成：请再次导入该数据包以完成"));
        json_decref(io.list);
        return 1;
    }
    import_names(c, &res, sender, signer);
    if (arr) json_array_append_new(arr, import_json(c, path, &res, sender, signer, io.list));
    else import_text(c, &res, sender, signer);
    return (res.status && res.status != CZ_ESEEN) || res.refused || res.forks;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
    int failed = 0, any = 0;
    char stick[4096], *only[1] = { stick };
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-') return usage(c, "import [DIR|FILE...]", "import [文件夹|文件...]");
    if (argc == 0) {
        int rc = choose_stick(c, stick, sizeof stick);
        if (rc) return rc;
        argc = 1;
        argv = only;
    }
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    json_t *arr = c->json ? json_array() : NULL;
    for (int i = 0; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) { say_error(c, CZ_ENOTFOUND, argv[i]); failed = 1; continue; }
        if (!S_ISDIR(sb.st_mode)) {
            failed |= import_one(c, argv[i], arr);
            any = 1;
            continue;
        }
        /* A stick is a mailbag: only this station's folder is read. */
        char **files = NULL;
        size_t n = 0;
        int rc = cz_stick_bundles(argv[i], cz_station_info(c->st)->box_pk, &files, &n);
        if (rc && rc != CZ_ENOTFOUND) {
            char inbox[4096 + 64];
            /* A link where the stick's folders belong: named, never followed. */
            cz_bundle_inbox(argv[i], cz_station_info(c->st)->box_pk, inbox, sizeof inbox);
            say_error(c, rc, rc == CZ_ENOTPLAIN ? inbox : argv[i]);
            failed = 1;
        }
        for (size_t k = 0; k < n; k++) {
            failed |= import_one(c, files[k], arr);
            any = 1;
        }
        cz_stick_bundles_free(files, n);
    }
    if (!any && !failed)
        fprintf(stderr, "cunzhan: %s\n", cz_strerror(CZ_ENOSTICK, c->lang));
    if (arr) print_json(arr);
    return failed ? CZ_EXIT_FAIL : CZ_EXIT_OK;
}

/* ---- conflicts ---- */

struct conflicts_out { struct cli *c; cz_txn *t; const struct cz_type *type; json_t *arr; size_t count; };

static int conflicts_cb(void *ctx, const struct cz_type *type, const uint8_t entity[CZ_ENTITY_BYTES],
                        const struct cz_merged *mp)
{
    struct conflicts_out *co = ctx;
    struct cli *c = co->c;
    const struct cz_merged m = *mp;
    char hex[65], title[256] = "", buf[1024], who[160];
    co->type = type;
    co->count++;
    cz_hex(entity, CZ_ENTITY_BYTES, hex);
    if (m.body) cz_schema_title(co->type, m.body, title, sizeof title);
    json_t *jo = NULL, *jc = NULL;
    if (co->arr) {
        jo = json_object();
        jc = json_array();
        json_object_set_new(jo, "id", json_string(hex));
        json_object_set_new(jo, "type", json_string(co->type->key));
        json_object_set_new(jo, "title", json_string(title));
        json_object_set_new(jo, "heads", json_integer((json_int_t)m.nheads));
    } else {
        printf("%.12s  %s  %s\n", hex, T(c, co->type->en, co->type->zh), title);
    }
    for (size_t i = 0; i < m.nconflicts; i++) {
        const struct cz_merge_conflict *k = &m.conflicts[i];
        const struct cz_field *f = k->tag ? cz_schema_field_by_tag(co->type, k->tag) : NULL;
        const char *fkey = k->tag == 0 ? "deleted" : f ? f->key : "?";
        json_t *jv = co->arr ? json_array() : NULL;
        if (!jv) printf("  %s:\n", k->tag == 0 ? T(c, "deleted on one side, edited on another", "一方删除、另一方修改")
                                              : f ? T(c, f->en, f->zh) : "?");
        for (size_t j = 0; j < k->n; j++) {
            buf[0] = 0;
            if (f && k->v[j].value) format_shown(c, f, k->v[j].value, co->arr ? CZ_LANG_EN : c->lang, !co->arr, buf, sizeof buf);
            signer_name(co->t, cz_station_info(c->st), k->v[j].origin, c->lang, who, sizeof who);
            cz_hex(k->v[j].head, CZ_ID_BYTES, hex);
            if (jv) {
                json_t *o = json_object();
                json_object_set_new(o, "value", json_string(buf));
                json_object_set_new(o, "version", json_string(hex));
                json_object_set_new(o, "by", json_string(who));
                json_object_set_new(o, "provisional_winner", json_boolean(j == 0));
                json_array_append_new(jv, o);
            } else {
                printf("    %s%s  (%s, %.12s)\n", j == 0 ? "* " : "  ", buf[0] ? buf : "-", who, hex);
            }
        }
        if (jv) {
            json_t *o = json_object();
            json_object_set_new(o, "field", json_string(fkey));
            json_object_set_new(o, "values", jv);
            json_array_append_new(jc, o);
        }
    }
    if (jo) {
        json_object_set_new(jo, "conflicts", jc);
        json_array_append_new(co->arr, jo);
    }
    return 0;
}

int cmd_conflicts(struct cli *c, int argc, char **argv)
{
    cz_view *v = NULL;
    if (argc) return usage(c, "conflicts [--json]", "conflicts [--json]");
    if (open_station(c) || read_login(c)) return CZ_EXIT_FAIL;
    int rc = cz_view_begin(c->st, &v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    struct conflicts_out co = { .c = c, .t = cz_view_txn(v), .arr = c->json ? json_array() : NULL };
    rc = cz_conflicts_each(co.t, conflicts_cb, &co);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); json_decref(co.arr); return CZ_EXIT_FAIL; }
    if (co.arr) print_json(co.arr);
    else if (co.count == 0) printf("%s\n", T(c, "no conflicts", "没有冲突"));
    else printf("%s\n", T(c, "* marks the value shown until someone runs `cunzhan resolve ID FIELD=VALUE...`",
                           "* 表示在有人运行 `cunzhan resolve 编号 字段=值...` 之前暂时显示的值"));
    masked_note(c);
    return CZ_EXIT_OK;
}

int cmd_resolve(struct cli *c, int argc, char **argv)
{
    uint8_t entity[CZ_ENTITY_BYTES], id[CZ_ID_BYTES], heads[2][CZ_ID_BYTES];
    struct cz_field_error err;
    struct cz_assign *a = NULL;
    size_t nh = 0;
    cz_view *v = NULL;
    int rc;
    if (argc < 1) return usage(c, "resolve ID [FIELD=VALUE...]", "resolve 编号 [字段=值...]");
    if (open_station(c)) return CZ_EXIT_FAIL;
    if (lookup_entity(c, argv[0], entity)) return CZ_EXIT_FAIL;
    /* Checked before the login too, so nobody types a passphrase for nothing
     * (cz_resolve checks again). */
    if ((rc = cz_view_begin(c->st, &v)) == CZ_OK)
        rc = cz_view_heads(v, entity, heads, 2, &nh);
    cz_view_end(v);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (nh < 2) goto not_concurrent;
    if (!(a = parse_assignments(c, argv + 1, argc - 1)) || login(c)) { free(a); return CZ_EXIT_FAIL; }
    rc = cz_resolve(c->st, entity, a, (size_t)argc - 1, id, &err);
    free(a);
    if (rc == CZ_ENOTFOUND && !err.field && !err.name[0]) goto not_concurrent;
    if (rc) {
        if (err.field || err.name[0]) field_error(c, "", rc, &err);
        else say_error(c, rc, argv[0]);
        return CZ_EXIT_FAIL;
    }
    char hex[65];
    cz_hex(id, CZ_ID_BYTES, hex);
    printf("%s\n", hex);
    return CZ_EXIT_OK;
not_concurrent:
    fprintf(stderr, "cunzhan: %s: %s\n", argv[0], T(c, "this record has no concurrent versions to resolve; use `edit`",
                                                  "该记录没有需要解决的并发版本；请用 `edit`"));
    return CZ_EXIT_FAIL;
}
