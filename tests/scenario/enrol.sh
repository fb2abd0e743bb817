#!/usr/bin/env bash
# Enrolment is the office's trust decision: `enrol` shows each key's
# fingerprint and station (filtered), refuses a jurisdiction wider than a
# village that only the key's own announcement asks for (a station that
# announced province `41` used to receive every village's households), and
# warns when a name is already taken.
. "$(dirname "$0")/lib.bash"
O=$WORK/office STICK=$WORK/stick
key_of() {   # DIR NAME: the hex key of NAME's person key in DIR's `enrol --json`
    cz -C "$O" enrol --json | jq -r --arg n "$2" '.[] | select(.name==$n and .kind=="person") | .key' | head -1
}
cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
places "$O" 411081106201
cz -C "$O" pubkey > "$WORK/office.id"
join() {   # DIR STATION REGION USER
    cz -C "$1" init --station "$2" --region "$3" --user "$4" --office-key "$WORK/office.id" >/dev/null &&
    cz -C "$1" export --to "$STICK" >/dev/null && cz -C "$O" import "$STICK" >/dev/null
}
expect "init with a region of no whole level refused" 2 env CUNZHAN_PASSPHRASE=demopass1 "$CUNZHAN" -C "$WORK/bad" \
    init --station 坏站 --region 411 --user 甲 --office-key "$WORK/office.id"
contains "names the region" "$ERR" "--region 411: not an administrative code"
join "$WORK/a" 杨树湾村 411081106201 李书记
join "$WORK/p" 全省站 41 钱省长
join "$WORK/c" 县站 411024000000 孙县长

# ---- listing: fingerprint and station ----
expect "enrol lists the keys" 0 cz -C "$O" enrol
contains "with a fingerprint" "$OUT" "fingerprint"
contains "and the station" "$OUT" "李书记@杨树湾村"
FP=$(cz -C "$O" enrol --json | jq -r '.[] | select(.name=="李书记") | .fingerprint')
contains "the fingerprint itself" "$OUT" "$FP"

# ---- a region wider than a village ----
expect "enrol --all-pending refuses the province and the county" 1 cz -C "$O" enrol --all-pending --role clerk
contains "names the province station" "$ERR" "全省站"
contains "says why" "$ERR" "wider than a village"
contains "names the county code too" "$ERR" "411024000000"
contains "the village station is enrolled" "$OUT" "杨树湾村"
expect "list after" 0 cz -C "$O" enrol --json
equals "the province station is still pending" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="全省站") | .state')" pending
equals "so is the county's person" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="孙县长") | .state')" pending
equals "the village's person is certified" \
    "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="李书记") | .state')" certified
KP=$(key_of "$O" 钱省长)
expect "a named key is refused the same way" 1 cz -C "$O" enrol "${KP:0:12}" --role clerk
contains "says why" "$ERR" "--region"
expect "a --region no place lies in is refused" 2 cz -C "$O" enrol "${KP:0:12}" --role clerk --region 42
contains "says no place has it" "$ERR" "no place record has this code or lies inside it"
expect "a --region that is no whole level is refused" 2 cz -C "$O" enrol "${KP:0:12}" --role clerk --region 411
contains "says the levels" "$ERR" "give 2, 4, 6, 9 or 12 digits"
expect "explicit --region gives it" 0 cz -C "$O" enrol "${KP:0:12}" --role clerk --region 41
contains "certified for 41" "$OUT" "41"
expect "the office exports for the villages only" 0 cz -C "$O" export --to "$STICK" --json
lacks "nothing for the province station" "$OUT" "全省站"

# ---- duplicate names ----
join "$WORK/a2" 杨树湾村 411081106201 李书记
expect "enrolling a second 杨树湾村 warns" 0 cz -C "$O" enrol --all-pending --role clerk --region 411081106201
contains "a warning" "$ERR" "warning"
contains "naming the duplicate" "$ERR" "杨树湾村"
contains "asks to compare fingerprints" "$ERR" "compare fingerprints"

# ---- names carrying a bidi mark are shown filtered ----
join "$WORK/r" $'柳树村\u200f' 411081106202 $'王\u200f会计'
expect "list" 0 cz -C "$O" enrol
lacks "no RLM in the listing" "$OUT" $'\u200f'
contains "the name shown" "$OUT" "柳树村"
expect "enrol it" 0 cz -C "$O" enrol --all-pending --role clerk
lacks "no RLM when enrolled either" "$OUT$ERR" $'\u200f'
finish
