#!/usr/bin/env bash
# Whole-screen tests: every screen, and the states of it that matter,
# captured whole (80x24, as `tmux capture-pane -p` gives it, trailing
# spaces stripped) in Chinese and in English and compared line by line
# with tests/golden/LANG/NAME.txt, so that a cut, an English word in the
# Chinese screens or a misaligned column fails here even where no other
# test looks.  Each screen is also checked to fit 80 columns (widthcheck)
# and, in Chinese, to hold no English word outside the allow-list below.
#
# After a deliberate change to a screen: `make golden` (GOLDEN_UPDATE=1
# with this script) rewrites the expected screens from the current
# binary; review `git diff tests/golden` before committing them.
#
# The demo is fixed but not everything in it is: its keys and ids are
# random and what this run does is stamped with today's clock.  The few
# parts that vary are rewritten by normalise() below, one commented rule
# each, never a whole line.
. "$(dirname "$0")/lib.bash"
# The work folder's path shows on screens (the Settings screen's files, the
# Sync screen's stick), so it has one length wherever $TMPDIR points and
# normalise() hides its random end.
rm -rf "$WORK"
WORK=$(mktemp -d /tmp/czgoldenXXXXXX) || { echo "no work folder"; exit 1; }
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/cfg
mkdir -p "$HOME"
. "$(dirname "$0")/tmux.bash"

GOLDEN=$(cd "$(dirname "$0")/../golden" 2>/dev/null && pwd) || fail "no tests/golden folder"
UPDATE=${GOLDEN_UPDATE:-0}
# The day the forms take as today (t: today, default dates): fixed.
export CUNZHAN_TODAY=2018-12-20

# normalise: a captured screen on stdin, its volatile parts replaced.
normalise() {
    # Dates and times from the real clock (a sync's "last sent", a saved
    # draft): the demo's story is dated 2016 to 2019 and CUNZHAN_TODAY
    # fixes today's date, so a year from 2020 on can only come from the
    # clock.  Same width, so columns stay where they are.
    sed -E \
        -e 's/\<20[2-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]\>/YYYY-MM-DD hh:mm/g' \
        -e 's/\<20[2-9][0-9]-[01][0-9]-[0-3][0-9]\>/YYYY-MM-DD/g' \
        `# The work folder (settings files, the stick): mktemp's random end.` \
        -e 's#/tmp/czgolden[A-Za-z0-9]{6}/#/tmp/czgoldenXXXXXX/#g' \
        `# The conflicted household's id, random in each demo: exactly it.` \
        -e "s/\\<$HID\\>/ENTITY-ID-12/g" \
        `# Trailing spaces: capture-pane keeps those of a cleared row.` \
        -e 's/[[:space:]]+$//' |
    if [ "${1:-}" = users ]; then sort_block 4; else cat; fi
}
# sort_block ROW: the rows from ROW to the next empty one sorted, the rest
# as they are.  The Users screen lists keys in the order of their random
# ids; sorted, each row is still compared whole, only their order is not.
sort_block() {
    awk -v from="$1" -v cmd="LC_ALL=C sort" 'NR < from || done { print; next }
        $0 == "" { done = 1; close(cmd); print; next }
        { fflush(); print | cmd }
        END { close(cmd) }'
}

