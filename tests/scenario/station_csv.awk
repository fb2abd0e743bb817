# station_csv.awk — the CSV files of a village station of H households,
# as tests/bench/bench.c makes them: for each household one household row,
# three members and one aid record (5 records).  Members and aid name
# their household by its number, as a clerk's spreadsheet may.
#   awk -v H=20000 -v DIR=out -v VILLAGE=411024104201 -f station_csv.awk
# writes DIR/households.csv, DIR/members.csv and DIR/aid.csv.  Names are
# invented from common characters; ID numbers are distinct and carry a
# valid check character (GB 11643: ISO 7064 MOD 11-2).
BEGIN {
    ns = split("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗", sur, " ")
    ng = split("秀 英 华 明 国 建 军 平 玉 兰 桂 芳 强 伟 丽 红 春 海 德 文 志 金 永 成 福 山 梅 云 林 生", giv, " ")
    split("illness disability schooling funds labour skills", cause, " ")
    split("seeds fertiliser mulch gift", kind, " ")
    split("玉米种子 复合肥 地膜 米面油", item, " ")
    split("斤 袋 卷 份", unit, " ")
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", weight, " ")
    split("1 0 X 9 8 7 6 5 4 3 2", check, " ")
    hh = DIR "/households.csv"; mm = DIR "/members.csv"; aa = DIR "/aid.csv"
    print "number,village,head,phone,identified,causes,primary_cause" > hh
    print "household,name,id_number,relation,health,can_work" > mm
    print "household,kind,item,quantity,unit,value,date,fund" > aa
    for (i = 0; i < H; i++) {
        num = sprintf("B-%07d", i)
        c1 = cause[i % 6 + 1]; c2 = cause[(i + 1 + int(i / 6) % 5) % 6 + 1]
        printf "%s,%s,%s,138%08d,%d,\"%s,%s\",%s\n", num, VILLAGE, name(i), i % 100000000, 2014 + i % 4, c1, c2, c1 > hh
        for (m = 0; m < 3; m++) {
            k = i * 3 + m
            rel = m == 0 ? "head" : m == 1 ? "spouse" : "child"
            printf "%s,%s,%s,%s,%s,%s\n", num, m ? name(k * 7 + 3) : name(i), idnum(k), rel,
                   k % 9 ? "healthy" : "ill", m == 2 ? "no" : "yes" > mm
        }
        a = i % 4 + 1
        printf "%s,%s,%s,%d,%s,%d,2024-%02d-%02d,special\n", num, kind[a], item[a], 1 + i % 10, unit[a],
               20 * (1 + i % 10), 1 + i % 12, 1 + i % 28 > aa
    }
}
function name(i) { return sur[i % ns + 1] giv[int(i / ns) % ng + 1] giv[int(i / (ns * ng)) % ng + 1] }
# Distinct for 23 million people: the birth date from i, the sequence
# from i's rank among those born that day.
function idnum(i,    s, sum, d) {
    s = sprintf("411024%04d%02d%02d%03d", 1940 + i % 70, 1 + int(i / 70) % 12, 1 + int(i / 840) % 28, int(i / 23520) % 1000)
    sum = 0
    for (d = 1; d <= 17; d++) sum += substr(s, d, 1) * weight[d]
    return s check[sum % 11 + 1]
}
