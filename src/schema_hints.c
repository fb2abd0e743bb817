/* schema_hints.c — what a refused field value is told, in both languages:
 * the hint of each HINT_ (schema.h) and the message that names the field. */
#include "schema.h"

#include <stdio.h>

static const struct { const char *en, *zh; } hints[] = {
    [HINT_NONE] = { "", "" },
    [HINT_UNKNOWN_FIELD] = { "no such field: `cunzhan fields %s` lists them",
                             "没有这个字段：运行 `cunzhan fields %s` 查看所有字段" },
    [HINT_REQUIRED] = { "is required: give it as %s=...", "必须填写：请用 %s=... 给出" },
    [HINT_DERIVED] = { "is taken from the ID number; leave it out or correct the ID number",
                       "由身份证号自动得出；请不要填写，或更正身份证号" },
    [HINT_DERIVED_MISMATCH] = { "does not match the ID number (%s); correct one of them",
                                "与身份证号不符（%s）；请更正其中一个" },
    [HINT_TEXT] = { "must be plain text without control characters",
                    "必须是普通文字，不能含控制字符" },
    [HINT_INT] = { "must be a whole number, e.g. 12", "必须是整数，例如 12" },
    [HINT_YEAR] = { "must be a year from 1949 to 2199, e.g. 2016", "必须是 1949 到 2199 之间的年份，例如 2016" },
    [HINT_MONEY] = { "must be yuan with at most two decimals, e.g. 2000 or 1.50",
                     "必须是金额（元），最多两位小数，例如 2000 或 1.50" },
    [HINT_DECIMAL] = { "must be a number with at most two decimals, e.g. 3 or 2.5",
                       "必须是数字，最多两位小数，例如 3 或 2.5" },
    [HINT_DATE] = { "must be a date as YYYY-MM-DD, e.g. 2016-03-05",
                    "必须是日期，格式 年-月-日，例如 2016-03-05" },
    [HINT_ENUM] = { "must be one of: %s", "必须是以下之一：%s" },
    [HINT_ID_LENGTH] = { "must have 18 characters", "必须是 18 位" },
    [HINT_ID_CHARS] = { "must be 17 digits and a last digit or X", "必须是 17 位数字加最后一位数字或 X" },
    [HINT_ID_DATE] = { "holds an impossible birth date (characters 7-14); re-read it from the ID card",
                       "其中的出生日期（第 7-14 位）不存在；请对照身份证重新输入" },
    [HINT_ID_CHECK] = { "has a wrong check character: a digit is mistyped; re-read it from the ID card",
                        "校验位不对：有数字输错了；请对照身份证重新输入" },
    [HINT_PHONE] = { "must be digits (with + - or spaces), e.g. 13800000000",
                     "必须是数字（可含 + - 或空格），例如 13800000000" },
    [HINT_PLACE] = { "must be an administrative code of 2 to 12 digits, e.g. 411024",
                     "必须是 2 到 12 位的行政区划代码，例如 411024" },
    [HINT_REF] = { "must be a record id (the hex id `add` printed)", "必须是记录编号（`add` 输出的十六进制编号）" },
    [HINT_KEY] = { "must be a public key of 64 hex digits", "必须是 64 位十六进制公钥" },
    [HINT_PRIMARY_CAUSE] = { "must be one of the household's causes", "必须是该户的致贫原因之一" },
    /* the village side and the exit (villrec.h) */
    [HINT_YEAR_RECORD] = { "must be a year from 2013 (when registration began) to this year (%s)",
                           "必须是 2013 年（建档立卡开始）到今年（%s）之间的年份" },
    [HINT_DATE_BEFORE] = { "must not be before %s", "不能早于 %s" },
    [HINT_MONITOR_WHO] = { "is required when no registered household is named: give the family's head and village",
                           "未指定建档立卡户时必须填写：请给出户主姓名和所在村" },
    [HINT_DATE_YEAR] = { "must lie in the year given (%s)", "必须在所填年度（%s）之内" },
    [HINT_MONITOR_YEAR] = { "must be in 2020 or later: monitoring began in 2020",
                            "必须是 2020 年或以后：防止返贫监测从 2020 年开始" },
    [HINT_MORE_THAN] = { "must not be more than %s", "不能大于 %s" },
    [HINT_DATE_FUTURE] = { "must not be in the future", "不能晚于今天" },
    [HINT_DERIVED_AMOUNT] = { "is computed from quantity and price (at least the floor price): %s; leave it out",
                              "由数量和价格（不低于保底价）算出：%s；请不要填写" },
    [HINT_EXISTS] = { "is already used by another record: check the value or edit that record",
                      "已被另一条记录使用：请检查该值，或修改那条记录" },
    [HINT_REF_MISSING] = { "names no record here (%s): check the id with `cunzhan find`",
                           "找不到这条记录（%s）：请用 `cunzhan find` 查对编号" },
    [HINT_REF_TYPE] = { "names a record of the wrong type (%s)", "指向的记录类型不对（%s）" },
    [HINT_REF_DELETED] = { "names a deleted record (%s)", "指向的记录已删除（%s）" },
    [HINT_PLACE_UNKNOWN] = { "names no place record (%s): add the place first (`cunzhan add place code=... name=... level=village parent=...`) or check the code with `cunzhan list place`",
                             "没有这个行政区划记录（%s）：请先添加该地（`cunzhan add place code=... name=... level=village parent=...`），或用 `cunzhan list place` 核对代码" },
    [HINT_PLACE_OTHER] = { "must be this station's own village, or a place record inside its region (%s): other villages' records are entered at their own station or at the office",
                           "只能是本站的村，或本站辖区（%s）内的行政区划记录：其他村的记录请在该村的村站或市办录入" },
    [HINT_REF_AMBIG] = { "id prefix %s matches several records: type more of it",
                         "编号前缀 %s 匹配多条记录：请多输入几位" },
    [HINT_REF_NUMBER_NONE] = { "names no household: none here is numbered %s, nor is it a record id; check the number on the form (`cunzhan find NUMBER`)",
                               "找不到这一户：这里没有户编号为 %s 的户，它也不是记录编号；请核对表上的户编号（`cunzhan find 户编号`）" },
    [HINT_REF_NUMBER_AMBIG] = { "names several households: more than one here is numbered %s; give the record id instead (`cunzhan find NUMBER` lists them)",
                                "对应多户：这里有不止一户的户编号是 %s；请改用记录编号（`cunzhan find 户编号` 可列出）" },
    [HINT_RECKONED] = { "is worked out from the exit chain and return records; leave it out",
                        "由退出审批链和返贫认定自动得出；请不要填写" },
    /* registry (household side) */
    [HINT_CAUSES_LIMIT] = { "holds at most 3 causes: the main one and at most 2 others (the national form)",
                            "最多 3 项：1 项主要致贫原因加最多 2 项其他原因（全国建档立卡表）" },
    [HINT_YEAR_RECENT] = { "must be a year from 2013 (when registration began) to this year",
                           "必须是 2013 年（建档立卡开始）到今年之间的年份" },
    [HINT_DATE_ORDER] = { "must not be before %s", "不能早于%s" },
    [HINT_DERIVED_SUM] = { "is worked out from the other amounts: %s; leave it out",
                           "由各项金额算出：%s；请不要填写" },
    [HINT_MONTHS] = { "must be 0 to 12 months", "必须是 0 到 12 个月" },
    [HINT_CHANGE_LEAVE] = { "is required when someone leaves (death, marry_out, move_out): give member=...",
                             "成员离开（死亡、婚出、迁出）时必须填写：请给出 member=..." },
    [HINT_CHANGE_JOIN] = { "or name is required: give member=... or, for a baby not yet entered, name=...",
                           "或姓名必须填写：请给出 member=...，尚未登记的新生儿可给出 name=..." },
    [HINT_YEAR_TAKEN] = { "already has a record for that household and year (%s): edit that one",
                          "该户该年度已有记录（%s）：请修改那一条" },
    [HINT_MEMBER_OF] = { "is a member of another household: choose a member of this one",
                         "是另一户的成员：请选择本户的成员" },
};

