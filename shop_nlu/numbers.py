"""Numbers as shoppers write them, and the budget rule.

Input is text after :func:`shop_nlu.normalize.normalize_text` (half-width digits).

Numbers (:func:`parse_number`)
------------------------------
- Arabic, with thousands separators and decimals: ``1,299`` ``1.5``
- Magnitude suffixes: ``k``/``K``/``千`` = 1000, ``w``/``W``/``万`` = 10000, ``百`` = 100
  (``1.5k`` = 1500, ``2w`` = 20000, ``3千`` = 3000); a trailing digit after the magnitude
  is the next place down (``2千5`` = 2500, ``1万2`` = 12000)
- Chinese numerals, including 两/俩/仨/幺, 〇/零 and the capital forms 壹贰叁…拾佰仟:
  ``三百二十`` = 320, ``一百零五`` = 105, ``十五`` = 15
- Colloquial ellipsis: a digit after the last unit is the next place down:
  ``三百五`` = 350, ``两千五`` = 2500, ``一万二`` = 12000 (but ``一千零五`` = 1005)
- Digit strings without units are read digit by digit: ``幺三八`` = 138 (phone numbers)

Approximate ranges (:func:`parse_range`): ``两三千`` = 2000..3000, ``五六百`` = 500..600,
``一两千`` = 1000..2000.

Budget rule (:func:`find_budgets`), values are whole yuan
-----------------------------------------------------------
============================================  ==============================================
what the shopper writes                        budget_min / budget_max
============================================  ==============================================
``X-Y``, ``X到Y``, ``X~Y``, ``X至Y(之间)``       X / Y  (``1-2k`` and ``两到三千``: X takes Y's
                                               magnitude → 1000/2000, 2000/3000)
``两三千``, ``五六百`` (numeral ranges)           2000/3000, 500/600
``X以内/以下/之内/内/封顶``, ``不超过/最多/别超过/  — / X
低于/控制在 X``, ``预算X`` (no other qualifier)
``X以上/起/往上``, ``至少/不低于/最少 X``          X / —
``X多`` / ``X出头`` (X's last non-zero place P)   X / X+P−1, X / X+0.3·P (一百多 → 100/199,
                                               一千出头 → 1000/1300, 1200多 → 1200/1299)
``X左右/上下/附近``, ``大概/差不多/大约 X``        0.8·X / 1.2·X  (两千左右 → 1600/2400)
``X块/元的`` (an amount describing the item)      0.8·X / 1.2·X
``千元机``                                      1000 / 2000
============================================  ==============================================

An amount needs a money cue to count as a budget: a currency (元 块 块钱 ¥ rmb), a magnitude
(k w 千 万), or one of the qualifiers above. Amounts followed by another unit (天 码 个 件
cm 斤 G …) or preceded by 身高/体重 are never budgets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "幺": 1, "壹": 1, "二": 2, "两": 2, "俩": 2, "贰": 2,
    "三": 3, "仨": 3, "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
_MAGNITUDE = {"k": 1000, "K": 1000, "千": 1000, "w": 10_000, "W": 10_000, "万": 10_000,
              "百": 100}

CN_NUM_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG_UNITS)
# One number expression: Arabic (optional magnitude and a trailing next-place digit) or a
# run of Chinese numeral characters.
NUMBER_RE = (
    r"(?:\d+(?:,\d{3})*(?:\.\d+)?(?:\s?[kKwW千万百](?:[1-9一二两三四五六七八九](?![\d.]))?)?"
    rf"|[{CN_NUM_CHARS}]+)"
)


def _parse_cn_section(text: str) -> Optional[int]:
    """A Chinese numeral below 10,000 (no 万/亿), with the colloquial ellipsis."""
    if not text:
        return 0
    if all(ch in CN_DIGITS for ch in text):
        if len(text) == 1:
            return CN_DIGITS[text]
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = 0
    digit: Optional[int] = None
    last_unit = None
    saw_zero = False
    for ch in text:
        if ch in CN_DIGITS:
            value = CN_DIGITS[ch]
            if value == 0:
                saw_zero = True
                digit = None
                continue
            if digit is not None:      # two digits in a row inside a unit number: invalid
                return None
            digit = value
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            if last_unit is not None and unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
            saw_zero = False
        else:
            return None
    if digit is not None:
        if last_unit is not None and last_unit >= 100 and not saw_zero:
            total += digit * (last_unit // 10)   # 三百五 = 350, 两千五 = 2500
        else:
            total += digit
    return total


def parse_chinese_number(text: str) -> Optional[int]:
    """Chinese numerals (with 万/亿 sections) to an int; None when it is not a number."""
    if not text:
        return None
    if all(ch in CN_DIGITS for ch in text):
        return _parse_cn_section(text)
    total = 0
    rest = text
    for big_char, big_value in sorted(CN_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, rest = rest.split(big_char, 1)
            head_value = _parse_cn_section(head) if head else 1
            if head_value is None:
                return None
            total += head_value * big_value
            # 一万二 = 12000: a lone digit after 万 is thousands.
            if len(rest) == 1 and rest in CN_DIGITS and CN_DIGITS[rest] != 0:
                return total + CN_DIGITS[rest] * (big_value // 10)
    tail = _parse_cn_section(rest)
    if tail is None:
        return None
    return total + tail


_ARABIC_RE = re.compile(
    r"^(\d+(?:,\d{3})*(?:\.\d+)?)\s?(?:([kKwW千万百])([1-9一二两三四五六七八九])?)?$"
)


def parse_number(text: str) -> Optional[float]:
    """Parse one number expression (see the module docstring); None when not a number."""
    text = text.strip()
    if not text:
        return None
    match = _ARABIC_RE.match(text)
    if match:
        value = float(match.group(1).replace(",", ""))
        magnitude = match.group(2)
        if magnitude:
            mult = _MAGNITUDE[magnitude]
            value *= mult
            trailing = match.group(3)
            if trailing:
                digit = int(trailing) if trailing.isdigit() else CN_DIGITS[trailing]
                value += digit * mult / 10
        return value
    # Arabic number followed by Chinese units, e.g. "3千" is handled above; "3百5" too.
    value = parse_chinese_number(text)
    return float(value) if value is not None else None


_CN_RANGE_RE = re.compile(
    r"^([一二两三四五六七八九])([二两三四五六七八九])([十百千万]+)$"
)


def parse_range(text: str) -> Optional[Tuple[float, float]]:
    """Numeral ranges like 两三千 (2000, 3000), 五六百 (500, 600), 一两千 (1000, 2000)."""
    match = _CN_RANGE_RE.match(text.strip())
    if not match:
        return None
    low, high = CN_DIGITS[match.group(1)], CN_DIGITS[match.group(2)]
    if high != low + 1:
        return None
    unit_value = parse_chinese_number("一" + match.group(3))
    if unit_value is None:
        return None
    return float(low * unit_value), float(high * unit_value)


def format_number(value: float) -> str:
    """Whole numbers without a decimal point ("1600"), others with up to two decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


