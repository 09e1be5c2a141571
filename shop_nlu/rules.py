"""Deterministic extractors for entities with a fixed shape.

Every function takes the *normalised* text (:func:`shop_nlu.normalize.normalize_text`, same
length as what the shopper typed) and returns :class:`Entity` objects whose ``value`` is
normalised for the actions:

=============  ===============================================================================
entity         value
=============  ===============================================================================
order_no       the 18-digit order number (``20`` + 16 digits, see ``shop/domain/numbers.py``),
               separators removed ("2024 0503-1234 5678 90" → "202405031234567890"). After
               an order keyword (订单/单号/order) any 10–24 digit number is taken as typed, so
               the action can say that it looks wrong.
phone_suffix   4 digits: after 尾号/后四位/手机后4位…, or the last 4 of an 11-digit mobile
               number (the full number is never returned), or 4 digits standing alone right
               after an order number ("202405031234567890 3949").
quantity       an integer as a string: number + measure word (2件, 两台, 三双, x2, 一打 = 12).
               "1" only right after a buying verb (买一件, 要一个); never after 这/那/哪/第.
size           clothing "S".."XXXL" (2XL → XXL), "均码", "大码"…; shoe/numeric "42" (from 42码,
               42号, 尺码42, 穿42的); capacity "256GB", "1TB", "12GB+256GB"; screens "55英寸";
               the garment label "175/92A" (height/chest + body type).
color          catalogue colour names as listed ("远峰蓝"), otherwise "<base>色" ("白的" → 白色).
budget_min/max see :mod:`shop_nlu.numbers`.
=============  ===============================================================================
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

from shop_nlu.numbers import (
    CN_DIGITS,
    find_budgets,
    format_number,
    parse_chinese_number,
)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    # A catalogue name read from a slip (a sound-alike or a Latin word one letter off), not
    # written: weaker evidence, dropped where an off-topic word says otherwise ("写首诗").
    guessed: bool = field(default=False, compare=False)

    def as_dict(self) -> dict:
        return {"entity": self.entity, "value": self.value, "start": self.start, "end": self.end}


# --- order number -----------------------------------------------------------------------------

ORDER_NO_RE = re.compile(r"^20\d{16}$")
_DIGIT_RUN = re.compile(r"(?<![\dA-Za-z])\d(?:[\d]|[\s\-_.](?=\d))*(?![\d])")
_ORDER_KEYWORD = re.compile(r"(订单|单号|订单号|订单编号|order|no\.?|#)\s*(号码|号|编号)?\s*[:：是为]?\s*$", re.I)


def _groups(run: str, offset: int):
    for match in re.finditer(r"\d+", run):
        yield match.group(0), offset + match.start(), offset + match.end()


def find_order_numbers(text: str) -> List[Entity]:
    found = []
    for run in _DIGIT_RUN.finditer(text):
        groups = list(_groups(run.group(0), run.start()))
        keyword = bool(_ORDER_KEYWORD.search(text[max(0, run.start() - 8):run.start()]))
        hit = None
        # the longest run of consecutive digit groups that forms a valid order number
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j][0]
                if len(digits) > 18:
                    break
                if ORDER_NO_RE.match(digits):
                    hit = Entity("order_no", digits, groups[i][1], groups[j][2])
                    break
            if hit:
                break
        if hit is None and keyword:
            digits = "".join(g[0] for g in groups)
            if 10 <= len(digits) <= 24 and not _is_mobile(digits):
                hit = Entity("order_no", digits, run.start(), run.end())
        if hit:
            found.append(hit)
    return found


# --- phone suffix -----------------------------------------------------------------------------

_CN_OR_DIGIT = "0-9" + "".join(CN_DIGITS)
_SUFFIX_RE = re.compile(
    r"(?:尾号|尾数|后四位|后4位|末四位|末4位|最后四位|最后4位)(?:数字|号码)?\s*(?:是|为|:|：)?\s*"
    rf"(?P<digits>[{_CN_OR_DIGIT}]{{4}})(?![{_CN_OR_DIGIT}])"
)
_MOBILE_RE = re.compile(r"(?<![\d])1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?![\d])")


def _is_mobile(digits: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}", digits))


def find_phone_suffix(text: str) -> List[Entity]:
    found = []
    for match in _SUFFIX_RE.finditer(text):
        raw = match.group("digits")
        digits = "".join(ch if ch.isdigit() else str(CN_DIGITS[ch]) for ch in raw)
        found.append(Entity("phone_suffix", digits, match.start("digits"), match.end("digits")))
    if not found:
        for match in _MOBILE_RE.finditer(text):
            digits = re.sub(r"\D", "", match.group(0))
            found.append(Entity("phone_suffix", digits[-4:], match.start(), match.end()))
    return found


# "202612069409591205 3949", "订单号202612…，手机3949": four digits standing alone right after
# an order number are the phone's last four — what a guest look-up asks for with it. Only
# separators (or 手机/电话/尾号 words) between them, and no unit after (3949元, 2025年).
_BESIDE_ORDER = re.compile(r"[\s,，、;；/|:：]*(?:手机号?|电话)?(?:码|号码)?[\s,，:：]*(?P<digits>\d{4})(?![\d.])"
                           r"(?!\s*(?:元|块|码|号|年|月|日|件|个|台|g|G|ml|mAh|W))")


def find_suffix_beside_order(text: str, orders: Sequence[Entity]) -> List[Entity]:
    found = []
    for order in orders:
        match = _BESIDE_ORDER.match(text, order.end)
        if match is not None:
            found.append(Entity("phone_suffix", match.group("digits"), match.start("digits"), match.end("digits")))
    return found


# --- quantity ---------------------------------------------------------------------------------

_MEASURE = "个件台部只双瓶盒箱套本支条包袋份张把副罐桶听提组对片卷枚颗辆顶块"
_QTY_NUM = rf"(?:\d{{1,4}}|[{''.join(CN_DIGITS)}十百两]{{1,4}})"
_QTY_RE = re.compile(
    rf"(?<![\d.a-zA-Z])(?P<num>{_QTY_NUM})\s?(?P<m>[{_MEASURE}])"
)
_QTY_X_RE = re.compile(r"(?:(?<=[\s\u4e00-\u9fff])|^)(?:[x*]|数量\s?[:：为是]?\s?)\s?(?P<num>\d{1,4})(?![\d.])", re.I)
_QTY_DOZEN_RE = re.compile(r"(?P<num>[一两二三四五\d])打(?![折电车扰算开听])")
_QTY_NOT_AFTER = re.compile(
    r"^(?:月|小时|工作日|星期|礼拜|人|问题|颜色|色|尺码|码|号|型号|版本|订单|单|包裹|钟|字|地方|意思|"
    r"点|样|款|种|步|方面|区别|选择|办法|链接|店|客服|快递|多月|半月|钱|亿|"
    # invoices are no goods (开两张票, 三张发票), a discount for so many (两件八折); issue 14
    r"票|发票|[\d一二三四五六七八九]\.?\d?折)"
)
_QTY_NOT_BEFORE = set("这那哪第前后每头上下其另几多半")
_BUY_VERBS = re.compile(r"(买|要|来|拍|订|下单|囤|入手|(?<![输加收进介])入|购|备|拿|定|再来|加购)\s?$")
# "块" is both a measure word and money: only a quantity after a buying verb.


def find_quantities(text: str) -> List[Entity]:
    found = []
    for match in _QTY_RE.finditer(text):
        num, measure = match.group("num"), match.group("m")
        start, end = match.span()
        after = text[end:end + 4]
        if _QTY_NOT_AFTER.match(after):
            continue
        before = text[max(0, start - 3):start]
        if before and before[-1] in _QTY_NOT_BEFORE:
            continue
        value = int(num) if num.isdigit() else parse_chinese_number(num)
        if value is None or value <= 0 or value > 9999:
            continue
        has_verb = bool(_BUY_VERBS.search(before))
        if measure == "块" and not has_verb:
            continue
        if measure == "个" and after[:1] in ("人",):
            continue
        if measure == "包" and after[:1] == "邮":   # "满99包邮": free shipping, not 99 packs
            continue
        if measure == "包" and num == "三" and not has_verb:   # 三包 is the statutory warranty, not 3 packs
            continue
        if value == 1 and not has_verb:
            continue
        found.append(Entity("quantity", str(value), start, end))
    for match in _QTY_X_RE.finditer(text):
        value = int(match.group("num"))
        if 0 < value < 1000:
            found.append(Entity("quantity", str(value), match.start(), match.end()))
    for match in _QTY_DOZEN_RE.finditer(text):
        num = match.group("num")
        count = int(num) if num.isdigit() else CN_DIGITS[num]
        found.append(Entity("quantity", str(12 * count), match.start(), match.end()))
    return _dedupe(found)


# --- size -------------------------------------------------------------------------------------

_CLOTHING = re.compile(
    r"(?<![A-Za-z0-9])(?P<s>[2-5]XL|X{1,3}L|XS|XXS|[SML])(?![A-Za-z0-9])(?P<tail>\s?(?:码|号|的|size|尺码))?",
    re.I,
)
_WORD_SIZES = {"均码": "均码", "加大码": "加大码", "大码": "大码", "小码": "小码", "中码": "中码",
               "加肥": "加肥", "特大号": "特大号", "大号": "大号", "中号": "中号", "小号": "小号"}
_WORD_SIZE_RE = re.compile("(?<![多])(?:" + "|".join(sorted(map(re.escape, _WORD_SIZES), key=len, reverse=True)) + ")")
_SHOE_RE = re.compile(
    r"(?:(?:尺码|码数|鞋码|码子|尺寸|号码|穿)\s?(?:是|为|:)?\s?(?P<a>\d{2,3}(?:\.5)?)(?:码|号|的)?"
    r"|(?<![\d.])(?P<b>\d{2,3}(?:\.5)?)\s?(?:码|號)(?!单|子单))"
)
_HAO_RE = re.compile(r"(?<![\d.])(?P<n>(?:3\d|4[0-8])(?:\.5)?)\s?号(?:的|鞋|脚)?(?!单|发|到|之前|以前|前|左右|下午|上午|晚上|早上)")
_CAPACITY_RE = re.compile(
    r"(?<![\dA-Za-z])(?P<ram>\d{1,2})\s?(?:G|GB)?\s?\+\s?(?P<rom>\d{2,4})\s?(?:G|GB|T|TB)?(?![A-Za-z\d])"
    r"|(?<![\dA-Za-z.])(?P<cap>\d{1,4})\s?(?P<u>GB|G|TB|T)(?![A-Za-z\d])",
    re.I,
)
_INCH_RE = re.compile(r"(?<![\d.])(?P<n>\d{2,3}(?:\.\d)?)\s?(?:英寸|寸)")
# The Chinese garment size label (GB/T 1335): height / chest or waist in cm + body type, "175/92A".
_GARMENT_LABEL_RE = re.compile(
    r"(?<![\d./])(?P<h>1[4-9]\d)\s?/\s?(?P<c>[6-9]\d|1[0-3]\d)(?P<t>[YABCyabc])?(?![\dA-Za-z/])")


def _clothing_value(raw: str) -> str:
    raw = raw.upper()
    m = re.fullmatch(r"([2-5])XL", raw)
    if m:
        return "X" * int(m.group(1)) + "L"
    return raw


def find_sizes(text: str) -> List[Entity]:
    found = []
    for match in _CLOTHING.finditer(text):
        raw = match.group("s")
        # lone S/M/L must look like a size: followed by 码/号/的 or preceded by a size cue
        if len(raw) == 1:
            before = text[max(0, match.start() - 4):match.start()]
            if not match.group("tail") and not re.search(r"(穿|要|拿|选|买|码|尺码|换|换成|是|的|拍)\s?$", before):
                continue
            if raw.upper() == "S" and re.match(r"\s?的", text[match.end("s"):]) and not re.search(
                    r"(穿|要|拿|选|买|码|换)\s?$", before):
                continue
        found.append(Entity("size", _clothing_value(raw), match.start(), match.end("s")))
    for match in _WORD_SIZE_RE.finditer(text):
        found.append(Entity("size", _WORD_SIZES[match.group(0)], match.start(), match.end()))
    for match in _SHOE_RE.finditer(text):
        value = match.group("a") or match.group("b")
        number = float(value)
        if not (15 <= number <= 50 or 60 <= number <= 190):
            continue
        found.append(Entity("size", value, match.start(), match.end()))
    for match in _HAO_RE.finditer(text):
        found.append(Entity("size", match.group("n"), match.start(), match.end()))
    for match in _CAPACITY_RE.finditer(text):
        if match.group("ram"):
            ram, rom = int(match.group("ram")), int(match.group("rom"))
            if ram not in (2, 3, 4, 6, 8, 12, 16, 18, 24, 32) or rom not in (32, 64, 128, 256, 512, 1, 2, 1024):
                continue
            rom_text = f"{rom}TB" if rom in (1, 2) else f"{rom}GB"
            found.append(Entity("size", f"{ram}GB+{rom_text}", match.start(), match.end()))
        else:
            cap, unit = int(match.group("cap")), match.group("u").upper()
            unit = "TB" if unit.startswith("T") else "GB"
            if unit == "GB" and cap not in (8, 16, 32, 64, 128, 256, 512, 1024, 2048):
                continue
            if unit == "GB" and cap <= 32 and not re.search(r"(内存|运存|ram|存储)", text, re.I):
                continue
            if unit == "TB" and cap > 16:
                continue
            found.append(Entity("size", f"{cap}{unit}", match.start(), match.end()))
    for match in _INCH_RE.finditer(text):
        found.append(Entity("size", f"{match.group('n')}英寸", match.start(), match.end()))
    for match in _GARMENT_LABEL_RE.finditer(text):
        label = f"{match.group('h')}/{match.group('c')}{(match.group('t') or '').upper()}"
        found.append(Entity("size", label, match.start(), match.end()))
    return _dedupe(found)


# --- colour -----------------------------------------------------------------------------------

BASE_COLOURS = "白黑红蓝绿黄粉紫灰金银棕橙青"
# Multi-character colour words not necessarily in the catalogue; value = word + 色 unless the
# word already ends with 色. Words marked * need the 色 suffix (they are also food/things).
GENERIC_COLOURS = [
    "藏青", "卡其", "酒红", "玫红", "天蓝", "深蓝", "浅蓝", "宝蓝", "湖蓝", "墨绿", "军绿", "浅灰",
    "深灰", "玫瑰金", "象牙白", "奶白", "米白", "米黄", "杏色", "驼色", "焦糖色", "咖啡色", "香槟色",
    "薄荷绿", "雾霾蓝", "克莱因蓝", "香芋紫", "樱花粉", "豆沙", "姜黄", "土黄", "橄榄绿", "森林绿",
    "牛仔蓝", "海军蓝", "荧光绿", "玫瑰红", "大红", "正红", "枣红", "桃红", "粉红", "粉紫", "淡紫",
    "纯白", "纯黑", "亮黑", "哑光黑", "磨砂黑", "曜石黑", "冰川白", "珍珠白", "星空蓝", "深空灰",
    "深空黑", "银白", "钛金属", "米色", "咖色", "褐色", "古铜色", "黑白", "白金", "香槟金",
]
ENGLISH_COLOURS = {"black": "黑色", "white": "白色", "red": "红色", "blue": "蓝色", "pink": "粉色",
                   "green": "绿色", "grey": "灰色", "gray": "灰色", "silver": "银色", "gold": "金色",
                   "purple": "紫色", "yellow": "黄色"}
# Characters that make a word with a base colour: 口红, 网红, 明白, 现金, 奶粉, 小米 ...
_NOT_COLOUR_AFTER = {"红": "口网走爆分当眼", "白": "明蛋空表坦告独", "黑": "拉抹天漆", "金": "现定押资奖基租薪礼",
                     "粉": "奶面蜜散花米", "灰": "烟石", "银": "收", "米": "小玉大厘毫平红", "绿": "", "蓝": "",
                     "黄": "蛋发", "紫": "", "棕": "", "橙": "", "青": "年"}
_COLOUR_PREV_OK = set("要买选拿换来是有纯全那这个件双款浅深亮哑偏和跟或还与及成挑拍订想欢的,，。 ~、/")


class ColourMatcher:
    """Colour mentions: catalogue colour names first, then generic and base colours."""

    def __init__(self, catalogue_colours: Iterable[str] = ()) -> None:
        self.names = {}
        for word in GENERIC_COLOURS:
            value = word if word.endswith("色") else word + "色"
            self.names[word] = value
            if not word.endswith("色"):
                self.names[word + "色"] = value
        for colour in catalogue_colours:
            colour = colour.strip()
            if len(colour) >= 2:
                self.names[colour] = colour
                if colour.endswith("色") and len(colour) >= 3:
                    self.names.setdefault(colour[:-1], colour)
        for base in BASE_COLOURS:
            self.names.setdefault(base + "色", base + "色")
        self._names_re = re.compile(
            "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        ) if self.names else None
        self._base_re = re.compile(rf"(?P<c>[{BASE_COLOURS}])(?=的|款|系|配)")
        self._english_re = re.compile(
            r"(?<![A-Za-z])(" + "|".join(ENGLISH_COLOURS) + r")(?![A-Za-z])", re.I)

    def find(self, text: str) -> List[Entity]:
        found = []
        if self._names_re is not None:
            for match in self._names_re.finditer(text):
                word = match.group(0)
                prev = text[match.start() - 1] if match.start() > 0 else ""
                # "口红色号" is 口红 + 色号, not 红色
                if prev and prev in _NOT_COLOUR_AFTER.get(word[0], ""):
                    continue
                found.append(Entity("color", self.names[word], match.start(), match.end()))
        for match in self._base_re.finditer(text):
            start = match.start()
            prev = text[start - 1] if start > 0 else " "
            if prev not in _COLOUR_PREV_OK or any(start < e.end and e.start < start + 1 for e in found):
                continue
            found.append(Entity("color", match.group("c") + "色", start, start + 1))
        for match in self._english_re.finditer(text):
            found.append(Entity("color", ENGLISH_COLOURS[match.group(1).lower()], match.start(), match.end()))
        return _dedupe(found)


# --- budget -----------------------------------------------------------------------------------

def find_budget_entities(text: str) -> List[Entity]:
    found = []
    for budget in find_budgets(text):
        if budget.minimum is not None:
            found.append(Entity("budget_min", format_number(budget.minimum), budget.start, budget.end))
        if budget.maximum is not None:
            found.append(Entity("budget_max", format_number(budget.maximum), budget.start, budget.end))
    return found


# --- helpers ----------------------------------------------------------------------------------

def _dedupe(entities: Sequence[Entity]) -> List[Entity]:
    """Longest first, no overlaps within one entity type, then in text order."""
    chosen: List[Entity] = []
    for ent in sorted(entities, key=lambda e: (-(e.end - e.start), e.start)):
        if any(ent.entity == c.entity and ent.start < c.end and c.start < ent.end for c in chosen):
            continue
        chosen.append(ent)
    return sorted(chosen, key=lambda e: (e.start, e.entity))


def overlaps(a: Entity, b: Entity) -> bool:
    return a.start < b.end and b.start < a.end


def find_all(text: str, colours: Optional[ColourMatcher] = None) -> List[Entity]:
    """All fixed-shape entities of a normalised text (no catalogue or vocabulary ones)."""
    orders = find_order_numbers(text)
    phones = [p for p in find_phone_suffix(text) if not any(overlaps(p, o) for o in orders)]
    phones = phones or find_suffix_beside_order(text, orders)
    numbers_taken = orders + phones
    sizes = [s for s in find_sizes(text) if not any(overlaps(s, o) for o in numbers_taken)]
    budgets = [b for b in find_budget_entities(text)
               if not any(overlaps(b, o) for o in numbers_taken + sizes)]
    quantities = [q for q in find_quantities(text)
                  if not any(overlaps(q, o) for o in numbers_taken + sizes + budgets)]
    result = orders + phones + sizes + budgets + quantities
    if colours is not None:
        result += colours.find(text)
    return sorted(result, key=lambda e: (e.start, e.entity))
