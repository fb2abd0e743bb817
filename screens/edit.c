#include "edit.h"
#include "text.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

/* A passphrase never stays behind in freed memory. */
static void release(struct line_edit *e)
{
    if (e->s && e->secret) explicit_bzero(e->s, strlen(e->s));
    free(e->s);
}

int edit_set(struct line_edit *e, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy) return CZ_ENOMEM;
    release(e);
    e->s = copy;
    e->cur = strlen(copy);
    return CZ_OK;
}

void edit_free(struct line_edit *e)
{
    release(e);
    e->s = NULL;
    e->cur = 0;
}

static size_t prev_char(const char *s, size_t pos)
{
    while (pos > 0 && ((unsigned char)s[--pos] & 0xC0) == 0x80) {}
    return pos;
}

static size_t next_char(const char *s, size_t pos)
{
    if (!s[pos]) return pos;
    pos++;
    while (s[pos] && ((unsigned char)s[pos] & 0xC0) == 0x80) pos++;
    return pos;
}

static int insert(struct line_edit *e, wchar_t ch)
{
    char buf[4];
    size_t n = ui_utf8_put(ch, buf), len = strlen(e->s);
    if (!n || len + n > 4096) return 1;
    char *grown = malloc(len + n + 1);
    if (!grown) return 1;
    memcpy(grown, e->s, len + 1);
    release(e);
    e->s = grown;
    memmove(e->s + e->cur + n, e->s + e->cur, len - e->cur + 1);
    memcpy(e->s + e->cur, buf, n);
    e->cur += n;
    return 1;
}

static void cut(struct line_edit *e, size_t from, size_t to)
{
    memmove(e->s + from, e->s + to, strlen(e->s + to) + 1);
    e->cur = from;
}

int edit_key(struct line_edit *e, const struct ui_key *k)
{
    if (k->ch) return insert(e, k->ch);
    switch (k->action) {
    case ACT_LEFT: e->cur = prev_char(e->s, e->cur); return 1;
    case ACT_RIGHT: e->cur = next_char(e->s, e->cur); return 1;
    case ACT_HOME: e->cur = 0; return 1;
    case ACT_END: e->cur = strlen(e->s); return 1;
    case ACT_BACKSPACE: if (e->cur) cut(e, prev_char(e->s, e->cur), e->cur); return 1;
    case ACT_DELETE: cut(e, e->cur, next_char(e->s, e->cur)); return 1;
    case ACT_CLEAR: e->s[0] = 0; e->cur = 0; return 1;
    default: return 0;
    }
}

/* The first byte to show so that the cursor fits in width-1 columns. */
static size_t view_start(const char *s, size_t cur, int width)
{
    size_t start = 0;
    while (start < cur && (int)ui_width_cols(s + start, cur - start) > width - 1)
        start = next_char(s, start);
    return start;
}

void edit_draw(struct ui *ui, const struct line_edit *e, int y, int x, int width, int focused, int attr)
{
    const char *s = e->s ? e->s : "";
    if (width <= 0) return;
    if (e->secret) {
        char stars[65];
        size_t n = 0;
        for (size_t i = 0; s[i] && n < sizeof stars - 1; i = next_char(s, i)) stars[n++] = '*';
        stars[n] = 0;
        ui_text_pad(ui, y, x, stars, width, attr);
        if (focused) ui_cursor(ui, y, x + (int)(n < (size_t)width ? n : (size_t)width - 1));
        return;
    }
    size_t start = view_start(s, e->cur, width);
    ui_text_pad(ui, y, x, s + start, width, attr);
    if (focused) ui_cursor(ui, y, x + (int)ui_width_cols(s + start, e->cur - start));
}
