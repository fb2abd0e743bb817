/* cli_load.c — `load TYPE FILE.csv`: a spreadsheet read strictly
 * (csvload.h) and stored all rows or none (src/CLI.md, src/FORMATS.md).
 * Every refusal names the file, the row and the column, and the fix. */
#include "cli.h"
#include "cli_int.h"
#include "cli_progress.h"
#include "csvload.h"
#include "encoding.h"
#include "fsutil.h"
#include "grow.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cause of the failed call just made. */
static int errno_status(void)
{
    return errno ? cz_fs_errno_status(errno) : CZ_EIO;
}

/* The file, mapped: its pages are the kernel's to read in and drop, so
 * a file of any size costs no heap (a load reads it three times over).
 * The status keeps the cause (cz_fs_errno_status): a missing file, a
 * refused permission and a bad disk have different fixes. */
struct mapped { const char *p; size_t len; int heap; };

/* A pipe or a terminal (`load household /dev/stdin`) cannot be mapped:
 * read whole into the heap. */
static int read_stream(int fd, struct mapped *m)
{
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (cz_grow(&buf, &cap, n + 65536, 1)) { free(buf); return CZ_ENOMEM; }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) { int rc = errno_status(); free(buf); return rc; }
        if (got == 0) break;
        n += (size_t)got;
    }
    m->p = buf;
    m->len = n;
    m->heap = 1;
    return CZ_OK;
}

static int map_file(const char *path, struct mapped *m)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = CZ_OK;
    *m = (struct mapped){ 0 };
    if (fd < 0) return errno_status();
    if (fstat(fd, &sb)) rc = errno_status();
    else if (!S_ISREG(sb.st_mode)) rc = read_stream(fd, m);
    else if ((uint64_t)sb.st_size > SIZE_MAX / 2) rc = CZ_ENOMEM;   /* beyond a 32-bit PC's address space */
    else if (sb.st_size > 0) {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) rc = errno_status();
        else {
            m->p = p;
            m->len = (size_t)sb.st_size;
            madvise(p, m->len, MADV_SEQUENTIAL);
        }
    }
    close(fd);
    return rc;
}

static void unmap_file(struct mapped *m)
{
    if (m->heap) free((void *)m->p);
    else if (m->p) munmap((void *)m->p, m->len);
    *m = (struct mapped){ 0 };
}

/* A column as the spreadsheet names it: A..Z, AA, AB... */
static void column_letters(size_t col, char *buf, size_t size)
{
    char tmp[16];
    size_t n = 0;
    for (; col && n < sizeof tmp; col = (col - 1) / 26) tmp[n++] = (char)('A' + (col - 1) % 26);
    size_t k = 0;
    while (n && k + 1 < size) buf[k++] = tmp[--n];
    buf[k] = 0;
}

struct load_errors {
    struct cli *c;
    const struct cz_type *ty;
    const struct cz_csv *csv;
    json_t *arr;
    size_t n;
    struct cli_progress *bar;   /* wiped before a refused row is named */
};

/* The column of the sheet that holds field f ("" when none does). */
static void column_of(const struct cz_csv *csv, const struct cz_field *f, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t j = 0; f && j < csv->ncols; j++)
        if (csv->cols[j] == f) {
            column_letters(j + 1, buf, size);
            return;
        }
}

static void load_error_cb(void *ctx, size_t row, int status, const struct cz_field_error *err)
{
    struct load_errors *le = ctx;
    char msg[1024], col[16];
    column_of(le->csv, err ? err->field : NULL, col, sizeof col);
    if (err && (err->field || err->name[0])) cz_field_error_message(le->ty, err, le->c->lang, msg, sizeof msg);
    else if (status == CZ_EPERM)
        snprintf(msg, sizeof msg, "%s", T(le->c, "outside your jurisdiction or role", "超出您的辖区或角色权限"));
    else snprintf(msg, sizeof msg, "%s", cz_strerror(status, le->c->lang));
    le->n++;
    size_t line = row;          /* the source's tag: the file's line */
    cli_progress_clear(le->bar);
    if (le->arr) {
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer((json_int_t)line));
        json_object_set_new(o, "column", json_string(col));
        json_object_set_new(o, "field", json_string(err && err->name[0] ? err->name : ""));
        json_object_set_new(o, "message", json_string(msg));
        json_array_append_new(le->arr, o);
    } else if (col[0]) {
        fprintf(stderr, T(le->c, "line %zu: column %s, %s\n", "第 %zu 行：第 %s 列，%s\n"), line, col, msg);
    } else {
        fprintf(stderr, T(le->c, "line %zu: %s\n", "第 %zu 行：%s\n"), line, msg);
    }
}

