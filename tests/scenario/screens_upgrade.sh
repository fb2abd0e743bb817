#!/usr/bin/env bash
# Mixed builds, as the person at an older station sees them (README,
# Upgrading; TRUST.md, Mixed builds): the office writes a record type the
# station's build does not know (the test binary plays that build with
# CUNZHAN_TEST_OLDER_BUILD, tests/scenario/olderbuild.c); the station keeps
# it, held, and both `cunzhan verify` and the Verify screen count it and
# say what to do: upgrade cunzhan on this PC, the office first.  Run
# without it (the upgrade) the entry counts and the advice is gone.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

cz -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office
Y=$WORK/demo/yangshuwan
older() { CUNZHAN_TEST_OLDER_BUILD=return "$CUNZHAN" "$@"; }

H1=$(cz -C "$O" find YSW-2016-01 | cut -c1-12)
expect "office: a return to poverty for YSW-2016-01" 0 cz -C "$O" add return household="$H1" date=2021-03-01 causes=因病
expect "office: export for the village" 0 cz -C "$O" export --to "$WORK/s1" --for 杨树湾村
expect "older station: the import keeps it" 0 older -C "$Y" --lang en import "$WORK/s1"
contains "older station: held, not refused" "$OUT" "1 held until"

# ---- the command line ----
expect "older en: verify" 0 older -C "$Y" --lang en verify
contains "en: counted" "$OUT" "Of those held, 1 are of record types this build does not know"
contains "en: what to do" "$OUT" "upgrade of cunzhan on this PC (the office upgrades first)"
expect "older zh: verify" 0 older -C "$Y" --lang zh verify
contains "zh: counted" "$OUT" "暂存的记录中有 1 条属于本版本不认识的记录类型"
contains "zh: what to do" "$OUT" "请升级本机的 cunzhan（市办先升级）"
expect "older: json counts it" 0 older -C "$Y" verify --json
equals "json: held_for_upgrade" "$(printf '%s' "$OUT" | jq -r .held_for_upgrade)" 1
expect "older: still exited, the return not counted" 0 older -C "$Y" --lang en show "$H1"
contains "older: status" "$OUT" "Exited"

# ---- the Verify screen (F6) ----
ENVARGS="CUNZHAN_TEST_OLDER_BUILD=return" startat "$Y" --lang en
ready
keys F6
see "en screen: verify" "Verify: every signature"
see "en screen: counted" "1 held are of record types this build does not know"
see "en screen: what to do" "the office upgrades first"
keys F10
see "en screen: quits" "EXIT=0"
ENVARGS="CUNZHAN_TEST_OLDER_BUILD=return" startat "$Y" --lang zh
ready
keys F6
see "zh screen: verify" "验证：所有签名"
see "zh screen: counted" "暂存中有 1 条属于本版本不认识的记录类型"
see "zh screen: what to do" "市办先升级"
keys F10
see "zh screen: quits" "EXIT=0"

# ---- upgraded: the same station with this build ----
expect "upgraded en: verify" 0 cz -C "$Y" --lang en verify
lacks "upgraded: nothing waits" "$OUT" "does not know"
expect "upgraded: the return counts" 0 cz -C "$Y" --lang en show "$H1"
contains "upgraded: status" "$OUT" "Returned to poverty"
startat "$Y" --lang en
ready
keys F6
see "upgraded screen: verify" "All good."
lacks "upgraded screen: no advice" "$SCREEN" "does not know"
keys F10
see "upgraded screen: quits" "EXIT=0"

[ "$WIDE" = 0 ] && pass "every screen fits 80 columns" || fail "every screen fits 80 columns" "$WIDE too wide"
finish
