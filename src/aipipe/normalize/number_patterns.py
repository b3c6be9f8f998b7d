"""The regular expressions that find figures in width-folded text (digits, Chinese numerals,
percentages, ranges, prices per period), built from the vocabulary in
aipipe.normalize.vocabulary. Used by aipipe.normalize.numbers."""

from __future__ import annotations

import re

from aipipe.normalize.vocabulary import EN_COUNTERS, ZH_COUNTERS

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
ZH_SCALE = r"万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千"
EN_SCALE = (
    r"\s?(?i:trillion|billion|million|thousand|tn|bn|mln|mn)(?![A-Za-z])"
    r"|[KMBkmb](?![A-Za-z])"
)
# Chinese text often puts a space between the number, its magnitude and its currency
# ("突破 5 亿美元", "3,800 億美元"): one optional space is allowed before each.
SCALE = rf"(?:\s?(?:{ZH_SCALE})|{EN_SCALE})"
CUR_PRE = (
    r"(?<![A-Za-z])(?:U\.?S\.?\s?\$|HK\$|NT\$|\$|¥|€|£|(?:人民币|港币|港元|新台币|台币)\s?"
    r"|(?:USD|RMB|CNY|EUR|GBP|HKD|JPY|TWD)(?![A-Za-z])\s?)"
)
CUR_SUF = (
    r"(?:\s?(?:美元|美金|元人民币|人民币|港元|港币|新台币|台币|欧元|英镑|日元|元|块钱)"
    r"|\s?(?i:US\s?dollars|dollars|USD|RMB|CNY|yuan|renminbi|EUR|euros?|HKD|GBP|JPY|TWD|yen)"
    r"(?![A-Za-z]))"
)
# A minus sign directly before a figure's digits (a loss: "归母净利润 -1.93亿元"), never one that
# joins two numbers (a range, "2024-2025") or ends a word ("GPT-4").
SIGN = r"(?<![A-Za-z0-9_.,%)\]])-(?=\d)"
PCT = r"(?:\s?%|\s(?i:percent|per\s?cent|pct)(?![A-Za-z]))"
SEP = r"(?:\s?[-–—~至到]\s?|\s(?i:to)\s)"
PER = (
    r"(?:\s?/\s?|\s(?i:per|a)\s|每)"
    r"(?P<per_unit>(?i:month|mo|year|yr|user|seat)(?![A-Za-z])|月|年|人|用户)"
)
PER_UNITS = {
    "月": "month",
    "mo": "month",
    "年": "year",
    "yr": "year",
    "人": "user",
    "用户": "user",
}
TRAIL = r"(?:以上|以下|以内|左右|上下|\+(?!\d))"

DIGIT_RE = re.compile(
    rf"""
    (?P<cur1>{CUR_PRE})?(?P<sign>{SIGN})?
    (?<![\d.,])(?P<n1>{NUM})(?P<more>多|余)?(?P<sc1>{SCALE})?(?P<pct1>{PCT})?
    (?:(?P<sep>{SEP})(?P<cur2>{CUR_PRE})?(?P<n2>{NUM})(?P<sc2>{SCALE})?)?
    (?P<pct>{PCT})?
    (?P<cursuf>{CUR_SUF})?
    (?P<per>{PER})?
    (?P<trail>{TRAIL})?
    """,
    re.VERBOSE,
)
# Same, without the range part: used when a matched "range" turns out not to be one.
DIGIT_SINGLE_RE = re.compile(
    rf"""
    (?P<cur1>{CUR_PRE})?(?P<sign>{SIGN})?
    (?<![\d.,])(?P<n1>{NUM})(?P<more>多|余)?(?P<sc1>{SCALE})?
    (?P<pct>{PCT})?
    (?P<cursuf>{CUR_SUF})?
    (?P<per>{PER})?
    (?P<trail>{TRAIL})?
    """,
    re.VERBOSE,
)
CN_DIGITS = "零〇一二两三四五六七八九"
CN_RE = re.compile(
    rf"""
    (?P<cur1>{CUR_PRE})?
    (?P<cnpre>上|数|几)?
    (?P<cn>[{CN_DIGITS}十百千万亿][{CN_DIGITS}十百千万亿点]*)
    (?P<more>多|余)?(?P<cnsc>[十百千万亿]+)?
    (?P<pct>{PCT})?
    (?P<cursuf>{CUR_SUF})?
    (?P<per>{PER})?
    (?P<trail>{TRAIL})?
    """,
    re.VERBOSE,
)
CN_PCT_RE = re.compile(rf"百分之(?P<num>{NUM}|[{CN_DIGITS}十百千点]+)")
ZH_COUNTER_RE = re.compile(rf"\s?(?P<counter>{ZH_COUNTERS})")
EN_COUNTER_RE = re.compile(rf"\s(?P<counter>(?i:{EN_COUNTERS}))(?![A-Za-z])")
# Dates and clock times: digits inside these are never amounts.
DATE_RE = re.compile(
    r"(?<![\d.])(?:19|20)\d\d(?:[-/.]\d{1,2}[-/.]\d{1,2}|-(?:0[1-9]|1[0-2]))(?![\d.])"
    r"|(?<![\d.])(?:19|20)\d\d年\d{1,2}月(?:\d{1,2}[日号])?"
    r"|(?<![\d.])\d{1,2}:\d{2}(?::\d{2})?(?![\d.])"
)
DATEISH_NEXT = ("年", "月", "日", "号", "季度", "时", "点")

