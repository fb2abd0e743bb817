#!/usr/bin/env bash
# Screen tests for the kit: sorting the households list, find by household
# number and ID number, the home screen's sync / conflicts / approvals lines,
# and the language on the Linux console.  Helpers in tmux.bash (tmux
# 80x24, polling waits, every dump checked to fit 80 columns).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan

# first_row_has NAME TEXT: waits until the list's first row (line 4) holds TEXT.
first_row_has() { wait_check "$1" "first row is not '$2'" 10 row_has 4 "$2"; }

# ---- home: last sync, conflicts, approvals ----
# Exits open (awaiting approval): those whose chain `show` calls not
# complete; the home screen counts them for a supervisor beside what
# awaits that person.
pending_exits() {
    local n=0 id
    for id in $("$CUNZHAN" -C "$ST" list exit | cut -c1-12); do
        "$CUNZHAN" -C "$ST" --lang en show "$id" | grep -q "chain is not complete" && n=$((n + 1))
    done
    echo "$n"
}
PENDING=$(pending_exits)
start --lang en
see "home: last sync line" "Last sync:"
contains "home: last sync names the other station" "$SCREEN" "许昌市科协"
contains "home: conflicts line" "$SCREEN" "Conflicts to resolve: 0"
contains "home: approvals line" "$SCREEN" "Exits awaiting you:"
contains "home: exits open as show counts them" "$SCREEN" "(open in all: $PENDING)"
[ "$PENDING" -ge 1 ] && pass "the demo has an exit awaiting approval" || fail "the demo has no exit awaiting approval"
lacks "home: synced demo is not 'never'" "$SCREEN" "never"

# ---- sort ----
keys Enter
see "list: sorted by household number at first" "Sorted by household number"
first_row_has "list: number order starts with YSW-2016-01" "YSW-2016-01"
keys F7
see "F7: sorted by head's name" "Sorted by head's name"
first_row_has "head order (pinyin) starts with 陈春花" "陈春花"
keys Escape 7
see "Esc 7: sorted by village" "Sorted by village"
first_row_has "village order ties by number" "YSW-2016-01"
keys F7
see "F7: sorted by size" "Sorted by size, largest first"
first_row_has "size order: five members, lowest number first" "YSW-2016-03"
keys F7
see "F7: sorted by last change" "Sorted by last change"
keys F7
see "F7: back to household number" "Sorted by household number"
contains "footer offers Sort" "$SCREEN" "Sort"

# ---- find by household number and by ID number ----
text "YSW-2016-05"
see "find by household number" "刘长海"
see "find by household number: one found" "1 found"
keys Enter
see "household page" "Members"
keys NPage NPage NPage NPage NPage
see "history says what the first version set, field by field" "Household number: - -> YSW-2016-05"
see "history says who signed" "signed by"
keys Escape
see "back to the list" "1 found"
keys C-u
text "41102419740919012X"
see "find by ID number finds the member" "何秋菊"
see "find by ID number: one found" "1 found"
gone "find by ID number narrows the list" "YSW-2016-05"
keys C-u
text "41102419740919012"
see "an ID number cut short finds nothing" "Nothing found"

# ---- TERM=linux ----
TERMTYPE=linux start
see "TERM=linux: starts in English" "Households: list and find"
see "TERM=linux: offers Chinese with F9 (the footer)" "F9 中文"
keys F9
see "TERM=linux: F9 switches to Chinese" "贫困户：列表与查找"
TERMTYPE=linux start --lang zh
see "TERM=linux --lang zh stays Chinese" "贫困户：列表与查找"
lacks "TERM=linux --lang zh: no console offer" "$SCREEN" "Linux console"
ENVARGS="CUNZHAN_LANG=zh" TERMTYPE=linux start
see "TERM=linux CUNZHAN_LANG=zh stays Chinese" "贫困户：列表与查找"
TERMTYPE=xterm start --lang zh
see "TERM=xterm: Chinese as asked" "贫困户：列表与查找"

# ---- home: a deleted exit assessment no longer awaits approval ----
for id in $("$CUNZHAN" -C "$ST" list exit | cut -c1-12); do
    if "$CUNZHAN" -C "$ST" --lang en show "$id" | grep -q "chain is not complete"; then
        expect "an exit awaiting approval deleted" 0 "$CUNZHAN" -C "$ST" delete "$id"
        break
    fi
done
start --lang en
see "home: one exit fewer is open" "(open in all: $((PENDING - 1)))"
equals "home: ... as show counts them" "$(pending_exits)" $((PENDING - 1))
keys F10
see "home: quits" "EXIT=0"

equals "every screen fits 80 columns" "$WIDE" 0
finish
