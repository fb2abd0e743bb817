#!/usr/bin/env bash
# "Nothing changes unless someone chose it" (tmux 80x24, as screens.sh):
# two writers on one record (a form open while the command line changes
# the record: the form's save is refused, nothing signed, the new values
# shown; saved again knowingly); an edit of a record in conflict (the
# command line refuses it naming the field; the form shows both values and
# asks which stands before it signs); drafts of two people on one machine
# (never offered to the other; the home screen's unsaved forms); `show
# --history` lists a parent before its child.  Every screen captured must
# fit 80 columns (widthcheck.c).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office ST=$WORK/demo/yangshuwan
# versions ID: how many versions the record has.
versions() { cz -C "$ST" show "$1" --history --json | grep -o '"signed_by_key"' | wc -l; }
open_household() {   # open_household NUMBER: its edit form, from home
    ready; menu_open "Households: list and find" "贫困户：列表与查找"
    text "$1"
    see "found $1" "$1"
    keys Enter F5
}

HH=$(id_of YSW-2016-04)

# ---- two writers: the form saves over what it saw, or not at all ----
start --lang en
open_household YSW-2016-04
see "writers: edit form" "Edit Household"
keys Down Down Down Down
text "村东头"
on_line "writers: address typed in the form" "Address +村东头"
before=$(versions "$HH")
expect "writers: meanwhile the command line sets address and phone" 0 \
    cz -C "$ST" edit "${HH:0:12}" address=村西头 phone=13900000099
after_cli=$(versions "$HH")
equals "writers: the command line signed one version" "$after_cli" "$((before + 1))"
keys F2
see "writers: the form says the record changed" "the record changed since you opened it"
on_line "writers: the phone it did not touch shows the new value" "Phone +13900000099"
see "writers: the other address is shown under the typed one" "Changed since you opened the form to: 村西头"
on_line "writers: the typed address is kept" "Address +村东头"
equals "writers: nothing was signed by the form" "$(versions "$HH")" "$after_cli"
keys F2
see "writers: saved again knowingly" "Signed and saved"
equals "writers: one more version now" "$(versions "$HH")" "$((after_cli + 1))"
expect "writers: show" 0 cz -C "$ST" show "$HH" --json
contains "writers: the form's address" "$OUT" "村东头"
contains "writers: the command line's phone stays" "$OUT" "13900000099"
expect "writers: no concurrent versions" 0 cz -C "$ST" conflicts
contains "writers: none" "$OUT" "no conflicts"
keys F10
see "writers: quits" "EXIT=0"

# ---- a record in conflict ----
cz -C "$ST" add household number=YSW-C-01 village=411024104201 head=冲突测试 >/dev/null || fail "conflict: a household"
C=$WORK/cstick
sync_both "$ST" "$O" "$C"
H=$(id_of YSW-C-01)
expect "conflict: the station sets the phone" 0 cz -C "$ST" edit "${H:0:12}" phone=13600000002
expect "conflict: the office sets it otherwise" 0 cz -C "$O" edit "${H:0:12}" phone=13600000003
sync_both "$ST" "$O" "$C"
expect "conflict: listed" 0 cz -C "$ST" conflicts
contains "conflict: the phone" "$OUT" "13600000002"
n=$(versions "$H")
expect "conflict: an edit of another field is refused" 1 cz -C "$ST" edit "${H:0:12}" notes=已核实
contains "conflict: ... naming the conflicting field" "$ERR" "Phone (phone)"
contains "conflict: ... saying how to choose" "$ERR" "resolve"
contains "conflict: ... and that nothing was stored" "$ERR" "nothing was stored"
equals "conflict: nothing signed" "$(versions "$H")" "$n"
expect "conflict: still in conflict" 0 cz -C "$ST" conflicts
contains "conflict: still listed" "$OUT" "13600000003"

