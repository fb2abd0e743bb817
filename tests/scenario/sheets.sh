#!/usr/bin/env bash
# Spreadsheets, strictly: `load` on CSV files written out here, as Excel
# and WPS save them.  Each refusal names the file, row and column and the
# fix, in both languages, and stores nothing (the record count unchanged);
# GB18030 whose bytes are valid UTF-8 (陆平) is read as GB18030; a file
# mixing encodings is refused; an ID number Excel turned into 4.11024E+17
# is explained.  Households are named by their number wherever a record
# refers to one (load, add, edit): within the station's village, or the
# row's village at the office, where two villages' 001 are told apart.
. "$(dirname "$0")/lib.bash"
O=$WORK/office A=$WORK/yangshuwan B=$WORK/liushu STICK=$WORK/stick
V1=411081106201 V2=411081106202
count() { cz -C "$1" list "$2" --json | grep -c '"id":'; }

cz -C "$O" init --office 许昌市科协 --user 张主任 >/dev/null
cz -C "$O" pubkey > "$WORK/office.id"
cz -C "$A" init --station 杨树湾村 --region $V1 --user 李书记 --office-key "$WORK/office.id" >/dev/null
cz -C "$B" init --station 柳树村 --region $V2 --user 王会计 --office-key "$WORK/office.id" >/dev/null

# ---- encodings ----
printf '户编号,所在村,户主姓名,致贫原因\n001,%s,王秀英,"因病,缺技术"\n' $V1 > "$WORK/utf8.csv"
expect "UTF-8 loads" 0 cz -C "$A" load household "$WORK/utf8.csv"
printf '户编号,所在村,户主姓名\n002,%s,欧阳修\n' $V1 | iconv -f UTF-8 -t GB18030 > "$WORK/gb.csv"
expect "GB18030 loads" 0 cz -C "$A" load household "$WORK/gb.csv"
# 陆平 in GB18030 is C2 BD C6 BD: valid UTF-8 too (½ƽ).
printf 'number,village,head\n003,%s,\xC2\xBD\xC6\xBD\n' $V1 > "$WORK/luping.csv"
expect "GB18030 that is valid UTF-8 loads" 0 cz -C "$A" load household "$WORK/luping.csv"
expect "read as GB18030" 0 cz -C "$A" find 陆平
contains "陆平 stored as 陆平" "$OUT" "陆平"
expect "not as mojibake" 0 cz -C "$A" find ½ƽ
equals "no ½ƽ" "$OUT" ""
N=$(count "$A" household)
equals "three households" "$N" 3

E0=$(entries "$A")
# A UTF-8 file with one row pasted in from a GBK sheet (line 4).
{
    printf 'number,village,head\n004,%s,张三丰\n005,%s,李四\n' $V1 $V1
    printf '006,%s,赵六\n' $V1 | iconv -f UTF-8 -t GBK
    printf '007,%s,钱七\n' $V1
} > "$WORK/mixed.csv"
expect "mixed encodings refused" 1 cz -C "$A" load household "$WORK/mixed.csv"
contains "names line 4" "$ERR" "line 4: this row is GBK/GB18030 text but the rest of the file is UTF-8"
contains "says the fix" "$ERR" "save the whole sheet again as CSV (UTF-8)"
contains "nothing stored, said" "$ERR" "nothing was stored"
expect "mixed encodings refused (zh)" 1 cz --lang zh -C "$A" load household "$WORK/mixed.csv"
contains "names line 4 (zh)" "$ERR" "第 4 行：这一行是 GBK/GB18030 编码，而文件其余部分是 UTF-8"
equals "mixed: nothing stored" "$(count "$A" household)" "$N"

# ---- the sheet's shape ----
printf 'number,village,head,causes\n008,%s,孙八,因病\n009,%s,周九,因病,因残\n' $V1 $V1 > "$WORK/extra.csv"
expect "a cell beyond the header refused" 1 cz -C "$A" load household "$WORK/extra.csv"
contains "names line 3, column E" "$ERR" "extra.csv: line 3, column E: \"因残\" lies beyond the header's 4 columns"
contains "says to quote a list" "$ERR" '"因病,因残"'
expect "a cell beyond the header refused (zh)" 1 cz --lang zh -C "$A" load household "$WORK/extra.csv"
contains "names line 3, column E (zh)" "$ERR" "第 3 行第 E 列：“因残”在表头的 4 列之外"
equals "extra cells: nothing stored, row 2 neither" "$(count "$A" household)" "$N"
equals "refused files signed nothing at all" "$(entries "$A")" "$E0"
printf 'number,village,head,causes,,\r\n008,%s,孙八,因病,,\r\n' $V1 > "$WORK/trailing.csv"
expect "Excel's empty trailing cells load" 0 cz -C "$A" load household "$WORK/trailing.csv"
N=$((N + 1))

printf 'number,village,head,户主姓名\n010,%s,吴十,郑十一\n' $V1 > "$WORK/duphead.csv"
expect "duplicate headers refused" 1 cz -C "$A" load household "$WORK/duphead.csv"
contains "names line 1, column D" "$ERR" "line 1, column D: 户主姓名: column C already names this field"

