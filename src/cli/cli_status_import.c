/* cli_status_import.c — what `status` says of imports cut short
 * (sync.h, cz_sync_unfinished): each bundle half applied, its file and
 * sender, and what to do. */
#include "cli_int.h"
#include "hex.h"
#include "sync.h"
#include "text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *unfinished_json(const struct cz_import_unfinished *u)
{
    json_t *o = json_object();
    char hex[65], when[64];
    cz_hex(u->id, CZ_ID_BYTES, hex);
    json_object_set_new(o, "bundle", json_string(hex));
    json_object_set_new(o, "file", json_string(u->path));
    json_object_set_new(o, "sender", json_string(u->sender));
    cz_hex(u->sender_box, 32, hex);
    json_object_set_new(o, "sender_key", json_string(hex));
    json_object_set_new(o, "seq", json_integer((json_int_t)u->seq));
    format_time((int64_t)(u->since_ms / 1000), when, sizeof when);
    json_object_set_new(o, "since", json_string(when));
    return o;
}

/* The file name and the sender came from a stick: printed filtered. */
static void unfinished_text(struct cli *c, const struct cz_import_unfinished *u)
{
    char file[4096 * 3 + 8], sender[CZ_NAME_MAX * 3 + 8], when[64];
    format_time((int64_t)(u->since_ms / 1000), when, sizeof when);
    cz_text_safe(u->path[0] ? u->path : "-", file, sizeof file);
    cz_text_safe(u->sender, sender, sizeof sender);
    printf(T(c, "An import is unfinished: bundle %s (no. %llu from %s, begun %s) was cut short and is only partly applied.\n"
                "  Import it again to complete it: cunzhan import %s\n",
             "有一次导入未完成：数据包 %s（第 %llu 号，来自 %s，开始于 %s）中途中断，只导入了一部分。\n"
             "  请再次导入以完成：cunzhan import %s\n"),
           file, (unsigned long long)u->seq, sender, when, file);
}

void cli_status_imports(struct cli *c, json_t *o)
{
    struct cz_import_unfinished *u = NULL;
    size_t n = 0;
    int rc = cz_sync_unfinished(c->st, &u, &n);
    if (rc) { say_error(c, rc, NULL); return; }
    json_t *arr = o ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        if (arr) json_array_append_new(arr, unfinished_json(&u[i]));
        else unfinished_text(c, &u[i]);
    }
    if (arr) json_object_set_new(o, "unfinished_imports", arr);
    free(u);
}