start --lang en
open_household YSW-C-01
see "conflict form: opens" "Edit Household"
see "conflict form: the conflict is shown" "Conflict: the versions disagree"
see "conflict form: ... one value" "13600000002"
see "conflict form: ... the other" "13600000003"
keys Down Down Down Down Down Down Down Down Down Down Down
text "已核实"
keys F2
see "conflict form: saving asks which value stands" "the versions disagree; which value stands?"
keys Escape
see "conflict form: not chosen, not saved" "Not saved: choose a value for each conflicting field"
equals "conflict form: nothing signed without a choice" "$(versions "$H")" "$n"
keys F2
see "conflict form: asked again" "which value stands?"
# The station's own value, wherever it is in the list.
capture
first=$(printf '%s\n' "$SCREEN" | grep -m1 -o '1360000000[23]  (')
[ "$first" = "13600000002  (" ] || keys Down
keys Enter
see "conflict form: signed" "Signed and saved"
keys F10
see "conflict form: quits" "EXIT=0"
expect "conflict form: no conflicts left" 0 cz -C "$ST" conflicts
contains "conflict form: none" "$OUT" "no conflicts"
expect "conflict form: show" 0 cz -C "$ST" show "$H" --json
contains "conflict form: the chosen phone" "$OUT" "13600000002"
contains "conflict form: the notes typed" "$OUT" "已核实"

# ---- history: a parent before its child, whatever the clocks say ----
expect "history: show" 0 cz -C "$ST" show "$H" --history --json
# Each version's parents are listed earlier in the history.
printf '%s' "$OUT" | jq -e '[.history[] | .version] as $order
    | [.history | to_entries[] | .key as $i | .value.parents[] | . as $p | ($order | index($p)) < $i] | all' >/dev/null \
    && pass "history: every parent comes before its child" || fail "history: a child before its parent" "$OUT"

# ---- drafts of two people ----
ME_DRAFTS=$ST/drafts
start --lang en
open_household YSW-2016-04
see "drafts: 孙书记's form" "Edit Household"
keys Down Down Down Down C-u
text "孙的草稿"
deadline=$((SECONDS + 5)); while ! grep -rqs "孙的草稿" "$ME_DRAFTS" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
grep -rqs "孙的草稿" "$ME_DRAFTS"; equals "drafts: 孙书记's typing kept as a draft" "$?" 0
pid=$(program_pid)
[ -n "$pid" ] && kill -9 "$pid"
see "drafts: killed" "EXIT=137"
start --lang en --user 李会计
ready
lacks "drafts: 李会计's home lists no unsaved forms" "$SCREEN" "Unsaved forms"
open_household YSW-2016-04
see "drafts: 李会计 opens the same form" "Edit Household"
lacks "drafts: ... and is not offered 孙书记's typing" "$SCREEN" "Unsaved form from"
lacks "drafts: ... nor shown it" "$SCREEN" "孙的草稿"
keys Escape
keys F10
see "drafts: 李会计 quits" "EXIT=0"
grep -rqs "孙的草稿" "$ME_DRAFTS"; equals "drafts: 孙书记's draft is still there" "$?" 0
start --lang en
ready
see "drafts: 孙书记's home lists the unsaved form" "Unsaved forms: 1"
menu_open "Unsaved forms"
see "drafts: the list" "Edit Household"
keys Enter
see "drafts: the form opens" "Edit Household"
on_line "drafts: with the draft restored" "Address +孙的草稿"
see "drafts: said so" "The unsaved form was restored"
keys Escape
see "drafts: leaving asks" "Leave without saving?"
keys Enter
gone "drafts: left" "Edit Household"
keys Escape
ready
lacks "drafts: no unsaved forms now" "$SCREEN" "Unsaved forms"
keys F10
see "drafts: quits" "EXIT=0"

expect "every record verifies" 0 cz -C "$ST" verify
equals "every screen fits 80 columns" "$WIDE" 0
finish
