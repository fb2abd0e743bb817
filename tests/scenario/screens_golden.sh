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
        `# With seconds (a backup's time, from its file name) first.` \
        -e 's/\<20[2-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\>/YYYY-MM-DD hh:mm:ss/g' \
        -e 's/\<20[2-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]\>/YYYY-MM-DD hh:mm/g' \
        -e 's/\<20[2-9][0-9]-[01][0-9]-[0-3][0-9]\>/YYYY-MM-DD/g' \
        `# The same clock in a backup's file name and the folder a restore` \
        `# keeps aside (20261202-101305).` \
        -e 's/\<20[2-9][0-9][01][0-9][0-3][0-9]-[0-2][0-9][0-5][0-9][0-5][0-9]\>/YYYYMMDD-hhmmss/g' \
        `# Each station's box key (random in each demo) names its folders on` \
        `# the stick: exactly its first 16 hex digits, as Y:, O: or N: and #.` \
        -e "s/\\<$BOX_Y\\>/Y:##############/g; s/\\<$BOX_O\\>/O:##############/g" \
        -e "s/\\<$BOX_N\\>/N:##############/g" \
        `# Any other run of 16, 32 or 64 hex digits (an ID number has 18): a` \
        `# bundle's name (its hash), a backup's random part; 16 # for each.` \
        -e 's/\<([0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{64})\>/################/g' \
        `# ... and a bundle's name after its two folders, cut at the edge.` \
        -e 's@(/[YON]:#{14}/)[0-9a-f]+$@\1################@' \
        `# A file's size (bytes, KB, MB): compressed random keys, a byte or two` \
        `# more or less from run to run; each digit a #, so columns stay.` \
        -e ':size' -e 's/[0-9](#*[.]?#* ?(bytes|字节|KB|MB))/#\1/' -e 'tsize' \
        -e ':total' -e 's/(bytes: #*)[0-9]/\1#/' -e 'ttotal' \
        `# The work folder (settings files, the stick): mktemp's random end.` \
        -e 's#/tmp/czgolden[A-Za-z0-9]{6}/#/tmp/czgoldenXXXXXX/#g' \
        `# The conflicted household's id, random in each demo: exactly it.` \
        -e "s/\\<$HID\\>/ENTITY-ID-12/g" \
        `# Trailing spaces: capture-pane keeps those of a cleared row.` \
        -e 's/[[:space:]]+$//'
}