/* "line 3, column F:" in the person's language: where in the sheet. */
static void csv_place(struct cli *c, const char *file, const struct cz_csv *csv)
{
    char col[16];
    column_letters(csv->bad_col, col, sizeof col);
    if (csv->bad_col)
        fprintf(stderr, T(c, "cunzhan: %s: line %zu, column %s: ", "cunzhan: %s：第 %zu 行第 %s 列："), file, csv->bad_line, col);
    else
        fprintf(stderr, T(c, "cunzhan: %s: line %zu: ", "cunzhan: %s：第 %zu 行："), file, csv->bad_line);
}

static const char *enc_name(int enc)
{
    return enc == CZ_ENC_GB18030 ? "GBK/GB18030" : "UTF-8";
}

/* The fixes for a file that cannot be read as a sheet. */
static void csv_refused_text(struct cli *c, int rc, const struct cz_csv *csv)
{
    switch (rc) {
    case CZ_EUTF8:
        fputs(T(c, "this row is neither UTF-8 nor GB18030 text: save the sheet again as CSV (UTF-8)",
                "这一行既不是 UTF-8 也不是 GB18030 文字：请把表格重新另存为 CSV (UTF-8)"), stderr);
        break;
    case CZ_EMIXENC:
        fprintf(stderr, T(c, "this row is %s text but the rest of the file is %s (%zu rows like it in all): "
                             "rows pasted in from another file? Open the file, save the whole sheet again as CSV (UTF-8) and load that",
                          "这一行是 %s 编码，而文件其余部分是 %s（共 %zu 行如此）：是从别的文件粘贴进来的吗？"
                          "请打开文件，把整张表重新另存为 CSV (UTF-8) 后再导入"),
                enc_name(csv->bad_enc), enc_name(csv->enc), csv->nbad);
        break;
    case CZ_ECSVNUL:
        fputs(T(c, "the file has a NUL byte here: it is not CSV text (Excel's \"Unicode Text\" is UTF-16); save it as CSV (UTF-8)",
                "文件在这里有 NUL 字节：不是 CSV 文本（Excel 的“Unicode 文本”是 UTF-16）；请另存为 CSV (UTF-8)"), stderr);
        break;
    case CZ_ECSVQUOTE:
        fputs(T(c, "this quoted cell is not closed: the file ends inside it (was it cut short?) or text follows its closing quote",
                "这个带引号的单元格没有结束：文件在其中就结束了（文件不完整？），或者结束引号后面还有文字"), stderr);
        break;
    default:
        break;
    }
}

/* Why the CSV file was refused before anything was stored. */
static void csv_refused(struct cli *c, int rc, const struct cz_csv *csv, const char *file)
{
    char col2[16];
    switch (rc) {
    case CZ_EUTF8:
    case CZ_EMIXENC:
    case CZ_ECSVNUL:
    case CZ_ECSVQUOTE:
        csv_place(c, file, csv);
        csv_refused_text(c, rc, csv);
        break;
    case CZ_EEMPTY:
        fprintf(stderr, "cunzhan: %s: %s\n", file, T(c, "the file is empty", "文件是空的"));
        return;
    case CZ_EFIELD:
        csv_place(c, file, csv);
        fprintf(stderr, T(c, "%s: column is not a field of this type (`cunzhan fields` lists them)",
                          "%s：该列不是此类型的字段（运行 `cunzhan fields` 查看）"), csv->bad_column);
        break;
    case CZ_ECSVHEADER:
        column_letters(csv->bad_col2, col2, sizeof col2);
        csv_place(c, file, csv);
        fprintf(stderr, T(c, "%s: column %s already names this field; keep one of the two",
                          "%s：第 %s 列已经是这个字段；两列只保留一列"), csv->bad_column, col2);
        break;
    case CZ_ECSVCELLS:
        csv_place(c, file, csv);
        fprintf(stderr, T(c, "\"%s\" lies beyond the header's %zu columns (%zu rows like it in all): several values in one cell "
                             "must be quoted (\"因病,因残\") or separated by 、 (因病、因残); or the header lacks a column",
                          "“%s”在表头的 %zu 列之外（共 %zu 行如此）：一个单元格里的多个值要加引号（\"因病,因残\"）"
                          "或用、分隔（因病、因残）；或者表头少了一列"),
                csv->bad_value, csv->ncols, csv->nbad);
        break;
    case CZ_EEXCELNUM:
        csv_place(c, file, csv);
        fprintf(stderr, T(c, "%s: \"%s\" is an ID number Excel turned into a number (%zu rows like it in all). Excel keeps only "
                             "15 digits of a number and shows a long one in scientific notation (4.11024E+17), so the "
                             "last digits are lost and cannot be recovered from this file. Fix: in Excel select the column, "
                             "Format Cells > Text, type or paste the ID numbers again from the forms, then save as CSV",
                          "%s：“%s”是被 Excel 当成数字的身份证号（共 %zu 行如此）。Excel 的数字只保留 15 位，"
                          "长数字显示为科学计数法（4.11024E+17），后几位已经丢失，无法从这个文件恢复。改正方法："
                          "在 Excel 中选中这一列，设置单元格格式为“文本”，再按原始表格重新输入或粘贴身份证号，然后另存为 CSV"),
                csv->bad_column, csv->bad_value, csv->nbad);
        break;
    default:
        say_error(c, rc, file);
        return;
    }
    fprintf(stderr, "%s\n", T(c, "; nothing was stored", "；没有保存任何内容"));
}

