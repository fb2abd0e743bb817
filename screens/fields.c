#include "fields.h"
#include "overview.h"
#include "parse.h"
#include "text.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

wchar_t field_fold_char(wchar_t ch)
{
    char in[8], *out = NULL;
    wchar_t r = ch;
    if (ch < 0x80) return ch;
    size_t n = ui_utf8_put(ch, in);   /* UTF-8 whatever the locale's encoding */
    if (!n) return ch;
    if (cz_text_normalize(in, n, &out) == CZ_OK && out[0] && !out[1] &&
        (unsigned char)out[0] < 0x80)
        r = (wchar_t)out[0];
    free(out);
    return r;
}

static int is_digit(wchar_t c) { return c >= '0' && c <= '9'; }

/* digits[.d[d]] as it may stand while being typed. */
static int decimal_ok(const char *s)
{
    const char *dot = strchr(s, '.');
    for (const char *p = s; *p; p++) if (*p != '.' && !is_digit((wchar_t)*p)) return 0;
    if (!dot) return strlen(s) <= 15;
    if (strchr(dot + 1, '.')) return 0;
    return strlen(dot + 1) <= 2 && (size_t)(dot - s) <= 15;
}

/* Inserts ch at the cursor if the result still fits `ok`. */
static int insert_if(struct form_field *f, wchar_t ch, int (*ok)(const char *))
{
    struct ui_key k;
    memset(&k, 0, sizeof k);
    k.ch = ch;
    size_t len = strlen(f->e.s), cur = f->e.cur;
    char *next = malloc(len + 2);
    if (!next) return 1;
    memcpy(next, f->e.s, cur);
    next[cur] = (char)ch;
    memcpy(next + cur + 1, f->e.s + cur, len - cur + 1);
    int fits = ok(next);
    free(next);
    if (fits) edit_key(&f->e, &k);
    else beep();
    return 1;
}

static int number_ok(const char *s)
{
    for (const char *p = s; *p; p++) if (!is_digit((wchar_t)*p)) return 0;
    return strlen(s) <= 15;
}

/* ---- dates: the digits typed fill YYYY-MM-DD (年份-月-日 on a Chinese screen) ---- */

static size_t date_digits(const char *s, char out[9])
{
    size_t n = 0;
    for (const char *p = s; *p && n < 8; p++) if (is_digit((wchar_t)*p)) out[n++] = *p;
    out[n] = 0;
    return n;
}

static void date_render(const char *d, char *out, size_t size)
{
    size_t n = strlen(d);
    snprintf(out, size, "%.4s%s%.2s%s%.2s", d, n > 4 ? "-" : "", n > 4 ? d + 4 : "", n > 6 ? "-" : "",
             n > 6 ? d + 6 : "");
}

static void date_set_digits(struct form_field *f, const char *d)
{
    char shown[16];
    date_render(d, shown, sizeof shown);
    edit_set(&f->e, shown);
}

static int date_key(struct form_field *f, const struct ui_key *k)
{
    char d[9];
    size_t n = date_digits(f->e.s, d);
    wchar_t ch = field_fold_char(k->ch);
    if (ch == 't' || ch == 'T') {
        char today[16];
        cz_format_date(cz_today(), today, sizeof today);   /* China time, as the core dates */
        edit_set(&f->e, today);
        return 1;
    }
    if (is_digit(ch)) {
        if (n >= 8) n = 0;            /* a full date: typing starts a new one */
        d[n++] = (char)ch;
        d[n] = 0;
        date_set_digits(f, d);
        return 1;
    }
    if (ch) { if (ch != '-' && ch != '/' && ch != '.') beep(); return 1; }
    switch (k->action) {
    case ACT_BACKSPACE: if (n) { d[n - 1] = 0; date_set_digits(f, d); } return 1;
    case ACT_CLEAR: case ACT_DELETE: edit_set(&f->e, ""); return 1;
    case ACT_LEFT: case ACT_RIGHT: case ACT_HOME: case ACT_END: return 1;
    default: return 0;
    }
}

int field_typed_key(struct form_field *f, const struct ui_key *k)
{
    if (f->kind == FK_DATE) return date_key(f, k);
    if (k->ch) {
        wchar_t ch = field_fold_char(k->ch);
        if (ch == 0x3002) ch = '.';   /* the ideographic full stop */
        if (f->kind == FK_NUMBER) {
            if (is_digit(ch)) return insert_if(f, ch, number_ok);
        } else if (is_digit(ch) || ch == '.') {
            return insert_if(f, ch, decimal_ok);
        }
        beep();
        return 1;
    }
    return edit_key(&f->e, k);
}

void field_typed_leave(struct form_field *f)
{
    if (f->kind != FK_DECIMAL || !f->e.s[0] || !strcmp(f->e.s, f->orig) || !decimal_ok(f->e.s)) return;
    const char *dot = strchr(f->e.s, '.');
    char out[40];
    size_t whole = dot ? (size_t)(dot - f->e.s) : strlen(f->e.s);
    const char *frac = dot ? dot + 1 : "";
    snprintf(out, sizeof out, "%.*s.%c%c", whole ? (int)whole : 1, whole ? f->e.s : "0",
             frac[0] ? frac[0] : '0', frac[0] && frac[1] ? frac[1] : '0');
    edit_set(&f->e, out);
}