# --- budget ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    start: int
    end: int
    minimum: Optional[float]
    maximum: Optional[float]


_CUR_PRE = r"(?:[¥$]\s?|rmb\s?|RMB\s?)"
_CUR_POST = r"(?:块钱|块|元|rmb|RMB|大洋|软妹币|米(?=[的以左上内]))"
_AMOUNT = rf"(?P<pre{{n}}>{_CUR_PRE})?(?P<num{{n}}>{NUMBER_RE})\s?(?P<cur{{n}}>{_CUR_POST})?"


def _amount(n: str) -> str:
    return _AMOUNT.replace("{n}", n)


# Not money when the number is followed by one of these units.
_OTHER_UNIT = (
    r"(?:\s?(?:天|日|号|码|个|件|台|部|只|双|瓶|盒|箱|套|本|支|条|包|袋|份|张|斤|公斤|克|kg|KG|g(?!b)|"
    r"G|GB|gb|T(?!恤)|TB|寸|英寸|cm|CM|厘米|公分|米(?![的以左上内])|mm|岁|小时|分钟|周|星期|月|年|次|度|"
    r"%|折|毫升|ml|L|升|瓦|W(?=[^a-zA-Z]|$)|mah|mAh|MAH|位|期|人|楼|层|款|种|色))"
)
_NOT_BEFORE = r"(?<![\d.a-zA-Z])"
_NOT_AFTER = rf"(?![\d.{CN_NUM_CHARS}]|{_OTHER_UNIT})"