# English words allowed on a Chinese screen: key names, the words the
# footer and help use for keys, the language switch (shown in the other
# language on purpose, with its menu row "English interface"), the Latin
# letters of the demo's household numbers (YSW-2016-01) and a disk's name
# (sdc) next to its mount point; and the placeholders normalise() writes.
ALLOW='Esc|Tab|Enter|Home|End|PgUp|PgDn|Del|Ins|Ctrl|Shift|Space|Backspace|Delete|BTab|Up|Down|Left|Right|F[0-9]+|ID|CSV|USB|English|YYYY|MM|DD|ENTITY|YSW|sd[a-z]'
# leaks: the English words on the Chinese screen $GOT (one per line,
# "row: word").  Box-drawing seen through tmux's capture is letters (an
# ncurses ACS line: l q k x m j t u v w n); runs of it are no words, nor
# are paths (a device, a folder typed or found).
leaks() {
    printf '%s\n' "$GOT" | awk -v allow="^($ALLOW)\$" '
        { gsub(/English interface/, " ")
          for (i = 1; i <= NF; i++) {
              t = $i
              if (t ~ /^\(?\// || t ~ /^[lkmjqxtuvwn]*qq[lkmjqxtuvwn]*$/) continue
              while (match(t, /[A-Za-z]+/)) {
                  w = substr(t, RSTART, RLENGTH); t = substr(t, RSTART + RLENGTH)
                  if (length(w) >= 3 && w !~ allow) print NR ": " w
              }
          } }'
}
# shot: the pane, normalised (for the screen $NAME), into $GOT.
shot() { capture; GOT=$(printf '%s\n' "$SCREEN" | normalise "$NAME"); }
# steady: the pane has stopped changing (two shots in a row agree).
PREV=""
steady() { local before=$PREV; shot; PREV=$GOT; [ "$GOT" = "$before" ]; }
# matches FILE: the pane is the expected screen.
matches() { shot; [ "$GOT" = "$(cat "$1")" ]; }
# marked MARK: the pane shows MARK (text; "re:" then an extended regular
# expression for one line).
marked() {
    shot
    case $1 in re:*) printf '%s\n' "$GOT" | grep -Eq -- "${1#re:}"; return ;; esac
    case "$GOT" in *"$1"*) return 0 ;; esac
    return 1
}

# golden NAME MARK: the screen now on the terminal against the expected
# one in $GOLDEN/$L/NAME.txt.  MARK is text the wanted screen shows once
# drawn and the screen before it does not (its title, a value on it), so
# that a rewrite never takes the screen the keys just left.  The check
# waits for MARK, then until the screen matches (or 15 s): a slow terminal
# is waited for, not guessed.  With GOLDEN_UPDATE=1 it waits for MARK and
# a steady screen, then writes it.  A mismatch is one failure, with the
# first line that differs and a unified diff.
golden() {
    local name=$1 mark=$2 file=$GOLDEN/$L/$1.txt
    NAME=$name
    if ! await 15 marked "$mark"; then
        fail "$L/$name: '$mark' never came on screen" "$SCREEN"
        return 1
    fi
    if [ "$UPDATE" = 1 ]; then
        PREV=""
        await 10 steady || fail "$L/$name: the screen never settled"
        printf '%s\n' "$GOT" >"$file"
        pass "$L/$name written"
    elif [ ! -f "$file" ]; then
        fail "$L/$name: no $file (make golden writes it)" "$GOT"
    elif await "${GOLDEN_WAIT:-15}" matches "$file"; then
        pass "$L/$name"
    else
        local first
        first=$(diff <(cat "$file") <(printf '%s\n' "$GOT") | sed -n '1s/^\([0-9]*\).*/\1/p')
        fail "$L/$name: differs from line ${first:-?} on (- expected, + got)" \
            "$(diff -u --label "expected $L/$name.txt" --label "got" "$file" <(printf '%s\n' "$GOT"))"
    fi
    [ "$L" = zh ] || return 0
    local found
    found=$(leaks | sed 's/^/ row /; s/$/;/' | tr -d '\n')
    [ -z "$found" ] || fail "$L/$name: English on a Chinese screen:$found" "$GOT"
}

# ---- the data: the demo, a conflict at the office, a fake stick ----
"$CUNZHAN" -C "$WORK/demo" demo >/dev/null 2>&1 || fail "demo data"
O=$WORK/demo/office Y=$WORK/demo/yangshuwan
C=$WORK/cstick
H=$(cz -C "$Y" find YSW-2016-03 | cut -c1-12)
HID=$H
cz -C "$Y" edit "$H" phone=13600000002 >/dev/null || fail "the station's side of a conflict"
cz -C "$O" edit "$H" phone=13600000003 >/dev/null || fail "the office's side of a conflict"
sync_both "$Y" "$O" "$C" || fail "the conflict synced"
# A household of the page's tests: the demo's have members (and records of
# one type) beyond the head, which the page lists in the order of their
# random ids; this one's head, one more member and one aid show the same
# way on every run.
cz -C "$Y" add household number=YSW-G-01 village=411024104201 head=金秋生 phone=13900000009 \
    identified=2016 causes=illness,funds primary_cause=illness >/dev/null || fail "the page's household"
