/* terminal.c — can this terminal draw the screens, in which encoding, and
 * can it show Chinese (terminal.h). */
#include "terminal.h"
#include "text.h"
#include "ui.h"

#include <curses.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

enum unusable { TERM_FINE, TERM_UNSET, TERM_UNKNOWN, TERM_NO_CURSOR };

static enum unusable term_check(const char *name)
{
    int err = 0;
    if (!name || !*name) return TERM_UNSET;
    /* err 1 with a failure is a hard-copy terminal; 0 and -1 mean no
     * terminfo entry (or only a generic one) for it. */
    if (setupterm(name, STDOUT_FILENO, &err) != OK) return err == 1 ? TERM_NO_CURSOR : TERM_UNKNOWN;
    char *cup = tigetstr("cup");
    enum unusable r = cup && cup != (char *)-1 ? TERM_FINE : TERM_NO_CURSOR;
    del_curterm(cur_term);
    return r;
}

int ui_term_usable(FILE *err)
{
    const char *name = getenv("TERM");
    enum unusable why = term_check(name);
    char safe[64];
    if (why == TERM_FINE) return 1;
    cz_text_safe(name ? name : "", safe, sizeof safe);
    switch (why) {
    case TERM_UNSET:
        fprintf(err, "cunzhan: TERM is not set, so the screens cannot be drawn.\n");
        fprintf(err, "cunzhan：未设置 TERM，无法显示界面。\n");
        break;
    case TERM_UNKNOWN:
        fprintf(err, "cunzhan: TERM=%s: this PC has no description (terminfo) of that terminal, "
                     "so the screens cannot be drawn (the package ncurses-term has more).\n", safe);
        fprintf(err, "cunzhan：TERM=%s：本机没有该终端的说明（terminfo），无法显示界面"
                     "（ncurses-term 软件包含更多终端）。\n", safe);
        break;
    default:
        fprintf(err, "cunzhan: TERM=%s: that terminal cannot move the cursor, so the screens cannot be drawn.\n", safe);
        fprintf(err, "cunzhan：TERM=%s：该终端不能移动光标，无法显示界面。\n", safe);
        break;
    }
    fprintf(err, "cunzhan: use the command line instead (cunzhan help), or a terminal such as "
                 "xterm or the Linux console (TERM=xterm, TERM=linux).\n");
    fprintf(err, "cunzhan：请改用命令行（cunzhan help），或换用 xterm、Linux 控制台等终端"
                 "（TERM=xterm、TERM=linux）。\n");
    return 0;
}

/* Terminals that draw Chinese on the Linux framebuffer and keep
 * TERM=linux: one of them among this process's ancestors means the
 * console can show Chinese after all. */
static int under_cjk_console(void)
{
    static const char *const known[] = { "fbterm", "jfbterm", "zhcon", "kmscon" };
    pid_t pid = getppid();
    for (int depth = 0; pid > 1 && depth < 32; depth++) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f) return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        /* "PID (COMM) STATE PPID ...": COMM may itself hold ')' or spaces. */
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        int ppid = 0;
        if (!open || !close || close < open) return 0;
        *close = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (!strcmp(open + 1, known[i])) return 1;
        if (sscanf(close + 1, " %*c %d", &ppid) != 1) return 0;
        pid = (pid_t)ppid;
    }
    return 0;
}

static int ascii_codeset(void)
{
    const char *cs = nl_langinfo(CODESET);
    return !strcmp(cs, "ANSI_X3.4-1968") || !strcmp(cs, "ASCII") || !strcmp(cs, "US-ASCII");
}

/* The variable that decides LC_CTYPE, as glibc reads them. */
static void asked_locale(char *out, size_t size)
{
    static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
    char safe[48];
    out[0] = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v) continue;
        snprintf(out, size, "%s=%s", vars[i], cz_text_safe(v, safe, sizeof safe));
        return;
    }
}

void ui_term_setup(struct ui_term *t)
{
    char probe[MB_LEN_MAX];
    mbstate_t ps;
    memset(t, 0, sizeof *t);
    asked_locale(t->asked, sizeof t->asked);
    /* A missing LC_MESSAGES fails the whole of LC_ALL, yet only the
     * character set matters to the terminal. */
    int set = setlocale(LC_ALL, "") != NULL || setlocale(LC_CTYPE, "") != NULL;
    if (set && !ascii_codeset()) {
        t->locale = UI_LOCALE_OK;
    } else {
        /* Text is UTF-8 inside and almost every terminal today speaks it. */
        t->locale = set ? UI_LOCALE_ASCII : UI_LOCALE_MISSING;
        if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8")) {
            setlocale(LC_ALL, "C");
            t->locale = UI_LOCALE_NONE;
        }
    }
    ui_cells_setup();
    const char *term = getenv("TERM");
    t->console = term && !strncmp(term, "linux", 5) && !under_cjk_console();
    memset(&ps, 0, sizeof ps);
    t->no_cjk = t->console || wcrtomb(probe, (wchar_t)0x4E2D, &ps) == (size_t)-1;   /* 中 */
}

void ui_term_locale_note(const struct ui_term *t, enum cz_lang lang, char *out, size_t size)
{
    int zh = lang == CZ_LANG_ZH;
    const char *asked = t->asked[0] ? t->asked : "LANG";
    out[0] = 0;
    switch (t->locale) {
    case UI_LOCALE_OK:
        if (t->no_cjk && !t->console)   /* a legacy encoding without Chinese, such as ISO-8859-1 */
            snprintf(out, size, zh ? "%s 无法显示中文。显示中文：用 UTF-8 区域，如 LANG=C.UTF-8"
                                   : "%s cannot show Chinese. For Chinese: a UTF-8 locale, LANG=C.UTF-8", asked);
        break;
    case UI_LOCALE_ASCII:
        if (!t->asked[0])
            snprintf(out, size, "%s", zh ? "未设置区域（LANG）：界面改用 C.UTF-8 以显示中文。"
                                         : "No locale set (LANG): the screens use C.UTF-8 so that Chinese shows.");
        else
            snprintf(out, size, zh ? "%s 不含中文：界面改用 C.UTF-8 以显示中文。"
                                   : "%s has no Chinese: the screens use C.UTF-8 so that it shows.", asked);
        break;
    case UI_LOCALE_MISSING:
        snprintf(out, size, zh ? "未安装区域 %s：改用 C.UTF-8。安装：dpkg-reconfigure locales"
                               : "%s is not installed: using C.UTF-8. Add it: dpkg-reconfigure locales", asked);
        break;
    case UI_LOCALE_NONE:
        snprintf(out, size, zh ? "本机没有 UTF-8 区域：中文显示为 ?。安装：dpkg-reconfigure locales"
                               : "No UTF-8 locale on this PC: Chinese shows as '?'. dpkg-reconfigure locales");
        break;
    }
}
