/* gbterm — a terminal in another encoding, for the screen tests.
 *
 *     gbterm CHARSET COMMAND [ARGS...]
 *
 * Runs COMMAND on a pseudo-terminal of its own and converts between the
 * outer terminal (tmux, UTF-8) and CHARSET (GB18030) with iconv: what
 * COMMAND writes is read as CHARSET and shown as UTF-8; what is typed
 * (UTF-8) reaches COMMAND as CHARSET.  So a program in a zh_CN.GB18030
 * locale sees exactly what a GB18030 terminal would give it, and tmux's
 * dump shows what that terminal would show.  A byte sequence the other
 * side cannot read becomes '?'; a sequence cut by a read is kept for the
 * next one.  Exits with COMMAND's exit status (128+N after signal N).
 * luit, the X11 tool for this, crashes on GB18030 in Debian 12. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* One direction: bytes in one encoding, written out in the other. */
struct pipe_conv { iconv_t cd; char held[16]; size_t nheld; };

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Converts what is held plus buf[0..n) and writes it to fd. */
static int convert(struct pipe_conv *c, const char *buf, size_t n, int fd)
{
    char in[4096 + sizeof c->held], out[4 * sizeof in];
    memcpy(in, c->held, c->nheld);
    memcpy(in + c->nheld, buf, n);
    char *ip = in, *op = out;
    size_t il = c->nheld + n, ol = sizeof out;
    c->nheld = 0;
    while (il > 0) {
        if (iconv(c->cd, &ip, &il, &op, &ol) != (size_t)-1) break;
        if (errno == EINVAL && il < sizeof c->held) {   /* cut short: wait for the rest */
            memcpy(c->held, ip, il);
            c->nheld = il;
            break;
        }
        if (errno == E2BIG) break;
        *op++ = '?';                                   /* unreadable: one byte shown as '?' */
        ol--;
        ip++;
        il--;
    }
    return write_all(fd, out, (size_t)(op - out));
}

static pid_t spawn(int *master, char **argv)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m)) return -1;
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ioctl(m, TIOCSWINSZ, &ws);
    const char *name = ptsname(m);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int s = open(name, O_RDWR);
        if (s < 0) _exit(127);
        ioctl(s, TIOCSCTTY, 0);
        dup2(s, 0);
        dup2(s, 1);
        dup2(s, 2);
        if (s > 2) close(s);
        close(m);
        execvp(argv[0], argv);
        _exit(127);
    }
    *master = m;
    return pid;
}

/* Relays until the program's side closes. */
static void relay(int master, struct pipe_conv *to_prog, struct pipe_conv *from_prog)
{
    char buf[4096];
    struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = master, .events = POLLIN } };
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (p[1].revents) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n <= 0) return;                         /* EIO: the program is gone */
            if (convert(from_prog, buf, (size_t)n, STDOUT_FILENO)) return;
        }
        if (p[0].revents) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0) p[0].fd = -1;
            else if (convert(to_prog, buf, (size_t)n, master)) return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gbterm CHARSET COMMAND [ARGS...]\n");
        return 2;
    }
    struct pipe_conv to_prog = { .cd = iconv_open(argv[1], "UTF-8") };
    struct pipe_conv from_prog = { .cd = iconv_open("UTF-8", argv[1]) };
    if (to_prog.cd == (iconv_t)-1 || from_prog.cd == (iconv_t)-1) {
        fprintf(stderr, "gbterm: %s: no such encoding\n", argv[1]);
        return 2;
    }
    struct termios saved, raw;
    int have_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    int master, status = 0;
    pid_t pid = spawn(&master, argv + 2);
    if (pid < 0) { perror("gbterm"); return 2; }
    if (have_tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    relay(master, &to_prog, &from_prog);
    if (have_tty) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
