#!/usr/bin/env bash
# The status line's counts after a save: at once on a station small enough
# for the report to be made between two key presses; on a large one (here
# made to look large with the test hook CZ_UI_COUNT_AT_ONCE_MAX) when the
# home screen is next drawn, so a save never waits seconds for them.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
ST=$WORK/demo/yangshuwan
for n in 1 2; do
    cz -C "$ST" add household number=YSW-CNT-0$n village=411024104201 head=计数户$n >/dev/null ||
        fail "a household to delete ($n)"
done

# delete_on_screen NUMBER: from home, its edit form, F8, confirmed.
delete_on_screen() {
    ready; menu_open "Households: list and find" "贫困户：列表与查找"
    text "$1"
    query_on "$1 typed" "$1"
    keys Enter F5
    see "$1: the edit form" "Edit Household"
    keys F8
    see "$1: the confirm" "Delete Household $1"
    keys Enter
    see "$1: deleted" "Deleted Household $1"
}

start --lang en
see "small: home counts 11" "11 registered households"
delete_on_screen YSW-CNT-01
on_line "small: the status line counts 10 at once" "households 10 +people"
keys F10
see "small: quits" "EXIT=0"

ENVARGS="CZ_UI_COUNT_AT_ONCE_MAX=1" start --lang en
see "large: home counts 10" "10 registered households"
delete_on_screen YSW-CNT-02
on_line "large: the status line keeps 10 after the save" "households 10 +people"
keys Escape Escape
see "large: home again" "9 registered households"
on_line "large: and the status line counts 9" "households 9 +people"
keys F10
see "large: quits" "EXIT=0"
finish