/* The unfinished load, and what to do about it. */
static void say_unfinished(struct cli *c, const struct cz_load_state *ls)
{
    fprintf(stderr, T(c, "cunzhan: the load of %s (%s) is unfinished: %" PRIu64 " of %" PRIu64 " rows stored.\n"
                         "Load that file again to finish it (cunzhan load %s FILE), or forget it with "
                         "`cunzhan load --abandon` (the rows stored stay); nothing was stored now.\n",
                      "cunzhan: %s（%s）的批量录入尚未完成：已保存 %" PRIu64 " 行，共 %" PRIu64 " 行。\n"
                      "请再次导入那个文件以完成它（cunzhan load %s 文件），或用 `cunzhan load --abandon` "
                      "放弃它（已保存的行保留）；这次没有保存任何内容。\n"),
            ls->name, ls->type, ls->done, ls->total, ls->type);
}

/* What the load came to: stored, rows refused (each already named by
 * load_error_cb), or the database's failure.  Takes le->arr. */
static int load_result(struct cli *c, int rc, size_t stored, const struct cz_load_state *ls,
                       const struct cz_csv *csv, struct load_errors *le, const char *file)
{
    uint64_t before = ls->unfinished ? ls->done : 0;
    if (rc == CZ_OK) {
        if (c->json) {
            json_t *o = json_object();
            json_object_set_new(o, "stored", json_integer((json_int_t)stored));
            json_object_set_new(o, "resumed_after", json_integer((json_int_t)before));
            print_json(o);
        } else if (before) {
            printf(T(c, "%zu records stored, after the %" PRIu64 " stored before: the load of %s is finished\n",
                        "已保存 %zu 条记录，接续此前保存的 %" PRIu64 " 条：%s 的批量录入已完成\n"),
                   stored, before, file);
        } else {
            printf(T(c, "%zu records stored\n", "已保存 %zu 条记录\n"), stored);
        }
        json_decref(le->arr);
        return CZ_EXIT_OK;
    }
    if (rc == CZ_ELOADOTHER) {
        json_decref(le->arr);
        say_unfinished(c, ls);
        return CZ_EXIT_FAIL;
    }
    if (rc == CZ_EFIELD) {
        if (c->json) {
            json_t *o = json_object();
            json_object_set_new(o, "stored", json_integer((json_int_t)stored));
            json_object_set_new(o, "errors", le->arr);
            print_json(o);
        } else {
            json_decref(le->arr);
        }
        if (stored == 0)
            fprintf(stderr, T(c, "cunzhan: %zu of %zu rows refused; nothing was stored. Fix those rows and load the file again.\n",
                               "cunzhan: %2$zu 行中有 %1$zu 行有误；没有保存任何内容。请改正这些行后重新导入。\n"),
                    le->n, csv->nrows);
        else   /* a row the first pass passed, refused as it was written */
            fprintf(stderr, T(c, "cunzhan: a row was refused while storing, after %zu rows were stored; the load is unfinished "
                                 "(`cunzhan status`). Forget it with `cunzhan load --abandon`, then load the rest.\n",
                              "cunzhan: 保存过程中有一行被拒绝，此前已保存 %zu 行；批量录入尚未完成（`cunzhan status`）。"
                              "请用 `cunzhan load --abandon` 放弃它，再导入其余的行。\n"),
                    stored);
        return CZ_EXIT_FAIL;
    }
    json_decref(le->arr);
    /* Failing to store is the database's (or its disk's) failure, not the file's. */
    say_error(c, rc, cz_status_is_store(rc) ? NULL : file);
    if (stored)
        fprintf(stderr, T(c, "cunzhan: %zu rows were stored before that; run the same load again to finish it\n",
                             "cunzhan: 此前已保存 %zu 行；请再次运行同一个导入以完成它\n"), stored);
    return CZ_EXIT_FAIL;
}

/* The file, mapped; 0, or -1 after a message. */
static int load_map(struct cli *c, const char *file, struct mapped *m)
{
    int rc = map_file(file, m);
    if (rc == CZ_OK) return 0;
    if (rc == CZ_EIO || rc == CZ_ENOTFOUND)
        fprintf(stderr, "cunzhan: %s: %s\n", file, T(c, "cannot read the file", "无法读取文件"));
    else
        say_error(c, rc, file);
    return -1;
}