printf 'number,village,head,notes\n011,%s,冯十二,"说明\n012,%s,陈十三,好\n' $V1 $V1 > "$WORK/cut.csv"
expect "a file cut inside a quoted cell refused" 1 cz -C "$A" load household "$WORK/cut.csv"
contains "names line 2, column D" "$ERR" "line 2, column D: this quoted cell is not closed"
expect "a file cut inside a quoted cell refused (zh)" 1 cz --lang zh -C "$A" load household "$WORK/cut.csv"
contains "names line 2, column D (zh)" "$ERR" "第 2 行第 D 列：这个带引号的单元格没有结束"

printf 'number,village,head\n013,%s,褚\0十四\n' $V1 > "$WORK/nul.csv"
expect "NUL refused" 1 cz -C "$A" load household "$WORK/nul.csv"
contains "names line 2, column C" "$ERR" "line 2, column C: the file has a NUL byte here"
equals "shape refusals: nothing stored" "$(count "$A" household)" "$N"

# ---- household numbers ----
expect "a member added by household number" 0 cz -C "$A" add member household=001 name=王小明 relation=child
M=$OUT
expect "shown with its household" 0 cz -C "$A" show "$M"
contains "the household's name" "$OUT" "王秀英"
expect "an edit moves it by number" 0 cz -C "$A" edit "$M" household=002
expect "shown with the other household" 0 cz -C "$A" show "$M"
contains "欧阳修's now" "$OUT" "欧阳修"
expect "a number no household has refused" 1 cz -C "$A" add member household=099 name=无名
contains "says which number" "$ERR" "none here is numbered 099"
expect "a number no household has refused (zh)" 1 cz --lang zh -C "$A" add member household=099 name=无名
contains "says which number (zh)" "$ERR" "这里没有户编号为 099 的户"
printf 'household,name,relation\n001,王大,head\n001,王二,spouse\n002,欧阳一,head\n098,无户,head\n' > "$WORK/members.csv"
MN=$(count "$A" member)
expect "members naming a missing number refused" 1 cz -C "$A" load member "$WORK/members.csv"
contains "names line 5, column A" "$ERR" "line 5: column A, field household"
contains "the number named" "$ERR" "098"
equals "members: nothing stored" "$(count "$A" member)" "$MN"
sed -i '/^098,/d' "$WORK/members.csv"
expect "members by household number load" 0 cz -C "$A" load member "$WORK/members.csv"
contains "3 stored" "$OUT" "3 records stored"
expect "001's members" 0 cz -C "$A" show "$(cz -C "$A" find 王二 | awk '{print $1}')"
contains "王二 in 王秀英's household" "$OUT" "王秀英"

# ---- ID numbers Excel turned into numbers ----
printf 'household,name,身份证号\n001,王三,411024199001011238\n001,王四,4.11024E+17\n' > "$WORK/excel.csv"
expect "an ID in scientific notation refused" 1 cz -C "$A" load member "$WORK/excel.csv"
contains "names line 3, column C" "$ERR" "line 3, column C: 身份证号: \"4.11024E+17\" is an ID number Excel turned into a number"
contains "explains the 15 digits" "$ERR" "15 digits"
contains "says the fix" "$ERR" "Format Cells > Text"
expect "an ID in scientific notation refused (zh)" 1 cz --lang zh -C "$A" load member "$WORK/excel.csv"
contains "explains in Chinese" "$ERR" "科学计数法"
contains "the fix in Chinese" "$ERR" "设置单元格格式为“文本”"
printf 'household,name,id_number\n001,王五,411024199001012000\n' > "$WORK/excel15.csv"
expect "an ID cut to 15 digits refused" 1 cz -C "$A" load member "$WORK/excel15.csv"
contains "the cut one named" "$ERR" "line 2, column C: id_number: \"411024199001012000\""
equals "Excel: nothing stored" "$(count "$A" member)" "$((MN + 3))"

# ---- at the office: two villages' 001 ----
cz -C "$B" add household number=001 village=$V2 head=赵大明 >/dev/null
cz -C "$A" export --to "$STICK" >/dev/null
cz -C "$B" export --to "$STICK" >/dev/null
cz -C "$O" import "$STICK" >/dev/null
cz -C "$O" enrol --all-pending --role supervisor >/dev/null
expect "both villages' 001 at the office" 0 cz -C "$O" find 001
contains "Yangshuwan's" "$OUT" "王秀英"
contains "Liushu's" "$OUT" "赵大明"
expect "001 alone is two households at the office" 1 cz -C "$O" add member household=001 name=某
contains "ambiguity named" "$ERR" "more than one here is numbered 001"
# A pairing made at the office names its village, which must be a place.
expect "place $V1" 0 cz -C "$O" add place code=$V1 name=杨树湾村 level=village parent=411081106
expect "place $V2" 0 cz -C "$O" add place code=$V2 name=柳树村 level=village parent=411081106
expect "helper" 0 cz -C "$O" add helper name=刘专家 kind=expert
HELP=$OUT
expect "a pairing's village picks its 001" 0 cz -C "$O" add pairing helper="$HELP" village=$V2 household=001
expect "paired with Liushu's" 0 cz -C "$O" show "$OUT"
contains "赵大明's" "$OUT" "赵大明"
printf 'helper,village,household\n%s,%s,001\n%s,%s,001\n' "$HELP" $V1 "$HELP" $V2 > "$WORK/pairs.csv"
expect "a load's rows pick by their village" 0 cz -C "$O" load pairing "$WORK/pairs.csv"
contains "2 stored" "$OUT" "2 records stored"
expect "verify" 0 cz -C "$O" verify

finish