_RANGE_SEP = r"\s?(?:-|~|到|至|—|－)\s?"
_UPPER_PRE = (
    r"(?:不超过|不要超过|别超过|不能超过|不超|最多|最高|顶多|撑死|低于|少于|不高于|控制在|"
    r"预算只有|预算就|预算在|预算是|预算(?:改|调|调整|换|提高|提|降低|降|加|放宽|放|涨|控制)(?:成|为|到|在)|预算|"
    r"价位在|价格在)"
)
_UPPER_POST = r"(?:以内|以下|之内|内|封顶|顶天|为上限|以下的|之下|max)"
_LOWER_PRE = r"(?:至少|起码|不低于|最少|最低|高于|超过)"
_LOWER_POST = r"(?:以上|起步|起|往上)"
_AROUND_PRE = r"(?:大概|大约|差不多|约|估计|预计)"
_AROUND_POST = r"(?:左右|上下|附近|前后|的样子|这样)"
_MORE_POST = r"(?:多(?![少久])|出头)"

_BUDGET_PATTERNS = [
    # ranges first: "1-2k", "两到三千", "500到800之间"
    ("range", re.compile(
        rf"{_NOT_BEFORE}{_amount('a')}{_RANGE_SEP}{_amount('b')}(?P<post>之间|以内|左右)?{_NOT_AFTER}")),
    ("numeral_range", re.compile(
        r"(?P<num>[一二两三四五六七八九][二两三四五六七八九][十百千万]+)\s?(?P<cur>"
        + _CUR_POST + r")?(?P<post>左右|之间|的)?"
    )),
    ("upper", re.compile(
        rf"{_UPPER_PRE}\s?{_amount('a')}\s?(?P<post>{_UPPER_POST})?{_NOT_AFTER}(?!钱?\s?(?:{_CUR_POST})?\s?(?:左右|上下|以上|起|多(?!少)|出头))")),
    ("upper", re.compile(rf"{_NOT_BEFORE}{_amount('a')}\s?{_UPPER_POST}")),
    ("lower", re.compile(rf"{_LOWER_PRE}\s?{_amount('a')}{_NOT_AFTER}")),
    ("lower", re.compile(rf"{_NOT_BEFORE}{_amount('a')}\s?{_LOWER_POST}")),
    # not "我七十多了" (an age, a count): a budget is not followed by 了
    ("more", re.compile(rf"{_NOT_BEFORE}{_amount('a')}\s?(?P<more>多(?![少久了])|出头(?!了)){_NOT_AFTER}")),
    ("around", re.compile(rf"{_AROUND_PRE}\s?{_amount('a')}{_NOT_AFTER}")),
    ("around", re.compile(rf"{_NOT_BEFORE}{_amount('a')}\s?{_AROUND_POST}")),
    ("priced", re.compile(rf"{_NOT_BEFORE}{_amount('a')}\s?(?:的|档|价位)")),
    ("qianyuanji", re.compile(r"千元机|千元级|千元档")),
]

_HAS_MAGNITUDE = re.compile(r"[kKwW千万]")
_RESOLUTION = re.compile(r"(?<![\d.])[1-8]\s?[kK](?![\d])")
_SCREEN_CONTEXT = re.compile(r"(电视|显示器|屏|相机|拍|视频|分辨率|录|高清|投影|hdr|HDR|画质|摄像)")
_BODY_CONTEXT = re.compile(r"(身高|体重|腰围|胸围|高|重|脚长|脚|年龄)\s?$")