/* The sheet's rows as a load's source; a row's tag is its line. */
static int csv_next(void *ctx, const struct cz_assign **a, size_t *n, size_t *tag)
{
    struct cz_csv_row r;
    int rc = cz_csv_next(ctx, &r);
    if (rc) return rc;
    *a = r.a;
    *n = r.n;
    *tag = r.line;
    return CZ_OK;
}

static void csv_rewind(void *ctx)
{
    cz_csv_rewind(ctx);
}

/* Another reader of the sheet, for a thread of the first pass. */
static int csv_dup(void *ctx, void **out)
{
    struct cz_csv *d = calloc(1, sizeof *d);
    int rc = d ? cz_csv_dup(ctx, d) : CZ_ENOMEM;
    if (rc && d) {
        cz_csv_free(d);
        free(d);
        d = NULL;
    }
    *out = d;
    return rc;
}

static void csv_dup_free(void *ctx)
{
    cz_csv_free(ctx);
    free(ctx);
}

/* `load --abandon`: the note of an unfinished load forgotten. */
static int load_abandon(struct cli *c)
{
    struct cz_load_state was;
    if (open_station(c) || login(c)) return CZ_EXIT_FAIL;
    int rc = cz_station_load_abandon(c->st, &was);
    if (rc) { say_error(c, rc, NULL); return CZ_EXIT_FAIL; }
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "abandoned", json_boolean(was.unfinished));
        if (was.unfinished) {
            json_object_set_new(o, "file", json_string(was.name));
            json_object_set_new(o, "rows_done", json_integer((json_int_t)was.done));
            json_object_set_new(o, "rows_total", json_integer((json_int_t)was.total));
        }
        print_json(o);
    } else if (was.unfinished) {
        printf(T(c, "The load of %s is forgotten; the %" PRIu64 " of its %" PRIu64 " rows stored stay.\n",
                    "已放弃 %s 的批量录入；已保存的 %" PRIu64 " 行（共 %" PRIu64 " 行）保留。\n"),
               was.name, was.done, was.total);
    } else {
        printf("%s\n", T(c, "No load is unfinished.", "没有未完成的批量录入。"));
    }
    return CZ_EXIT_OK;
}

int cmd_load(struct cli *c, int argc, char **argv)
{
    struct cz_csv csv;
    struct mapped m = { 0 };
    struct cz_load_state ls;
    size_t stored = 0;
    int ret = CZ_EXIT_FAIL, rc;

    memset(&csv, 0, sizeof csv);
    memset(&ls, 0, sizeof ls);
    if (argc == 1 && !strcmp(argv[0], "--abandon")) return load_abandon(c);
    if (argc != 2) return usage(c, "load TYPE FILE.csv | load --abandon", "load 类型 文件.csv | load --abandon");
    const struct cz_type *ty = type_arg(c, argv[0]);
    if (!ty) return CZ_EXIT_USAGE;
    if (load_map(c, argv[1], &m)) return CZ_EXIT_FAIL;
    rc = cz_csv_open(ty, m.p ? m.p : "", m.len, &csv);
    if (rc) { csv_refused(c, rc, &csv, argv[1]); goto cleanup; }
    if (open_station(c) || login(c)) goto cleanup;
    struct cz_load_source src = { .nrows = csv.nrows, .next = csv_next, .rewind = csv_rewind, .ctx = &csv,
                                  .dup = csv_dup, .dup_free = csv_dup_free, .name = argv[1] };
    crypto_generichash(src.hash, sizeof src.hash, (const unsigned char *)m.p, m.len, NULL, 0);
    struct load_errors le = { .c = c, .ty = ty, .csv = &csv, .arr = c->json ? json_array() : NULL,
                              .bar = cli_progress_start(c, "load", "批量录入", "rows", "行") };
    /* When a transaction filled the database's map, the map has grown
     * meanwhile (store.h) and the same load is run again: it resumes
     * after the rows committed. */
    for (int tries = 0;; tries++) {
        size_t now = 0;
        struct cz_load_state again;
        rc = cz_station_load(c->st, ty->key, &src, load_error_cb, &le, cli_progress_hook(le.bar),
                             tries ? &again : &ls, &now);
        stored += now;
        if (tries && rc == CZ_ELOADOTHER) ls = again;
        if (rc != CZ_EDBFULL || tries == CZ_CLI_MAP_RETRIES) break;
    }
    cli_progress_done(le.bar, rc == CZ_OK);
    ret = load_result(c, rc, stored, &ls, &csv, &le, argv[1]);
cleanup:
    cz_csv_free(&csv);
    unmap_file(&m);
    return ret;
}