cz -C "$Y" add member household=YSW-G-01 name=金秋生 id_number=11010519491231002X relation=head \
    health=ill can_work=no >/dev/null || fail "the page's head"
cz -C "$Y" add member household=YSW-G-01 name=金小梅 relation=child health=healthy can_work=yes >/dev/null ||
    fail "the page's member"
cz -C "$Y" add aid household=YSW-G-01 kind=seeds item=辣椒种子 quantity=2 unit=袋 date=2018-04-01 \
    fund=special >/dev/null || fail "the page's aid"

# A removable disk in a fake sysfs (plugged in only for the screen that
# shows it), mounted at $WORK/usb (as screens_sync.sh does).
mkdir -p "$WORK/usb"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdc %s vfat rw 0 0\n' "$WORK/usb" >"$WORK/one"
plug() { mkdir -p "$WORK/sys/block/sdc"; echo 1 >"$WORK/sys/block/sdc/removable"; }
unplug() { rm -rf "$WORK/sys/block/sdc"; }

for L in zh en; do
    mkdir -p "$GOLDEN/$L"
    lab() { if [ "$L" = zh ]; then echo "$2"; else echo "$1"; fi; }

    # Login (no passphrase given).
    ENVARGS="-u CUNZHAN_PASSPHRASE" startat "$Y" --lang $L
    golden login "$(lab "Passphrase" "口令")"

    # Home: a village clerk, a township supervisor, the city office.
    startat "$Y" --lang $L --user 李会计
    golden home_clerk F10
    startat "$O" --lang $L --user 刘镇长
    golden home_supervisor F10
    startat "$O" --lang $L --user 张主任
    golden home_office F10
    keys F1
    golden help_home "$(lab "Keys on this screen" "本页按键")"

    # The village secretary's day at the station.
    startat "$Y" --lang $L
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    golden households YSW-G-01
    keys F1
    golden help_households "$(lab "Keys on this screen" "本页按键")"
    keys Escape
    golden households YSW-G-01
    text 金秋
    golden households_found 11010519491231002X
    keys Enter
    golden household "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    keys End
    golden household_history 're:([0-9]+)/\1$'   # scrolled to the end
    keys Home F4
    golden household_add "$(lab "Exit assessment" "贫困户退出")"
    keys Enter
    golden form_member "$(lab "ID number" "身份证号")"
    # A wrong ID number, refused at F2: the message under the field.
    text 测试; keys Tab; text 110105194912310021; keys Tab F2
    golden form_member_error "$(lab "Not saved" "未保存")"
    keys F1
    golden help_form "$(lab "Keys on this screen" "本页按键")"
    keys Escape
    golden form_member_back "$(lab "wrong check character" "校验位不对")"
    keys Escape
    golden form_leave "$(lab "Leave without saving?" "不保存就离开吗？")"
    keys Enter
    golden household "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    keys F4
    keys Down Down Down Down Down Enter
    golden form_visit "$(lab "New Visit" "新增走访")"
    keys Escape
    golden household "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    keys F5
    golden form_household "$(lab "Edit Household" "修改 贫困户")"
    keys Escape Escape Escape
    ready
    menu_open "Add another kind of record" "新增其他记录"
    golden newrecord "$(lab "Visit" "走访")"
    keys F10
    see "$L: quits" "EXIT=0"

    startat "$Y" --lang $L
    ready
    menu_open "Trainings" "培训"
    golden trainings "$(lab "Trainings: " "培训：")"
    keys F10
    startat "$Y" --lang $L
    ready
    menu_open "Verify signatures" "验证签名"
    golden verify "$(lab " verified," "条验证通过")"
    keys F10
    startat "$Y" --lang $L
    open_sync
    golden sync_nostick "$(lab "none chosen" "未选")"
    keys F10
    plug
    MOUNTS=$WORK/one startat "$Y" --lang $L
    open_sync
    golden sync_stick czgoldenXXXXXX/usb
    keys F10
    see "$L: quits the sync screen" "EXIT=0"
    unplug

    # The office: a conflict, reports, users, settings.
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Conflicts: choose" "冲突：在不同取值间选定"
    golden conflicts 赵福生
    keys Enter
    golden resolve 13600000003
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Reports: figures" "统计报表与图表"
    golden reports "$(lab "Households and people by village" "各村各状态户数")"
    keys PgDn
    golden reports_more 're: ([2-9]|[1-9][0-9]+)-[0-9]+/[0-9]+$'   # scrolled
    keys F10
    # An assessment waiting for the county's decision.
    startat "$O" --lang $L --user 王县长
    ready
    menu_open "Exit approvals" "退出审批"
    golden exits 杨树林
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Users and enrolment" "用户与认证"
    golden users 孙书记
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Settings: language" "设置：语言"
    golden settings "$(lab "Language (saved" "界面语言")"
    keys F10
    see "$L: the last one quits" "EXIT=0"
done

equals "every screen fits 80 columns" "$WIDE" 0

# ---- the checks themselves: each catches what it is there for ----
if [ "$UPDATE" != 1 ]; then
    equals "normalise: the clock's date goes, the demo's and a village code stay" \
        "$(echo ' 2026-12-02 10:15  2018-11-01 10:00  2031-01-09  411024104201' | normalise)" \
        ' YYYY-MM-DD hh:mm  2018-11-01 10:00  YYYY-MM-DD  411024104201'
    equals "normalise: the work folder's random end" "$(echo " $WORK/usb  " | normalise)" " /tmp/czgoldenXXXXXX/usb"
    equals "normalise: the conflicted household's id, nothing else" \
        "$(echo "$HID ${HID}0 13600000003" | normalise)" "ENTITY-ID-12 ${HID}0 13600000003"
    equals "sort_block: rows sorted up to the empty one, the rest kept" \
        "$(printf 'a\nz\nc\nb\n\ny\nx\n' | sort_block 2 | tr '\n' ' ')" "a b c z  y x "
    GOT=$'Enter 打开  F3 查找  PgDn 下页  Esc 返回\n YSW-2016-01  English interface  /tmp/usb (sdc)\n lqqqk x mqqj'
    equals "leaks: key names, household numbers, paths and boxes pass" "$(leaks)" ""
    GOT=$' 户编号 YSW-2016-01\n 字段 id_number：必填  Households'
    equals "leaks: English words on a Chinese screen are found, with their row" "$(leaks | tr '\n' ' ')" \
        "2: number 2: Households "
    # A golden with one line changed: the comparison fails on that line.
    mkdir -p "$WORK/gold/zh"
    sed '5s/.*/ 建档立卡贫困户 99 户/' "$GOLDEN/zh/home_office.txt" >"$WORK/gold/zh/home_office.txt"
    L=zh
    startat "$O" --lang zh --user 张主任
    out=$(GOLDEN=$WORK/gold GOLDEN_WAIT=3 golden home_office F10)
    contains "a changed golden line fails the screen" "$out" "FAIL zh/home_office: differs from line 5 on"
    contains "... showing what was expected" "$out" "- 建档立卡贫困户 99 户"
    # The English home screen taken for a Chinese one: its words are leaks.
    cp "$GOLDEN/en/home_office.txt" "$WORK/gold/zh/home_office.txt"
    startat "$O" --lang en --user 张主任
    out=$(GOLDEN=$WORK/gold golden home_office F10)
    contains "an English word on a Chinese screen fails it" "$out" "English on a Chinese screen:"
    contains "... naming the row and the word" "$out" "row 9: Households"
fi
finish
