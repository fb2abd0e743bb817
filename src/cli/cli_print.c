/* cli_print.c — `cunzhan print card|notice|report`: the documents of
 * print.h as A4 PDFs (src/CLI.md, "Printing").  The document is Chinese
 * unless --lang (or CUNZHAN_LANG) asks for English: it is posted in a
 * village whatever the PC's locale; messages follow the person's language. */
#include "cli.h"
#include "cli_int.h"
#include "fsutil.h"
#include "parse.h"
#include "print.h"
#include "stickfind.h"
#include "text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct print_args {
    const char *doc, *to, *village, *township, *region, *year;
    char **ids;
    int nids;
};

static int print_usage(struct cli *c)
{
    return usage(c, "print card HOUSEHOLD... | print card --village CODE | print notice --village CODE|--township CODE "
                    "[--year Y] | print report [--region CODE]  (each [--to FILE.pdf])",
                 "print card 户编号... | print card --village 代码 | print notice --village 代码|--township 代码 "
                 "[--year 年] | print report [--region 代码]（均可加 [--to 文件.pdf]）");
}

static int parse_args(struct cli *c, int argc, char **argv, struct print_args *a)
{
    if (argc < 1) return -1;
    a->doc = argv[0];
    a->ids = calloc((size_t)argc, sizeof *a->ids);
    if (!a->ids) return -1;
    for (int i = 1; i < argc; i++) {
        const char **opt = !strcmp(argv[i], "--to") ? &a->to : !strcmp(argv[i], "--village") ? &a->village
                           : !strcmp(argv[i], "--township") ? &a->township : !strcmp(argv[i], "--region") ? &a->region
                           : !strcmp(argv[i], "--year") ? &a->year : NULL;
        if (opt && i + 1 < argc) *opt = argv[++i];
        else if (opt || argv[i][0] == '-') return -1;
        else a->ids[a->nids++] = argv[i];
    }
    if (!strcmp(a->doc, "card")) return (a->nids > 0) != (a->village != NULL) && !a->township && !a->region && !a->year ? 0 : -1;
    if (!strcmp(a->doc, "notice")) return !a->nids && (a->village != NULL) != (a->township != NULL) && !a->region ? 0 : -1;
    if (!strcmp(a->doc, "report")) return !a->nids && !a->village && !a->township && !a->year ? 0 : -1;
    return -1;
}

struct found { uint8_t entity[CZ_ENTITY_BYTES]; size_t n; };

static int found_one(void *ctx, const uint8_t entity[CZ_ENTITY_BYTES])
{
    struct found *f = ctx;
    if (f->n++ == 0) memcpy(f->entity, entity, CZ_ENTITY_BYTES);
    return 0;
}

/* A household by its number (one household only: numbers may repeat
 * between villages, and then its id tells them apart) or by a hex prefix
 * of its id.  CZ_OK, or the status after a message naming arg. */
static int household_arg(struct cli *c, cz_view *v, const char *arg, uint8_t out[CZ_ENTITY_BYTES])
{
    struct cz_assign filter = { .field = "number", .value = arg };
    struct cz_field_error err;
    struct found f = { .n = 0 };
    char safe[256];
    int rc = cz_query_list(cz_view_txn(v), cz_schema_type("household"), &filter, 1, found_one, &f, &err);
    if (rc == CZ_OK && f.n == 1) {
        memcpy(out, f.entity, CZ_ENTITY_BYTES);
        return CZ_OK;
    }
    if (rc == CZ_OK && f.n > 1) {
        fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(arg, safe, sizeof safe),
                T(c, "several households have this number (in different villages): give the id `cunzhan find` prints",
                  "有几户是这个户编号（在不同的村）：请给出 `cunzhan find` 显示的记录号"));
        return CZ_EAMBIG;
    }
    rc = cz_view_resolve(v, arg, out);
    if (rc == CZ_EINVAL || rc == CZ_ENOTFOUND) rc = CZ_ENOHOUSEHOLD;
    if (rc) fprintf(stderr, "cunzhan: %s: %s\n", cz_text_safe(arg, safe, sizeof safe), cz_strerror(rc, c->lang));
    return rc;
}

static int households(struct cli *c, const struct print_args *a, uint8_t (**out)[CZ_ENTITY_BYTES])
{
    cz_view *v = NULL;
    int rc = cz_view_begin(c->st, &v);
    if (rc) { say_error(c, rc, NULL); return rc; }
    *out = calloc((size_t)a->nids, sizeof **out);
    if (!*out) rc = CZ_ENOMEM;
    for (int i = 0; rc == CZ_OK && i < a->nids; i++) rc = household_arg(c, v, a->ids[i], (*out)[i]);
    if (rc == CZ_ENOMEM) say_error(c, rc, NULL);
    cz_view_end(v);
    return rc;
}

