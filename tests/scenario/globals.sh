#!/usr/bin/env bash
# Global options (-C, --lang, --user, --json, --clock-ok) are taken before
# or after the command, as the usage line and the README write them; a
# `--` ends them; a bad one is still a usage error (exit 2) that says what
# was wrong and points to `cunzhan help`.
. "$(dirname "$0")/lib.bash"
O=$WORK/office
S=$WORK/station

# -C after the command, as README writes `cunzhan demo -C DIR`; and before.
expect "demo -C DIR" 0 env CUNZHAN_PASSPHRASE=demo "$CUNZHAN" demo -C "$WORK/demo1"
contains "the demo went where -C said" "$OUT" "$WORK/demo1"
expect "-C DIR demo" 0 env CUNZHAN_PASSPHRASE=demo "$CUNZHAN" -C "$WORK/demo2" demo
[ -d "$WORK/demo1/yangshuwan" ] && [ -d "$WORK/demo2/yangshuwan" ] && pass "both demos built" || fail "both demos built"
expect "status --json -C DIR (after)" 0 cz status --json -C "$WORK/demo1/yangshuwan"
contains "after: JSON of the demo station" "$OUT" '"station": "杨树湾村"'
expect "--json -C DIR status (before)" 0 cz --json -C "$WORK/demo2/yangshuwan" status
contains "before: the same" "$OUT" '"station": "杨树湾村"'

# init: -C after the command; a --user after `init` is init's own option.
expect "init office, -C after" 0 cz init --office 许昌市科协 --user 张主任 -C "$O"
expect "pubkey, -C after" 0 cz pubkey -C "$O"
printf '%s\n' "$OUT" > "$WORK/office.id"
expect "init station, globals on both sides" 0 cz --lang en init --station 杨树湾村 --region 411081106201 \
    --user 李书记 --office-key "$WORK/office.id" -C "$S"
expect "a second person" 0 env CUNZHAN_NEW_PASSPHRASE=second-pass "$CUNZHAN" user add 王会计 -C "$S" --user 李书记
expect "status names both people" 0 cz -C "$S" status
contains "init's --user made the first" "$OUT" "李书记"
contains "user add made the second" "$OUT" "王会计"

# --user, before and after: the record is signed by whom it names.
expect "add, --user after" 0 env CUNZHAN_PASSPHRASE=second-pass "$CUNZHAN" add household number=G-1 \
    village=411081106201 head=王秀英 -C "$S" --user 王会计
H=$OUT
expect "add, --user before" 0 cz --user 李书记 -C "$S" add household number=G-2 village=411081106201 head=李四
H2=$OUT
expect "show --json -C (after)" 0 cz show "$H" --json -C "$S"
contains "signed by the --user given after" "$OUT" '"signed_by": "王会计'
expect "show (before)" 0 cz --json -C "$S" show "$H2"
contains "signed by the --user given before" "$OUT" '"signed_by": "李书记'

# --lang, before and after.
expect "status --lang zh (after)" 0 cz status -C "$S" --lang zh
contains "Chinese after the command" "$OUT" "站点"
expect "--lang zh status (before)" 0 cz --lang zh -C "$S" status
contains "Chinese before the command" "$OUT" "站点"
expect "list --lang en after" 0 cz list household -C "$S" --lang en
contains "list found both" "$OUT" "${H2:0:12}"
expect "fields --json after" 0 cz fields household --json
contains "fields as JSON" "$OUT" '"type": "household"'

# --clock-ok after the command is taken (nothing to confirm here: it passes).
expect "edit --clock-ok after" 0 cz edit "${H:0:8}" phone=13800000000 -C "$S" --clock-ok

# `--` ends the global options: what follows is the command's.
expect "-- passes --json to the command" 2 cz -C "$S" status -- --json
contains "status's own usage" "$ERR" "status [--json]"
expect "-- before the command" 0 cz -C "$S" -- status
expect "find -- -C searches for -C" 0 cz -C "$S" find -- -C
equals "nothing named -C" "$OUT" ""

# Bad options stay usage errors, before or after the command.
expect "unknown option before the command" 2 cz --bogus -C "$S" status
contains "says unknown option" "$ERR" "unknown option"
contains "points to help" "$ERR" "cunzhan help"
expect "unknown option after the command" 2 cz status --bogus -C "$S"
contains "the command's usage" "$ERR" "status [--json]"
expect "bad --lang before" 2 cz --lang fr -C "$S" status
contains "says which languages" "$ERR" "--lang zh or --lang en"
expect "bad --lang after" 2 cz status -C "$S" --lang fr
contains "says which languages (after)" "$ERR" "--lang zh or --lang en"
expect "-C without a folder after demo" 2 cz demo -C
contains "demo's usage" "$ERR" "demo [-C DIR]"
expect "-C without a folder before" 2 cz -C
contains "a lone -C is unknown" "$ERR" "unknown option"
expect "unknown command" 2 cz -C "$S" frobnicate --json
contains "says unknown command" "$ERR" "unknown command"
expect "help in Chinese, --lang after" 0 cz help --lang zh
contains "help in Chinese" "$OUT" "命令"
expect "usage error in Chinese, --lang after the bad option" 2 cz --bogus status --lang zh
contains "the language given later applies" "$ERR" "未知选项"

finish
