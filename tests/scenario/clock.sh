#!/usr/bin/env bash
# Clocks on the PCs villages have (station.h, cz_station_clock): a PC whose
# CMOS battery is flat boots in 2000; one set a year ahead once leaves the
# station's hybrid clock ahead for good.  Driven by faketime (Debian's
# faketime, installed by scripts/setup) around the real binary.
#  - A PC clock more than a day behind what the station already signed:
#    both dates named, nothing signed, until --clock-ok (CLI) or a "yes" on
#    screen.
#  - A station clock that ran ahead: said once, entries keep their order.
. "$(dirname "$0")/lib.bash"
if ! command -v faketime >/dev/null; then
    echo "faketime is missing (scripts/setup installs it): ${0##*/} skipped"
    finish
    exit
fi
# libfaketime is preloaded; a sanitizer build must not insist on coming first.
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0
O=$WORK/office A=$WORK/village
# A 32-bit build (make i386) calls the 64-bit time functions, which
# Debian's libfaketime does not catch: it gets fakeclock32.c instead.
if [ "$(od -An -tx1 -j4 -N1 "$CUNZHAN" | tr -d ' ')" = 01 ]; then
    FAKETIME_LIB=$WORK/fakeclock32.so
    i686-linux-gnu-gcc -shared -fPIC -O2 -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 -o "$FAKETIME_LIB" \
        "$(dirname "$0")/fakeclock32.c" -ldl || fail "build fakeclock32"
    at() { local when=$1; shift; env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$when" "$CUNZHAN" "$@"; }
else
    at() { local when=$1; shift; faketime -f "$when" "$CUNZHAN" "$@"; }
fi
households() { cz -C "$A" list household --json | jq length; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region 411081106201 --user 李书记 --office-key "$WORK/office.id" >/dev/null
expect "a household today" 0 cz -C "$A" add household number=C-001 village=411081106201 head=王秀英
TODAY=$(date -u -d '+8 hours' +%Y-%m-%d)

# ---- a flat CMOS battery: the PC says 2000 ----
expect "signing in 2000 is refused" 1 at "@2000-01-01 12:00:00" -C "$A" add household number=C-002 \
    village=411081106201 head=赵大明
contains "names the PC's date" "$ERR" "2000-01-01"
contains "names the station's last signing" "$ERR" "$TODAY"
contains "names the way on" "$ERR" "--clock-ok"
equals "nothing was signed" "$(households)" 1
expect "in Chinese too" 1 at "@2000-01-01 12:00:00" -C "$A" --lang zh add household number=C-002 \
    village=411081106201 head=赵大明
contains "Chinese message" "$ERR" "主板电池"
expect "reading needs no confirmation" 0 at "@2000-01-01 12:00:00" -C "$A" list household
expect "--clock-ok signs" 0 at "@2000-01-01 12:00:00" -C "$A" --clock-ok add household number=C-002 \
    village=411081106201 head=赵大明
equals "now two" "$(households)" 2
expect "and the next command is not asked again" 0 at "@2000-01-01 12:05:00" -C "$A" add household \
    number=C-002B village=411081106201 head=赵小明
lacks "no question" "$ERR" "--clock-ok"
cz -C "$A" delete "$OUT" >/dev/null

# ---- a PC set a year ahead once ----
expect "a year ahead signs" 0 at "+400d" -C "$A" add household number=C-003 village=411081106201 head=钱小红
expect "back to the right date: asked" 1 cz -C "$A" add household number=C-004 village=411081106201 head=孙丽
contains "says which clock may be wrong" "$ERR" "dated by a PC that was ahead"
expect "the person confirms" 0 cz -C "$A" --clock-ok add household number=C-004 village=411081106201 head=孙丽
contains "says the station's clock ran ahead" "$ERR" "ahead of this PC"
expect "the next command" 0 cz -C "$A" add household number=C-005 village=411081106201 head=周强
lacks "not said again" "$ERR" "ahead of this PC"
lacks "not asked again" "$ERR" "--clock-ok"
equals "every entry kept" "$(households)" 5

# ---- the office: entries from that station are not all flagged ----
cz -C "$A" export --to "$WORK/stick" >/dev/null
expect "office imports" 0 cz -C "$O" import "$WORK/stick" --json
equals "only the entry signed a year ahead is flagged" \
       "$(printf '%s' "$OUT" | jq '[.[] | .clock_ahead] | add')" 1

# ---- the screens ask ----
if command -v tmux >/dev/null; then
    . "$(dirname "$0")/tmux.bash"
    LIBFT=${FAKETIME_LIB:-$(dpkg -L "libfaketime:$(dpkg --print-architecture)" 2>/dev/null |
                            grep '/libfaketime.so.1$' | head -1)}
    if [ -n "$LIBFT" ]; then
        ST=$A ENVARGS="LD_PRELOAD=$LIBFT FAKETIME=-9000d ASAN_OPTIONS=$ASAN_OPTIONS" start
        see "screen: asks whether the PC's date is right" "PC date right?"
        see "screen: names the PC's date" "PC clock $(date -u -d '+8 hours -9000 days' +%Y-%m-%d)"
        keys Escape
        see "screen: no means nothing will be signed" "Nothing will be signed"
        keys F10
        see "screen: quits" "EXIT=0"
    fi
fi
finish
