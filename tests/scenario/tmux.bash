# Shared helpers for the screen tests (screens*.sh, pages.sh): the real
# binary in a real terminal, driven by keys, checked by screen dumps.
# Source it after lib.bash:
#     . "$(dirname "$0")/lib.bash"
#     . "$(dirname "$0")/tmux.bash"
# then set ST (the station folder `start` opens) and call start, keys, see...
#
# Each terminal is a tmux server of its own on a private socket (-L, under
# $WORK, no config file), 80x24, TERM=xterm and LANG and LC_ALL C.UTF-8 unless asked,
# settings and keymap under $WORK/cfg (never the user's ~/.config), and an
# empty mount table (no real USB stick shows up).  The server is killed when
# the script ends.  Every wait polls the pane until the text is there or a
# timeout passes, never a fixed sleep.  Every dump is checked to fit 80
# columns by display width (widthcheck.c, which uses the C library's
# wcwidth, not cunzhan's own width function); $WIDE counts the dumps that
# did not, for the script's own check at the end.
# (menu_open, which opens a home screen row by its label, is in lib.bash.)

if ! command -v tmux >/dev/null; then
    echo "tmux is missing: ${0##*/} skipped"
    finish
    exit
fi
unset TMUX   # run from inside tmux: still a server of our own
# The sockets under $WORK, so that they go with it (a killed server leaves
# its socket file behind in /tmp/tmux-UID otherwise).
export TMUX_TMPDIR=$WORK

TMUX_SOCKET=${0##*/}
TMUX_SOCKET=cz${TMUX_SOCKET%.sh}-$$
RUN=0
TM="tmux -L $TMUX_SOCKET-$RUN -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 130' INT    # so that the EXIT trap runs on ^C or kill too
trap 'exit 143' TERM

cc -o "$WORK/widthcheck" "$(dirname "${BASH_SOURCE[0]}")/widthcheck.c" || fail "build widthcheck"
: >"$WORK/mounts"
SCREEN=""
WIDE=0

# start ARGS... : a fresh terminal running `cunzhan -C $ST ARGS...`; the
# shell after it prints the exit code (EXIT=N) so a test can see it and
# that the terminal is back.  EXIT=N goes at the start of a line of its own
# (an explicit carriage return): a program killed by a signal leaves the
# terminal raw, where a newline does not return the carriage, and the
# shell's "Killed ..." message, as long as the paths in it, would otherwise
# push EXIT=N across the right margin and split it over two rows.
# For one call (VAR=value start ...):
#   TERMTYPE  the terminal type (xterm)
#   ENVARGS   more words for env(1) before the others, such as
#             "-u CUNZHAN_PASSPHRASE" or "CUNZHAN_LANG=zh"
#   MOUNTS    the mount table the Sync screen reads ($WORK/mounts, empty);
#             the sysfs and udev folders are $WORK/sys and $WORK/udev
#   LOCALE    the locale words for env(1) ("LANG=C.UTF-8 LC_ALL=C.UTF-8";
#             "" with ENVARGS="-u LANG -u LC_ALL" for none at all)
#   WRAP      a command cunzhan runs under, such as "$WORK/gbterm GB18030"
#   (TERMTYPE set but empty: TERM empty, as if unset)
start() {
    # A new server (socket) each time: one being killed may linger a moment.
    $TM kill-server 2>/dev/null
    RUN=$((RUN + 1))
    TM="tmux -L $TMUX_SOCKET-$RUN -f /dev/null"
    $TM new-session -d -x 80 -y 24 \
        "env ${ENVARGS:-} ${LOCALE-LANG=C.UTF-8 LC_ALL=C.UTF-8} TERM=${TERMTYPE-xterm} XDG_CONFIG_HOME=$WORK/cfg CUNZHAN_MOUNTS=${MOUNTS:-$WORK/mounts} CUNZHAN_SYSFS_ROOT=$WORK/sys CUNZHAN_UDEV_DATA=$WORK/udev ${WRAP:-} $CUNZHAN -C $ST $*; rc=\$?; printf '\r\nEXIT=%s\r\n' \$rc; sleep 600"
}
# startat DIR ARGS... : as start, at another station's folder.
startat() { local d=$1; shift; ST=$d start "$@"; }
keys() { $TM send-keys "$@"; }
text() { $TM send-keys -l "$1"; }

# capture: the pane into $SCREEN, and its width checked.
capture() {
    SCREEN=$($TM capture-pane -p 2>/dev/null)
    if ! printf '%s\n' "$SCREEN" | "$WORK/widthcheck" 80 >"$WORK/wide"; then
        WIDE=$((WIDE + 1))
        cat "$WORK/wide"
    fi
}
# row N: line N of the last capture.
row() { printf '%s\n' "$SCREEN" | sed -n "${1}p"; }

# await SECONDS TEST ARGS...: captures the pane until `TEST ARGS...`
# succeeds (then 0) or SECONDS have passed (then 1, with $SCREEN the last
# capture).  The tests below read $SCREEN.
await() {
    local deadline=$((SECONDS + $1))
    shift
    while :; do
        capture
        "$@" && return 0
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}
has_text() { case "$SCREEN" in *"$1"*) return 0 ;; esac; return 1; }
lacks_text() { ! has_text "$1"; }
has_line() { printf '%s\n' "$SCREEN" | grep -Eq -- "$1"; }
row_has() { case "$(row "$1")" in *"$2"*) return 0 ;; esac; return 1; }
footer_row_is() {
    FOOTER_ROW=$(printf '%s\n' "$SCREEN" | awk '/F10/ { r = NR } END { print r + 0 }')
    [ "$FOOTER_ROW" = "$1" ]
}