void cz_field_error_hint(const struct cz_type *t, const struct cz_field_error *e,
                         enum cz_lang lang, char *hint, size_t size)
{
    const char *fmt = cz_label(hints[e->hint].en, hints[e->hint].zh, lang);
    const char *arg = e->detail;

    if (e->hint == HINT_UNKNOWN_FIELD)
        arg = t->key;
    else if (e->hint == HINT_REQUIRED)
        arg = e->name;
    else if (e->hint == HINT_ENUM && e->field) {
        char list[400] = "";
        size_t used = 0;
        for (const struct cz_enum_value *v = e->field->values; v && v->key; v++)
            used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                     "%s%s (%s)", v == e->field->values ? "" : ", ",
                                     v->key, lang == CZ_LANG_ZH ? v->zh : v->en);
        snprintf(hint, size, fmt, list);
        return;
    }
    /* Every hint format has at most one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(hint, size, fmt, arg);
#pragma GCC diagnostic pop
}

void cz_field_error_message(const struct cz_type *t, const struct cz_field_error *e,
                            enum cz_lang lang, char *buf, size_t size)
{
    char hint[512];
    cz_field_error_hint(t, e, lang, hint, sizeof hint);
    if (e->field)
        snprintf(buf, size, lang == CZ_LANG_ZH ? "字段 %s（%s）%s" : "field %s (%s) %s",
                 e->field->key, cz_label(e->field->en, e->field->zh, lang), hint);
    else
        snprintf(buf, size, lang == CZ_LANG_ZH ? "字段 %s：%s" : "field %s: %s", e->name, hint);
}