def _is_money(match: re.Match, names: Tuple[str, ...], kind: str) -> bool:
    """Whether an amount carries a money cue (currency, magnitude or a budget qualifier)."""
    if kind in ("upper", "lower", "around", "range", "more", "numeral_range", "qianyuanji"):
        # qualifiers are cues, but a bare single digit ("3以内") is too weak on its own
        for n in names:
            num = match.group(f"num{n}") if f"num{n}" in match.re.groupindex else None
            if num is None:
                continue
            value = parse_number(num)
            if value is None:
                return False
        if kind == "range":
            a, b = match.group("numa"), match.group("numb")
            cues = any(match.group(g) for g in ("prea", "cura", "preb", "curb"))
            cues = cues or bool(_HAS_MAGNITUDE.search(a + b)) or bool(match.group("post"))
            va, vb = parse_number(a), parse_number(b)
            return cues or (va is not None and vb is not None and min(va, vb) >= 50)
        if kind in ("upper", "lower", "around", "more"):
            num = match.group("numa")
            value = parse_number(num)
            has_cue = bool(match.group("prea") or match.group("cura") or _HAS_MAGNITUDE.search(num))
            return has_cue or (value is not None and value >= 20)
        return True
    # "priced": needs a currency or a magnitude
    num = match.group("numa")
    return bool(match.group("prea") or match.group("cura") or _HAS_MAGNITUDE.search(num))


def _value_of(num: str) -> Optional[float]:
    return parse_number(num.replace(" ", ""))


def _budget_from_match(kind: str, match: re.Match) -> Optional[Tuple[Optional[float], Optional[float]]]:
    if kind == "qianyuanji":
        return 1000.0, 2000.0
    if kind == "numeral_range":
        rng = parse_range(match.group("num"))
        return rng
    if kind == "range":
        a_text, b_text = match.group("numa"), match.group("numb")
        rng = parse_range(a_text)
        if rng is not None:
            return None
        a, b = _value_of(a_text), _value_of(b_text)
        if a is None or b is None:
            return None
        b_mag = _HAS_MAGNITUDE.search(b_text) or re.search(r"[百千万]", b_text)
        a_mag = _HAS_MAGNITUDE.search(a_text) or re.search(r"[十百千万]", a_text)
        if b_mag and not a_mag and a < b:
            # "1-2k" / "两到三千": the first number borrows the magnitude of the second
            mag_char = b_mag.group(0)
            mult = _MAGNITUDE.get(mag_char, 1)
            if a * mult <= b * 1.0001 and a < 10:
                a *= mult
            elif a * mult <= b:
                a *= mult
        if a > b:
            a, b = b, a
        return a, b
    value = _value_of(match.group("numa"))
    if value is None or value <= 0:
        return None
    if kind == "upper":
        return None, value
    if kind == "lower":
        return value, None
    if kind == "more":
        return value, more_than_upper(value, match.group("more") == "出头")
    # around / priced
    return round(value * 0.8), round(value * 1.2)


def more_than_upper(value: float, just_over: bool) -> float:
    """The top of "X多" / "X出头", read on the place of X's last non-zero digit: "一百多" is
    100–199 and "两千多" 2000–2999 (up to the next step of that place), "1200多" 1200–1299;
    "出头" is just over it, a third of that step: "一千出头" 1000–1300, "三十出头" 30–33."""
    step = 1
    while value >= step * 10 and value % (step * 10) == 0:
        step *= 10
    if step == 1:
        return round(value * 1.1, 2)  # "35多块", "9.9多": a little over, not another place
    return value + (round(step * 0.3) if just_over else step - 1)


def find_budgets(text: str) -> List[Budget]:
    """All budget mentions in a (normalised) text, left to right, without overlaps."""
    found: List[Budget] = []
    taken: List[Tuple[int, int]] = []
    for kind, pattern in _BUDGET_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            names = ("a", "b") if kind == "range" else ("a",)
            if not _is_money(match, names, kind):
                continue
            if _BODY_CONTEXT.search(text[max(0, start - 4):start]):
                continue
            if kind == "priced" and _RESOLUTION.search(match.group(0)) and _SCREEN_CONTEXT.search(text):
                continue  # "4K的电视" is a resolution
            values = _budget_from_match(kind, match)
            if values is None:
                continue
            low, high = values
            while end > start and text[end - 1].isspace():
                end -= 1
            found.append(Budget(start, end, low, high))
            taken.append((start, end))
    found.sort(key=lambda b: b.start)
    return found