/* The file name when --to is not given: in the working folder, named by
 * the document and what it is of. */
static void default_path(const struct print_args *a, char *buf, size_t size)
{
    const char *what = a->village ? a->village : a->township ? a->township : a->region ? a->region
                     : a->nids ? a->ids[0] : NULL;
    cz_print_file_name(a->doc, what, buf, size);
}

/* The mount of the USB stick the file goes onto ("" when it goes onto
 * this PC's own disk), so that a full or read-only one is said as a
 * stick's: the fix is the stick's, not this PC's. */
static void stick_of(const char *path, char *mount, size_t size)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct cz_stick_places places;
    struct cz_stick *sticks = NULL;
    size_t n = 0;
    mount[0] = 0;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    if (!realpath(dir, real)) return;
    cz_stick_places_default(&places);
    if (cz_sticks_find(&places, &sticks, &n) != CZ_OK) n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(sticks[i].mount);
        if (len && !strncmp(real, sticks[i].mount, len) && (real[len] == 0 || real[len] == '/')) {
            if (len < size) memcpy(mount, sticks[i].mount, len + 1);
            break;
        }
    }
    free(sticks);
}

static void print_failed(struct cli *c, int rc, const struct cz_print_out *o)
{
    char msg[4400], mount[4096];
    if (rc == CZ_EDISKFULL || rc == CZ_EREADONLY || rc == CZ_EACCESS) {
        stick_of(o->path, mount, sizeof mount);
        if (mount[0]) rc = cz_fs_stick_status(mount, rc);
    }
    /* The database's own failures name its folder, as every command does. */
    if (cz_status_is_store(rc) && rc != CZ_EREADONLY && rc != CZ_EDISKFULL && rc != CZ_EACCESS) {
        say_error(c, rc, NULL);
        return;
    }
    cz_print_message(rc, o, c->lang, msg, sizeof msg);
    fprintf(stderr, "cunzhan: %s\n", msg);
}

int cmd_print(struct cli *c, int argc, char **argv)
{
    struct print_args a = { 0 };
    uint8_t (*hh)[CZ_ENTITY_BYTES] = NULL;
    char path[4096];
    uint32_t year = 0;
    int rc, exit = CZ_EXIT_FAIL;
    if (parse_args(c, argc, argv, &a)) { free(a.ids); return print_usage(c); }
    if (a.year) {
        char *end;
        unsigned long y = strtoul(a.year, &end, 10);
        if (*end || y < 1900 || y > 9999) { free(a.ids); return usage(c, "--year takes a year such as 2018", "--year 应为年份，例如 2018"); }
        year = (uint32_t)y;
    }
    if ((a.village && strlen(a.village) != 12) || (a.township && strlen(a.township) != 9)) {
        free(a.ids);
        return usage(c, "--village takes a village's 12-digit code, --township a township's 9 digits",
                     "--village 应为村的 12 位代码，--township 应为乡镇的 9 位代码");
    }
    if (open_station(c)) { free(a.ids); return CZ_EXIT_FAIL; }
    if (a.to) snprintf(path, sizeof path, "%s", a.to);
    else default_path(&a, path, sizeof path);
    struct cz_print_out o = { .path = path, .lang = c->lang_explicit ? c->lang : CZ_LANG_ZH };
    if (!strcmp(a.doc, "card") && a.nids) {
        if ((rc = households(c, &a, &hh))) goto out;
        rc = cz_print_card(c->st, (const uint8_t (*)[CZ_ENTITY_BYTES])hh, (size_t)a.nids, &o);
    } else if (!strcmp(a.doc, "card")) {
        rc = cz_print_card_village(c->st, a.village, &o);
    } else if (!strcmp(a.doc, "notice")) {
        rc = cz_print_notice(c->st, a.village ? a.village : a.township, year, &o);
    } else {
        rc = cz_print_report(c->st, a.region, &o);
    }
    if (rc) {
        print_failed(c, rc, &o);
        /* A mistyped code is a usage error, as for `report --region`. */
        if (rc == CZ_EPLACECODE || rc == CZ_ENOPLACE) exit = CZ_EXIT_USAGE;
        goto out;
    }
    char shown[4096 + 64];
    printf(T(c, "wrote %s: %zu page(s)\n", "已写入 %s：共 %zu 页\n"), cz_text_safe(path, shown, sizeof shown), o.pages);
    exit = CZ_EXIT_OK;
out:
    free(hh);
    free(a.ids);
    return exit;
}
