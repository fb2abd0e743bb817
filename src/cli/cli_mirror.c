/* cli_mirror.c — `cunzhan mirror [URL]`: this station's entries and
 * records into PostgreSQL (mirror.h, src/MIRROR.md), with a progress bar
 * on a terminal and a summary in text or JSON (src/CLI.md, "The mirror"). */
#include "cli.h"
#include "cli_int.h"
#include "cli_progress.h"
#include "mirror.h"
#include "text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CZ_NO_MIRROR
/* The mirror's passes on the command line's one bar (cli_progress.h):
 * entries copied, then records written, then (a first run) rows indexed. */
struct bar { struct cli_progress *p; enum cz_mirror_phase phase; };

static void progress(void *ctx, enum cz_mirror_phase phase, uint64_t done, uint64_t total)
{
    struct bar *b = ctx;
    const struct cz_progress *hook = cli_progress_hook(b->p);
    if (!hook) return;
    if (phase != b->phase && phase == CZ_MIRROR_RECORDS) cli_progress_then(b->p, "mirror: records", "镜像：记录");
    if (phase != b->phase && phase == CZ_MIRROR_KEYS) cli_progress_then(b->p, "mirror: indexes", "镜像：建索引");
    b->phase = phase;
    hook->fn(hook->ctx, (size_t)done, (size_t)total);
}

static void print_summary(struct cli *c, const struct cz_mirror_summary *s)
{
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "server", json_string(s->server));
        json_object_set_new(o, "schema_version", json_integer(s->schema_version));
        json_object_set_new(o, "schema_created", json_boolean(s->schema_created));
        json_object_set_new(o, "keys_built", json_boolean(s->keys_built));
        json_object_set_new(o, "entries_station", json_integer((json_int_t)s->entries_station));
        json_object_set_new(o, "entries_copied", json_integer((json_int_t)s->entries_copied));
        json_object_set_new(o, "records_station", json_integer((json_int_t)s->records_station));
        json_object_set_new(o, "records_written", json_integer((json_int_t)s->records_written));
        json_object_set_new(o, "batches", json_integer((json_int_t)s->batches));
        print_json(o);
        return;
    }
    char safe[512];
    printf(T(c, "Mirrored into %s: %llu new entries (of %llu here), %llu records written (of %llu).\n",
             "已镜像到 %s：新条目 %llu 条（本站共 %llu 条），写入记录 %llu 条（共 %llu 条）。\n"),
           cz_text_safe(s->server, safe, sizeof safe), (unsigned long long)s->entries_copied,
           (unsigned long long)s->entries_station, (unsigned long long)s->records_written,
           (unsigned long long)s->records_station);
}
#endif

int cmd_mirror(struct cli *c, int argc, char **argv)
{
    const char *url = NULL;
    long batch = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            char *end;
            batch = strtol(argv[++i], &end, 10);
            if (*end || batch < 1 || batch > 1000000)
                return usage(c, "mirror --batch takes a number from 1 to 1000000", "mirror --batch 须为 1 到 1000000 的数");
        } else if (argv[i][0] != '-' && !url) {
            url = argv[i];
        } else {
            return usage(c, "mirror [URL] [--batch N] [--json]", "mirror [连接串] [--batch 条数] [--json]");
        }
    }
    if (!url || !*url) url = getenv("CUNZHAN_MIRROR");
    if (!url || !*url)
        return usage(c, "mirror: give the PostgreSQL server (postgresql://USER@HOST/DB) or set CUNZHAN_MIRROR",
                     "mirror：请给出 PostgreSQL 服务器（postgresql://用户@主机/数据库），或设置 CUNZHAN_MIRROR");
#ifdef CZ_NO_MIRROR
    fprintf(stderr, "cunzhan: %s\n", T(c, "this cunzhan was built without the PostgreSQL mirror (make MIRROR=no)",
                                       "此村站程序编译时未包含 PostgreSQL 镜像（make MIRROR=no）"));
    return CZ_EXIT_FAIL;
#else
    if (open_station(c)) return CZ_EXIT_FAIL;
    struct bar bar = { .p = cli_progress_start(c, "mirror: entries", "镜像：条目", "entries", "条"),
                       .phase = CZ_MIRROR_ENTRIES };
    struct cz_mirror_opts o = {
        .conninfo = url,
        .batch = (size_t)batch,
        .progress = bar.p ? progress : NULL,
        .progress_ctx = &bar,
    };
    struct cz_mirror_summary s;
    int rc = cz_mirror_run(c->st, &o, &s);
    cli_progress_done(bar.p, rc == CZ_OK);
    if (rc) {
        char what[300], safe[600];
        snprintf(what, sizeof what, "mirror %s", s.server[0] ? s.server : "");
        say_error(c, rc, what);
        if (s.detail[0])
            fprintf(stderr, "cunzhan: %s %s\n", T(c, "PostgreSQL says:", "PostgreSQL 的说明："),
                    cz_text_safe(s.detail, safe, sizeof safe));
        fprintf(stderr, "cunzhan: %s\n", T(c, "this station's database was only read, not changed",
                                           "本站数据库只被读取，没有改动"));
        return CZ_EXIT_FAIL;
    }
    print_summary(c, &s);
    return CZ_EXIT_OK;
#endif
}