# wait_check NAME WHY SECONDS TEST ARGS...: passes NAME as soon as
# `TEST ARGS...` holds for the screen; after SECONDS, fails it with WHY and
# the last screen.
wait_check() {
    local name=$1 why=$2 secs=$3
    shift 3
    if await "$secs" "$@"; then pass "$name"; return 0; fi
    fail "$name: $why" "$SCREEN"
    return 1
}
# see NAME TEXT [SECONDS]: waits (10 s) until TEXT is on screen.
see() { wait_check "$1" "no '$2' on screen" "${3:-10}" has_text "$2"; }
# gone NAME TEXT [SECONDS]: waits until TEXT has left the screen.
gone() { wait_check "$1" "'$2' still on screen" "${3:-10}" lacks_text "$2"; }
# on_line NAME PATTERN: waits until one screen line matches the extended
# regular expression (a label and its value on one row).
on_line() { wait_check "$1" "no line matching '$2'" 10 has_line "$2"; }
# query_on NAME TEXT: waits until a line ends in ": TEXT" (the find line
# with TEXT typed): the rows of the previous query stay until then.
query_on() { wait_check "$1" "no line ending in ': $2'" 10 has_line "[:：] *$2 *\$"; }
# footer_on NAME ROW: waits until the footer (F10) is on that row, the last.
footer_on() {
    if await 10 footer_row_is "$2"; then pass "$1"; return 0; fi
    fail "$1: footer on row $FOOTER_ROW" "$SCREEN"
    return 1
}
# ready: waits until the home screen is drawn (keys sent earlier could reach
# the terminal before cunzhan reads them as keys); no check of its own.
ready() {
    await 10 has_text F10 && return 0
    fail "home screen never came" "$SCREEN"
    return 1
}
# open_sync: from the home screen, the Sync screen.
open_sync() { ready; menu_open "Sync: export and import" "同步：用U盘"; }
# choose_folder DIR: the Sync screen's "type a folder" row (the first with
# no stick plugged in), with DIR typed into it.
choose_folder() { keys C-a Enter; text "$1"; keys Enter; }
# program_pid: the program in the pane (the shell's child), for kill -9.
program_pid() {
    local shell
    shell=$($TM list-panes -F '#{pane_pid}' | head -1)
    pgrep -P "$shell" | head -1
}

screen_is_not() { [ "$SCREEN" != "$1" ]; }
# scroll_to NAME TEXT: presses Down until TEXT is on screen, at most 40
# times, each press waited out until the screen changes (a fixed short
# pause could press past TEXT on a slow machine).
scroll_to() {
    local i shown
    for i in $(seq 1 40); do
        capture
        if has_text "$2"; then pass "$1"; return 0; fi
        shown=$SCREEN
        keys Down
        await 2 screen_is_not "$shown" || true
    done
    see "$1" "$2" 2
}

# seek_row NAME PATTERN: from the top of a list (Ctrl-A), moves Down a row
# at a time until a screen line matches PATTERN (the list's order among
# equals can change run to run); after each press it waits for the screen
# to change, so a slow redraw is not pressed past.
seek_row() {
    local i shown
    keys C-a
    for i in $(seq 1 12); do
        if await 2 has_line "$2"; then pass "$1"; return 0; fi
        shown=$SCREEN
        keys Down
        await 5 screen_is_not "$shown" || true
    done
    fail "$1: no line matching '$2'" "$SCREEN"
    return 1
}

# select_row TEXT: Down from the top of a list (Ctrl-A) until the row
# showing TEXT is the selected one (drawn reversed, as capture-pane -e
# shows it), each press waited for.
select_row() {
    local i pane
    keys C-a
    for i in $(seq 1 40); do
        await 2 true
        pane=$($TM capture-pane -p -e 2>/dev/null)
        if printf '%s\n' "$pane" | grep -F -- "$1" | grep -q $'\e\\[[0-9;]*7m'; then return 0; fi
        keys Down
        await 2 screen_is_not "$SCREEN" || true
    done
    fail "${L:-}: row '$1' never selected" "$SCREEN"
    return 1
}

# lab EN ZH: the text in the run's language ($L: en or zh).
lab() { if [ "${L:-}" = zh ]; then echo "$2"; else echo "$1"; fi; }

# seek NAME PATTERN KEY: presses KEY (Down, PgDn...) until a screen line
# matches the extended regular expression PATTERN, at most 40 times, each
# press waited for; passes NAME then, else fails it.  For text further
# down a page or report than the first screen shows.
seek() {
    local i
    for i in $(seq 1 40); do
        if await 1 has_line "$2"; then pass "$1"; return 0; fi
        keys "$3"
    done
    fail "$1: no line matching '$2' after 40 × $3" "$SCREEN"
    return 1
}
