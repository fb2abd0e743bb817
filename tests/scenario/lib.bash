# Shared helpers for command-line scenario tests.  Source it; then call
# `check NAME COMMAND...` and `finish` at the end.  Each test runs the real
# binary ($CUNZHAN) on real folders under a fresh temporary directory.
set -u
CUNZHAN=${CUNZHAN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/cunzhan}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CUNZHAN_PASSPHRASE=test-pass
export LC_ALL=C.UTF-8
unset CUNZHAN_HOME CUNZHAN_USER CUNZHAN_LANG
# A home of its own: a command run without -C (the default folder is under
# ~/.local/share) or a settings file never reaches the real one, nor that of
# another script running at the same time (`make -j test`).
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/cfg
mkdir -p "$HOME"
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; return 0; }

# expect NAME WANTED_EXIT COMMAND... : runs the command, keeps its output in
# $OUT (stdout) and $ERR (stderr), and checks the exit code.
expect() {
    local name=$1 want=$2
    shift 2
    OUT=$("$@" 2>"$WORK/stderr")
    local got=$?
    ERR=$(cat "$WORK/stderr")
    if [ "$got" = "$want" ]; then pass "$name"; else fail "$name (exit $got, wanted $want)" "$OUT
$ERR"; fi
}

# contains NAME HAYSTACK NEEDLE
contains() {
    case "$2" in *"$3"*) pass "$1" ;; *) fail "$1: no '$3' in" "$2" ;; esac
}
lacks() {
    case "$2" in *"$3"*) fail "$1: unexpected '$3' in" "$2" ;; *) pass "$1" ;; esac
}
equals() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}

# flip_byte FILE OFFSET: the byte there with every bit inverted, so the
# file always changes (writing a fixed value is no change once in 256).
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
}

# ---- the program under test and what it reports ----

# cz ARGS...: the binary under test.
cz() { "$CUNZHAN" "$@"; }
# entries DIR: how many entries the store in DIR holds (status --json).
entries() { cz -C "$1" status --json | sed -n 's/^  "entries": \([0-9]*\),$/\1/p'; }
# box_of DIR: the first 16 hex digits of DIR's box key (pubkey), the name
# of its folder on a stick.
box_of() { cz -C "$1" pubkey | sed -n 's/^box \(.\{16\}\).*/\1/p'; }
# id_of WHAT [DIR]: the full id of the one record `find WHAT` prints in DIR
# (default $ST).
id_of() {
    local dir=${2:-$ST} prefix
    prefix=$(cz -C "$dir" find "$1" | awk 'NR == 1 { print $1 }')
    cz -C "$dir" show "$prefix" | awk 'NR == 1 { print $2 }'
}
# household_csv PREFIX N VILLAGE: a household CSV of N rows, numbered
# PREFIX-1 to PREFIX-N, in VILLAGE.
household_csv() {
    echo "number,village,head"
    for i in $(seq 1 "$2"); do echo "$1-$i,$3,户主$i"; done
}
# sync_both STATION OFFICE STICK: the station's export imported at the
# office, then the office's for 杨树湾村 (the demo's village) at the station.
sync_both() {
    cz -C "$1" export --to "$3" >/dev/null && cz -C "$2" import "$3" >/dev/null
    cz -C "$2" export --to "$3" --for 杨树湾村 >/dev/null && cz -C "$1" import "$3" >/dev/null
}

# menu_open LABEL...: on the home screen (tmux session $TM), moves the
# selection to the row showing LABEL (the first of the labels on screen:
# give the English and the Chinese) and opens it.  Rows are found by their
# text and the selection by the cursor's row, so adding a menu row never
# breaks a test.
menu_open() {
    local tries=0 row cur label pane
    while [ $tries -lt 40 ]; do
        pane=$($TM capture-pane -p 2>/dev/null)
        row=
        for label in "$@"; do
            row=$(printf '%s\n' "$pane" | grep -n -F -- "$label" | head -1 | cut -d: -f1)
            [ -n "$row" ] && break
        done
        cur=$($TM display -p '#{cursor_y}' 2>/dev/null)
        if [ -n "$row" ] && [ -n "$cur" ]; then
            row=$((row - 1))
            if [ "$row" = "$cur" ]; then $TM send-keys Enter; return 0; fi
            if [ "$row" -gt "$cur" ]; then $TM send-keys Down; else $TM send-keys Up; fi
        fi
        tries=$((tries + 1))
        sleep 0.1
    done
    fail "menu row '$*' not reached"
    return 1
}
# places DIR CODE...: a place record at DIR for each code of 4, 6, 9 or 12
# digits (city, county, town, village; a province has no place record: a
# place inside it stands for it), as an office keeps them before it enrols
# anyone for a region (`enrol --region` must name a known place).
places() {
    local dir=$1 code level
    shift
    for code in "$@"; do
        case ${#code} in 4) level=city ;; 6) level=county ;; 9) level=town ;; *) level=village ;; esac
        cz -C "$dir" add place code="$code" name="地$code" level=$level >/dev/null || return 1
    done
}