# English words allowed on a Chinese screen: key names, the words the
# footer and help use for keys, the language switch (shown in the other
# language on purpose, with its menu row "English interface"), the Latin
# letters of the demo's household numbers (YSW-2016-01) and a disk's name
# (sdc) next to its mount point, the file kinds written (CSV, PDF); and the
# placeholders normalise() writes.  The settings file's only syntax
# (lang=zh, lang=en) is quoted as it must be typed.
ALLOW='Esc|Tab|Enter|Home|End|PgUp|PgDn|Del|Ins|Ctrl|Shift|Space|Backspace|Delete|BTab|Up|Down|Left|Right|F[0-9]+|ID|CSV|PDF|USB|English|YYYY|MM|DD|ENTITY|YSW|YYYYMMDD|hhmmss|sd[a-z]'
# leaks: the English words on the Chinese screen $GOT (one per line,
# "row: word").  Box-drawing seen through tmux's capture is letters (an
# ncurses ACS line: l q k x m j t u v w n); runs of it are no words, nor
# are paths (a device, a folder typed or found, the stick's cunzhan/
# folder, a file's name), nor a command to type, quoted `like this`.
# LEAKS_ALLOW: more words for one screen only, by golden name: those a
# person types as shown (the mount command, as root, when udisksctl is
# missing).
declare -A LEAKS_ALLOW=([sync_mount_howto]='udisksctl|root|mkdir|mount')
leaks() {
    local more=${LEAKS_ALLOW[${NAME:-}]:-}
    printf '%s\n' "$GOT" | awk -v allow="^($ALLOW${more:+|$more})\$" '
        { gsub(/English interface/, " ")
          gsub(/lang=(zh|en)/, " ")
          gsub(/`[^`]*`/, " ")
          for (i = 1; i <= NF; i++) {
              t = $i
              if (t ~ /^\(?\// || t ~ /^[lkmjqxtuvwn]*qq[lkmjqxtuvwn]*$/) continue
              if (t ~ /^cunzhan\// || t ~ /\.(czb|czbak|pdf|csv)$/) continue
              while (match(t, /[A-Za-z]+/)) {
                  w = substr(t, RSTART, RLENGTH); t = substr(t, RSTART + RLENGTH)
                  if (w ~ /^[lkmjqxtuvwn]*qq[lkmjqxtuvwn]*$/) continue
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

# print_golden NAME MARK: golden, for a screen that prints.  A build
# without printing (PRINT=0, as the i386 one is built) shows a box saying
# so instead: the print goldens are those of a build that prints, and
# there the box is only checked to say why.
print_golden() {
    if [ -z "${PRINTS:-}" ]; then
        PRINTS=1
        local probe
        if ! probe=$(CUNZHAN_LANG=en "$CUNZHAN" -C "$O" print report --to "$WORK/probe.pdf" 2>&1) &&
           [[ $probe == *"PRINT=0"* ]]; then
            PRINTS=0
        fi
    fi
    if [ "$PRINTS" = 1 ]; then
        golden "$@"
    else
        see "$L/$1: this build says it does not print" "PRINT=0"
    fi
}

# help_here NAME: F1 on the screen shown, its help (what the screen is for,
# then its keys) compared as help_NAME, and Esc back to the screen.
help_here() {
    keys F1
    golden "help_$1" "$(lab "Keys on this screen" "本页按键")"
    keys Escape
}
# cursor_row: the terminal's cursor row, counted from 1 as grep -n counts.
cursor_row() { echo $(($($TM display -p '#{cursor_y}' 2>/dev/null) + 1)); }
# focus_on LABEL: Tab until the form's focus (the cursor) is on the row of
# LABEL, each Tab waited for until the cursor or the screen moves.
focus_on() {
    local i row cur pane
    for i in $(seq 1 30); do
        pane=$($TM capture-pane -p 2>/dev/null)
        row=$(printf '%s\n' "$pane" | grep -n -F -- "$1" | head -1 | cut -d: -f1)
        cur=$(cursor_row)
        [ -n "$row" ] && [ "$row" = "$cur" ] && return 0
        keys Tab
        await 2 moved "$cur" "$pane" || true
    done
    fail "$L: no field '$1' reached" "$pane"
    return 1
}
moved() { [ "$(cursor_row)" != "$1" ] || [ "$SCREEN" != "$2" ]; }

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
# Its yearly records, side by side on the page: two years of income, one
# of living conditions.
cz -C "$Y" add income household=YSW-G-01 year=2018 wages=6000 production=1200 dibao=800 >/dev/null ||
    fail "the page's 2018 income"
cz -C "$Y" add income household=YSW-G-01 year=2017 wages=4000 >/dev/null || fail "the page's 2017 income"
cz -C "$Y" add conditions household=YSW-G-01 year=2018 house_area=60 safe_water=yes power=yes road_km=1.5 \
    farmland=3 >/dev/null || fail "the page's living conditions"
BOX_Y=$(box_of "$Y") BOX_O=$(box_of "$O") BOX_N=$(box_of "$WORK/demo/nanzhai")
# A person added at the village, their key not yet certified: pending at
# the office (the Users screen's enrolment).  On copies, so that no other
# screen lists them.
cp -a "$Y" "$WORK/yp" && cp -a "$O" "$WORK/op" || fail "the copies for a pending key"
CUNZHAN_NEW_PASSPHRASE=$CUNZHAN_PASSPHRASE cz -C "$WORK/yp" user add 吴会计 --role clerk >/dev/null 2>&1 ||
    fail "a person added at the village"
{ cz -C "$WORK/yp" export --to "$WORK/pstick" && cz -C "$WORK/op" import "$WORK/pstick"; } >/dev/null ||
    fail "the pending key at the office"

# A removable disk in a fake sysfs (plugged in only for the screen that
# shows it), mounted at $WORK/usb (as screens_sync.sh does).
mkdir -p "$WORK/usb"
printf '/dev/sda1 / ext4 rw 0 0\n/dev/sdc %s vfat rw 0 0\n' "$WORK/usb" >"$WORK/one"
plug() { mkdir -p "$WORK/sys/block/sdc"; echo 1 >"$WORK/sys/block/sdc/removable"; }
unplug() { rm -rf "$WORK/sys/block/sdc"; }

for L in zh en; do
    mkdir -p "$GOLDEN/$L"

    # Login (no passphrase given).
    ENVARGS="-u CUNZHAN_PASSPHRASE" startat "$Y" --lang $L
    golden login "$(lab "Passphrase" "口令")"

    # Home: a village clerk, a township supervisor, the city office.
    startat "$Y" --lang $L --user 李会计
    golden home_clerk F10
    # A terminal too small for any screen says so, and the screen comes
    # back whole when it grows again.
    $TM resize-window -x 20 -y 5
    golden too_small "$(lab "Terminal too small" "终端窗口太小")"
    $TM resize-window -x 80 -y 24
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
    # A find that matches nothing, then emptied (Ctrl-U).
    text 无此户
    golden households_none "$(lab "Nothing found" "没有找到")"
    keys C-u
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

    # The page again: its help, its yearly records, a delete asked and
    # refused at the question, its card printed.
    startat "$Y" --lang $L
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    await 10 marked YSW-G-01
    text 金秋
    golden households_found 11010519491231002X
    keys Enter
    golden household "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    help_here household
    keys PgDn
    golden household_years "$(lab "Net per person" "人均纯收入(元/人口)")"
    keys Home Down Enter
    golden form_member_edit "$(lab "Edit Member" "修改 家庭成员")"
    keys F8
    golden delete_confirm "$(lab "Every version stays in the history" "所有版本仍保留在历史记录中")"
    keys Escape
    gone "$L: no means no delete" "$(lab "Every version stays in the history" "所有版本仍保留在历史记录中")"
    keys Escape
    golden household "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    keys C-p
    print_golden household_printed "card-YSW-G-01.pdf"
    keys Enter F10
    see "$L: quits the page" "EXIT=0"

    startat "$Y" --lang $L
    ready
    menu_open "Trainings" "培训"
    golden trainings "$(lab "Trainings: " "培训：")"
    help_here trainings
    # The newest training's form: its households attending, and their
    # picker (type to find, Space ticks).
    keys Enter
    golden form_training "$(lab "Edit Training" "修改 培训")"
    focus_on "$(lab "Attending households" "参训贫困户")"
    keys Enter
    golden form_pick_households "$(lab "Space: tick" "空格：勾选")"
    keys Escape Escape
    await 10 marked "$(lab "Trainings: " "培训：")"
    keys F10
    # A household's form: a multiple choice (checklist), a single one.
    startat "$Y" --lang $L
    ready
    menu_open "Add a household" "新增贫困户"
    golden form_household_new "$(lab "(* required" "（*为必填")"
    focus_on "$(lab "Poverty causes" "致贫原因")"
    keys Enter
    golden form_checklist "$(lab "Space: tick" "空格：勾选")"
    keys Escape
    focus_on "$(lab "Primary cause" "主要致贫原因")"
    keys Enter
    golden form_choice "$(lab "(none)" "（空）")"
    keys Escape F10
    see "$L: quits the new form" "EXIT=0"
    # A village code no place here has: said beside it.
    startat "$Y" --lang $L
    ready
    menu_open "Add a household" "新增贫困户"
    await 10 marked "$(lab "(* required" "（*为必填")"
    focus_on "$(lab "Village" "所在村")"
    keys C-u
    text 411024104299
    golden form_village_unknown "$(lab "(no place here has this code)" "（本站没有这个代码的地方）")"
    keys Escape
    await 10 marked "$(lab "Leave without saving?" "不保存就离开吗？")"
    keys Enter F10
    see "$L: quits the unknown village's form" "EXIT=0"
    # The newrecord and verify screens' help.
    startat "$Y" --lang $L
    ready
    menu_open "Add another kind of record" "新增其他记录"
    golden newrecord "$(lab "Visit" "走访")"
    help_here newrecord
    keys F10
    startat "$Y" --lang $L
    ready
    menu_open "Verify signatures" "验证签名"
    golden verify "$(lab " verified," "条验证通过")"
    help_here verify
    keys F10
    startat "$Y" --lang $L
    open_sync
    golden sync_nostick "$(lab "none chosen" "未选")"
    help_here sync
    keys F10
    plug
    MOUNTS=$WORK/one startat "$Y" --lang $L
    open_sync
    golden sync_stick czgoldenXXXXXX/usb
    keys F10
    see "$L: quits the sync screen" "EXIT=0"
    # The stick plugged in but not mounted, and no udisksctl on the PATH
    # (on this machine or not): the row says Enter mounts it; Enter says
    # how to, as root.
    ENVARGS="PATH=$WORK/no-udisks" startat "$Y" --lang $L
    open_sync
    golden sync_unmounted "$(lab "not mounted, Enter mounts it" "未挂载，回车即挂载")"
    keys C-a Enter
    golden sync_mount_howto "$(lab "Or as root run:" "或以 root 身份运行：")"
    keys F10
    see "$L: quits the unmounted stick" "EXIT=0"
    unplug

    # The office: a conflict, reports, users, settings.
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Conflicts: choose" "冲突：在不同取值间选定"
    golden conflicts 赵福生
    help_here conflicts
    keys Enter
    golden resolve 13600000003
    help_here resolve
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Reports: figures" "统计报表与图表"
    golden reports "$(lab "Households and people by village" "各村各状态户数")"
    keys PgDn
    golden reports_more 're: ([2-9]|[1-9][0-9]+)-[0-9]+/[0-9]+$'   # scrolled
    help_here reports
    keys F10
    # A village picked by name, its report printed.  (Its CSV's name
    # holds the clock's time to the second, cut or wrapped wherever it is
    # shown: screens_reports.sh checks it.)
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Reports: figures" "统计报表与图表"
    await 10 marked "$(lab "Households and people by village" "各村各状态户数")"
    keys F3
    golden reports_pick "$(lab "type to narrow" "输入以筛选")"
    text 杨树湾
    golden reports_pick_found "$(lab "1 found" "找到 1")"
    keys Enter
    golden reports_village 're:^ .*杨树湾村'
    keys C-p
    print_golden reports_printed "report-411024104201.pdf"
    keys Enter F10
    see "$L: quits the reports" "EXIT=0"
    # An assessment waiting for the county's decision.
    startat "$O" --lang $L --user 王县长
    ready
    menu_open "Exit approvals" "退出审批"
    golden exits 杨树林
    help_here exits
    # Enter checks the step before it asks: signed today (the real
    # clock) but dated CUNZHAN_TODAY, it is refused, naming why.  Ctrl-R
    # asks the reason; F4 asks the household; Esc at each stores nothing.
    keys Enter
    golden exits_sign_refused "$(lab "more than a day" "相差超过一天")"
    keys C-r
    golden exits_reject "$(lab "Why reject" "不同意“县级审定”的理由")"
    keys Escape
    golden exits_reject_cancelled "$(lab "Rejection cancelled" "已取消")"
    keys F4
    golden exits_start "$(lab "Household (name or number)" "贫困户（户主姓名或户编号）")"
    keys Escape
    # Every assessment in the jurisdiction, with its stage, by village
    # and household number.
    keys C-v
    await 10 marked "$(lab "All exit assessments in your jurisdiction" "辖区内全部退出评估")"
    select_row 杨树林
    golden exits_all "$(lab "county decision: awaits your signature" "县级审定：待您签署")"
    # No assessment of this village awaits its notice: none is printed.
    keys C-p
    print_golden exits_all_notice "$(lab "awaits its public notice" "等待公示")"
    keys F10
    # Dated today (no CUNZHAN_TODAY), the step is asked before it is signed.
    ENVARGS="-u CUNZHAN_TODAY" startat "$O" --lang $L --user 王县长
    ready
    menu_open "Exit approvals" "退出审批"
    await 10 marked 杨树林
    keys Enter
    golden exits_sign "$(lab "Sign \"county decision\" for 杨树林?" "签署“县级审定”：杨树林？")"
    keys Escape F10
    # The township has signed its step: nothing awaits it.
    startat "$O" --lang $L --user 刘镇长
    ready
    menu_open "Exit approvals" "退出审批"
    golden exits_none "$(lab "Nothing awaits" "没有等待您审批的环节")"
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Users and enrolment" "用户与认证"
    golden users 孙书记
    help_here users
    keys F10
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Settings: language" "设置：语言"
    golden settings "$(lab "Language (saved" "界面语言")"
    help_here settings
    select_row "$(lab "Change my passphrase" "修改我的口令")"
    keys Enter
    golden settings_passphrase "$(lab "Your current passphrase" "当前口令")"
    keys Escape
    select_row "$(lab "Remove a person from this PC" "从本机删除用户")"
    keys Enter
    golden settings_remove "$(lab "Remove whom from this PC?" "从本机删除谁？")"
    keys Escape F10
    see "$L: the settings quit" "EXIT=0"
    # A keymap file and a settings file with a line each not understood.
    mkdir -p "$WORK/cfg/cunzhan"
    printf 'F2 save\nF99 save\n' >"$WORK/cfg/cunzhan/keys"
    printf 'lang=fr\n' >"$WORK/cfg/cunzhan/settings"
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Settings: language" "设置：语言"
    golden settings_errors "$(lab "loaded, with errors" "已读取，但有错误")"
    keys F10
    see "$L: the settings with errors quit" "EXIT=0"
    rm -f "$WORK/cfg/cunzhan/keys" "$WORK/cfg/cunzhan/settings"

    # Home of the other roles: the village's supervisor, the county.
    startat "$Y" --lang $L --user 孙书记
    golden home_village F10
    startat "$O" --lang $L --user 王县长
    golden home_county F10
    # The login list narrowed to nobody; a wrong passphrase; its help.
    ENVARGS="-u CUNZHAN_PASSPHRASE" startat "$Y" --lang $L
    await 10 marked "$(lab "Passphrase" "口令")"
    help_here login
    text 赵
    golden login_nobody "$(lab "nobody here has that name" "本机没有这个名字的用户")"
    keys C-u
    golden login_cleared "$(lab "Cleared" "已清空")"
    keys Enter
    text wrong-passphrase
    keys Enter
    golden login_wrong "$(lab "Wrong passphrase" "口令错误")"
    keys F10
    see "$L: the login quits" "EXIT=0"

    # A form with typing in it: quitting asks; killed (a power cut), its
    # draft is on the home screen and offered back when the form opens
    # again; from the home screen's row it opens restored.  On a copy, as
    # a draft left behind would show on every later home screen.
    rm -rf "$WORK/yd"
    cp -a "$Y" "$WORK/yd" || fail "$L: the copy for drafts"
    startat "$WORK/yd" --lang $L
    ready
    menu_open "Add a household" "新增贫困户"
    await 10 marked "$(lab "(* required" "（*为必填")"
    text YSW-D-01
    await 10 marked YSW-D-01
    keys F10
    golden quit_unsaved "$(lab "Unsaved changes will be lost" "有未保存的内容")"
    keys Escape
    gone "$L: no means stay" "$(lab "Unsaved changes will be lost" "有未保存的内容")"
    deadline=$((SECONDS + 10))
    until grep -rqs YSW-D-01 "$WORK/yd/drafts" || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
    pid=$(program_pid)
    [ -n "$pid" ] && kill -9 "$pid"
    see "$L: killed mid-form" "EXIT=137"
    startat "$WORK/yd" --lang $L
    golden home_drafts "$(lab "Unsaved forms: 1" "未保存的表单：1")"
    menu_open "Add a household" "新增贫困户"
    golden draft_offer "$(lab "Keep it for later" "留待以后")"
    keys Escape
    golden draft_kept "$(lab "The draft is kept for later" "草稿已留待以后")"
    keys Escape
    await 10 marked "$(lab "Unsaved forms: 1" "未保存的表单：1")"
    menu_open "Unsaved forms" "未保存的表单"
    golden drafts_pick "$(lab "New Household" "新增 贫困户")"
    keys Enter
    golden draft_restored "$(lab "The unsaved form was restored." "已恢复未保存的表单。")"
    keys F10
    await 10 marked "$(lab "Unsaved changes will be lost" "有未保存的内容")"
    keys Enter
    see "$L: quits after the drafts" "EXIT=0"
    # The household changed by someone else while its form was open:
    # nothing signed, the new value shown and noted under its field.
    startat "$WORK/yd" --lang $L
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    await 10 marked YSW-G-01
    text 金秋
    await 10 marked 11010519491231002X
    keys Enter
    await 10 marked "$(lab "Household: 金秋生" "贫困户: 金秋生")"
    keys F5
    await 10 marked "$(lab "Edit Household" "修改 贫困户")"
    cz -C "$WORK/yd" edit "$(cz -C "$WORK/yd" find YSW-G-01 | cut -c1-12)" phone=13900000010 >/dev/null ||
        fail "$L: the edit meanwhile"
    focus_on "$(lab "Address" "住址")"
    text 二号
    await 10 marked 二号
    keys F2
    golden form_changed "$(lab "Changed since you opened the form" "您打开后该记录已被修改")"
    keys Escape
    await 10 marked "$(lab "Leave without saving?" "不保存就离开吗？")"
    keys Enter F10
    see "$L: quits after the changed form" "EXIT=0"

    # The conflicted household's form at the office: each value of the
    # field in conflict under it, with who signed it.
    startat "$O" --lang $L --user 张主任
    ready
    menu_open "Households: list and find" "贫困户：列表与查找"
    await 10 marked YSW-2016-01
    text YSW-2016-03
    await 10 marked 赵福生
    keys Enter
    await 10 marked "$(lab "Household: 赵福生" "贫困户: 赵福生")"
    keys F5
    golden form_conflict "$(lab "Edit Household" "修改 贫困户")"
    keys Escape F10
    see "$L: quits the conflict's form" "EXIT=0"

    # The stick's work, on copies of the station and the office (both
    # languages start from the same data): export, backup, import, a
    # damaged bundle refused, a restore asked and done.
    rm -rf "$WORK/yc" "$WORK/oc" "$WORK/usb"
    mkdir -p "$WORK/usb"
    cp -a "$Y" "$WORK/yc" && cp -a "$O" "$WORK/oc" || fail "$L: the copies"
    plug
    MOUNTS=$WORK/one startat "$WORK/yc" --lang $L
    open_sync
    await 10 marked czgoldenXXXXXX/usb
    keys Enter
    golden sync_export "$(lab "Files written:" "写入文件")"
    keys C-k
    golden sync_backup "$(lab "read back and compared" "已读回核对")"
    keys F10
    see "$L: quits after the backup" "EXIT=0"
    MOUNTS=$WORK/one startat "$WORK/oc" --lang $L --user 张主任
    open_sync
    await 10 marked czgoldenXXXXXX/usb
    keys Down Enter
    golden sync_import "$(lab "Import results:" "导入结果：")"
    keys Up Enter
    await 30 marked "$(lab "Export results:" "导出结果：")"
    keys F10
    see "$L: quits after the import" "EXIT=0"
    set -- "$WORK/usb/cunzhan/$BOX_Y/$BOX_O"/*.czb
    [ -f "$1" ] && flip_byte "$1" $(($(stat -c %s "$1") / 2)) || fail "$L: no bundle for the station" "$(find "$WORK/usb")"
    MOUNTS=$WORK/one startat "$WORK/yc" --lang $L
    open_sync
    await 10 marked czgoldenXXXXXX/usb
    keys Down Enter
    golden sync_refused "$(lab "refused whole" "整包拒收")"
    keys F10
    see "$L: quits after the refusal" "EXIT=0"
    # (Afresh: behind the restore's questions, the peers, not a bundle's
    # name cut by them.)
    MOUNTS=$WORK/one startat "$WORK/yc" --lang $L
    open_sync
    await 10 marked czgoldenXXXXXX/usb
    keys C-t
    golden sync_restore_pick "$(lab "Restore which backup?" "恢复哪一份备份？")"
    keys Enter
    golden sync_restore_pass "$(lab "Passphrase of one of the backup's people" "备份中任一用户的口令")"
    text wrong-passphrase
    keys Enter
    golden sync_restore_wrong "$(lab "opens none of the keys" "打不开备份中的任何密钥")"
    keys C-t
    await 10 marked "$(lab "Restore which backup?" "恢复哪一份备份？")"
    keys Enter
    await 10 marked "$(lab "Passphrase of one of the backup's people" "备份中任一用户的口令")"
    text "$CUNZHAN_PASSPHRASE"
    keys Enter
    golden sync_restore_confirm "$(lab "Restore from a backup?" "从备份恢复？")"
    keys Enter
    golden sync_restored "$(lab "Restored from the backup of" "已从")"
    keys F10
    see "$L: quits after the restore" "EXIT=0"
    unplug

    # A person added at the office: name, role, passphrase twice, then
    # the list with them.
    startat "$WORK/oc" --lang $L --user 张主任
    ready
    menu_open "Users and enrolment" "用户与认证"
    await 10 marked 孙书记
    keys F4
    golden users_add_name "$(lab "New person's name:" "新用户姓名：")"
    text 周会计
    keys Enter
    golden users_add_role "$(lab "Enter: choose" "回车：选定")"
    keys Enter
    golden users_add_pass "$(lab "Passphrase for the new person" "新用户的口令")"
    text "$CUNZHAN_PASSPHRASE"
    keys Enter
    golden users_add_again "$(lab "The same passphrase again" "再次输入口令")"
    text "$CUNZHAN_PASSPHRASE"
    keys Enter
    golden users_added 周会计
    keys F10
    see "$L: quits the users" "EXIT=0"
    # A pending key enrolled: its role, its region, the question; a key
    # revoked: the question.  Esc at each stores nothing.
    startat "$WORK/op" --lang $L --user 张主任
    ready
    menu_open "Users and enrolment" "用户与认证"
    golden users_pending 吴会计
    keys Enter
    golden users_enrol_role "$(lab "Role for 吴会计" "吴会计 的角色")"
    keys Enter
    golden users_enrol_region "$(lab "Region code (empty: as asked" "辖区代码（留空：按申请")"
    keys Enter
    golden users_enrol_confirm "$(lab "Certify 吴会计@杨树湾村" "认证 吴会计@杨树湾村")"
    keys Escape
    gone "$L: no means not certified" "$(lab "Certify 吴会计@杨树湾村" "认证 吴会计@杨树湾村")"
    select_row 李会计@杨树湾村
    keys DC
    golden users_revoke "$(lab "Revoke 李会计@杨树湾村?" "吊销 李会计@杨树湾村？")"
    keys Escape
    gone "$L: no means not revoked" "$(lab "Revoke 李会计@杨树湾村?" "吊销 李会计@杨树湾村？")"
    keys F10
    see "$L: quits the enrolment" "EXIT=0"
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
    equals "normalise: a backup's clock, box key, random part and size" \
        "$(echo " backup/$BOX_Y/20261202-101305-0123456789abcdef.czbak 98765 bytes (1.2 MB) 2026-12-02 10:13:05" |
           normalise)" \
        " backup/Y:##############/YYYYMMDD-hhmmss-################.czbak ##### bytes (#.# MB) YYYY-MM-DD hh:mm:ss"
    equals "normalise: a bundle's name cut at the edge, after its folders" \
        "$(echo "  -> cunzhan/$BOX_O/$BOX_N/d007ab2b97" | normalise)" \
        "  -> cunzhan/O:##############/N:##############/################"
    equals "normalise: an ID number, a phone, a count and the demo's dates stay" \
        "$(echo " 110105194912310021 13600000003 197 条记录 2018-10-08" | normalise)" \
        " 110105194912310021 13600000003 197 条记录 2018-10-08"
    GOT=$'Enter 打开  F3 查找  PgDn 下页  Esc 返回\n YSW-2016-01  English interface  /tmp/usb (sdc)\n lqqqk x mqqj'
    equals "leaks: key names, household numbers, paths and boxes pass" "$(leaks)" ""
    GOT=$' -> cunzhan/O:#/Y:#/x.czb  lqqqk/61  用 `cunzhan -C 新文件夹 restore 文件`  lang=zh'
    equals "leaks: the stick's folder, a box by a number, a command to type pass" "$(leaks)" ""
    GOT=' 或以 root 身份运行：  mkdir -p /mnt/usb && mount /dev/sdc /mnt/usb'
    equals "leaks: the mount command passes on its own screen" "$(NAME=sync_mount_howto leaks)" ""
    equals "... and nowhere else" "$(NAME=settings leaks | tr '\n' ' ')" "1: root 1: mkdir 1: mount "
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