static void typed_box(struct ui *ui, const struct form_field *f, int y, int x, int w, int focused)
{
    int attr = A_UNDERLINE | (focused ? A_BOLD : 0);
    int len = (int)strlen(f->e.s);
    if (len > w - 1) {                           /* longer than the box: show the end */
        ui_text_pad(ui, y, x, f->e.s + (len - (w - 1)), w, attr);
        if (focused) ui_cursor(ui, y, x + w - 1);
        return;
    }
    ui_text_pad(ui, y, x, "", w - len - 1, attr);
    ui_text_pad(ui, y, x + w - len - 1, f->e.s, len + 1, attr);
    if (focused) ui_cursor(ui, y, x + w - 1 - (len - (int)f->e.cur));
}

/* What is left of a date's template after the n columns typed: each
 * part (年份 the year's four columns, 月 and 日 two each) in the columns
 * its digits fill, so that the digits typed over it keep their places; a
 * wide character half typed over leaves a space. */
static void date_template(struct ui *ui, int y, int x, size_t n)
{
    static const char en[] = "YYYY-MM-DD";
    static const char *const zh[] = { "年", "份", "-", "月", "-", "日" };
    static const int zh_col[] = { 0, 2, 4, 5, 7, 8 };
    int attr = A_DIM | A_UNDERLINE;
    if (ui->lang != CZ_LANG_ZH) {
        ui_text(ui, y, x + (int)n, en + n, 10 - (int)n, attr);
        return;
    }
    for (size_t i = 0; i < sizeof zh / sizeof zh[0]; i++) {
        int c = zh_col[i], w = ui_cols(zh[i]);
        if (c >= (int)n) ui_text(ui, y, x + c, zh[i], w, attr);
        else if (c + w > (int)n) ui_text(ui, y, x + (int)n, " ", c + w - (int)n, attr);
    }
}

void field_typed_draw(struct ui *ui, const struct form_field *f, int y, int x, int w, int focused)
{
    int attr = A_UNDERLINE | (focused ? A_BOLD : 0);
    if (f->kind == FK_DATE) {
        size_t n = strlen(f->e.s);
        char shown[24];
        snprintf(shown, sizeof shown, "%s", f->e.s);
        ui_text_pad(ui, y, x, shown, 11, attr);
        if (n < 10) date_template(ui, y, x, n);
        if (w > 14) ui_text(ui, y, x + 12, T(ui, "(t: today)", "（按 t 填今天）"), w - 12, A_DIM);
        if (focused) ui_cursor(ui, y, x + (int)(n < 10 ? n : 10));
        return;
    }
    int box = w < 16 ? w : 16;
    int money = f->field && f->field->type == CZ_F_MONEY;
    if (money && ui->lang != CZ_LANG_ZH) {
        ui_text(ui, y, x, "¥", 1, A_NORMAL);
        typed_box(ui, f, y, x + 2, box, focused);
    } else {
        typed_box(ui, f, y, x, box, focused);
        if (money && w > box + 3) ui_text(ui, y, x + box + 1, "元", 2, A_NORMAL);
    }
}

/* ---- places: the code as typed, the place's name beside it ---- */

int field_is_place(const struct form_field *f)
{
    /* A place record's own code (its one exact PLACE field) names the
     * place being written: there is nothing yet to look up. */
    return f->field && f->field->type == CZ_F_PLACE && !(f->field->flags & CZ_FF_EXACT);
}

/* What to say beside the code: the place's name, or why there is none. */
static void place_said(struct ui *ui, const char *code, char *buf, size_t size)
{
    cz_view *v = NULL;
    buf[0] = 0;
    if (!code[0] || cz_view_begin(ui->st, &v)) return;
    int rc = cz_view_place_name(v, code, buf, size);
    cz_view_end(v);
    if (rc == CZ_ENOTFOUND)
        snprintf(buf, size, "%s", T(ui, "(no place here has this code)", "（本站没有这个代码的地方）"));
    else if (rc == CZ_EPLACECODE)
        snprintf(buf, size, "%s", T(ui, "(a code is 2, 4, 6, 9 or 12 digits)", "（代码应为 2、4、6、9 或 12 位数字）"));
    else if (rc)
        buf[0] = 0;
}

void field_place_draw(struct ui *ui, const struct form_field *f, int y, int x, int w, int focused)
{
    enum { BOX = CZ_REGION_MAX + 1 };   /* twelve digits and the cursor after them */
    char said[256];
    int box = w < BOX ? w : BOX;
    edit_draw(ui, &f->e, y, x, box, focused, A_UNDERLINE | (focused ? A_BOLD : 0));
    if (w <= box + 1) return;
    place_said(ui, f->e.s, said, sizeof said);
    if (said[0]) ui_text(ui, y, x + box + 1, said, w - box - 1, A_NORMAL);
}
