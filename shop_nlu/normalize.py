"""Text normalisation that keeps every character where it was.

Shoppers type full-width digits and letters (``订单号：２０２４…``), traditional characters
(``這個多少錢``) and odd dashes/tildes. The NLU pipeline sees the text after
:func:`normalize_text`, which

1. maps full-width ASCII (U+FF01..U+FF5E) and the ideographic space to half-width,
2. maps a few look-alike punctuation marks to ASCII (``—`` ``～`` ``￥`` ...),
3. converts traditional to simplified Chinese (OpenCC ``t2s``),
4. respells colloquial and pinyin-initial shop words the same length (木有 -> 没有, kf -> 客服:
   :func:`standardise_variants`; catalogue keys, :func:`match_key`, skip this step),
5. writes the dashes inside a long number typed in groups as spaces ("2026-1204-6925-0253-07",
   "152-1239-3949": :func:`undash_long_numbers`),

and is **length-preserving**: character *i* of the output comes from character *i* of the
input. Entity spans computed on the normalised text are therefore valid on the text the
shopper typed, which is why the Rasa component may replace ``message.text`` in place.

Conversions that change the length (Chinese numerals to digits, "两千左右" to a range) are
*not* done on the text; they produce normalised entity values (see :mod:`shop_nlu.numbers`).
"""
from __future__ import annotations

import re
from functools import lru_cache

_PUNCT_MAP = {
    "\u3000": " ",   # ideographic space
    "\u00a0": " ",   # no-break space
    "\u2014": "-",   # em dash
    "\u2013": "-",   # en dash
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",   # minus sign
    "\u301c": "~",   # wave dash
    "\uffe5": "¥",   # full-width yen/yuan sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00d7": "x",   # multiplication sign: "×2"
    "\u2236": ":",   # ratio colon
}


def _build_halfwidth_table() -> dict:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    table.update({ord(k): v for k, v in _PUNCT_MAP.items()})
    return table


_HALFWIDTH_TABLE = _build_halfwidth_table()


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms and look-alike punctuation to ASCII, one char for one char.

    >>> to_halfwidth("订单号：２０２４０５０３ＡＢ")
    '订单号:20240503AB'
    """
    return text.translate(_HALFWIDTH_TABLE)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # opencc-python-reimplemented, pure Python

    return OpenCC("t2s")


@lru_cache(maxsize=8192)
def _t2s_char(char: str) -> str:
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, keeping the length.

    OpenCC converts phrase by phrase; when a phrase conversion changes the length (rare in
    t2s) the text is converted character by character instead, so offsets stay valid.

    >>> to_simplified("這個多少錢，能開發票嗎")
    '这个多少钱，能开发票吗'
    """
    if not _has_cjk(text):
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_t2s_char(ch) for ch in text)


# Colloquial and typed variants of shop words, each replaced by a standard spelling of the
# SAME length, so every character stays at its index (entity spans stay valid). Only forms
# that mean nothing else in a shop chat: 木有 is always 没有, but 虾米 (dried shrimp), 稀饭
# (porridge) and 童鞋 (children's shoes) are goods, and 咋 / 啥 have no same-length standard
# form (the vocabulary lists 咋 / 啥 spellings beside 怎么 / 什么).
_COLLOQUIAL = {
    "木有": "没有", "肿么": "怎么", "神马": "什么", "甚么": "什么", "怎摸": "怎么", "怎莫": "怎么",
    "怎末": "怎么", "介个": "这个", "素不素": "是不是", "灰常": "非常", "我滴": "我的", "你滴": "你的",
    # common slips of the pinyin keyboard (登陆 for 登录, 帐号 for 账号)
    "登陆": "登录", "帐号": "账号", "帐户": "账户", "到帐": "到账", "收获地址": "收货地址",
    "优惠卷": "优惠券", "优惠劵": "优惠券", "代金卷": "代金券", "购物卷": "购物券",
    # homophone slips of the pinyin keyboard on the desk's commonest words (issue 14 round 11):
    # none of these is a word of its own, so nothing else can be meant; 收获 (harvest) is one,
    # so it becomes 收货 only where a shopper's sentence about receiving the goods holds it
    "块递": "快递", "快第": "快递", "发获": "发货", "到获": "到货", "退获": "退货", "换获": "换货",
    "退宽": "退款", "付宽": "付款", "保休": "保修", "物留": "物流",
    "确认收获": "确认收货", "还没收获": "还没收货", "没有收获到": "没有收货到", "收获人": "收货人",
    "收获时间": "收货时间", "签收获": "签收货",
    # 卷 (a roll) typed for 券 (a coupon) where only a coupon is meant (issue 14 round 13)
    "补卷": "补券", "领卷": "领券", "运费卷": "运费券", "满减卷": "满减券", "返卷": "返券",
    # 报价 (a quotation) typed for 保价 (price protection, bao3 jia4 both) where only price
    # protection is meant: applied for, granted, refused or on record, or of an order (issue 14
    # round 16: "我申请订单报价" read as a price question); 报价 alone or 报价多少 stays a quote
    "申请报价": "申请保价", "报价申请": "保价申请", "报价成功": "保价成功", "报价失败": "保价失败",
    "报价记录": "保价记录", "订单报价": "订单保价", "能报价吗": "能保价吗", "可以报价吗": "可以保价吗",
}
# Pinyin-initial abbreviations shoppers type for shop words, only as a Latin word of their own
# (not inside "SF1234567890", "JD-1" or an English word): kf -> 客服, sf -> 顺丰; not "tb"
# (1 TB is a capacity).
_ABBREVIATIONS = {
    "kf": "客服", "sf": "顺丰", "jd": "京东", "pdd": "拼多多", "wx": "微信",
    "zfb": "支付宝", "yhq": "优惠券", "tk": "退款", "th": "退货", "fh": "发货", "wl": "物流", "kd": "快递",
    # (sh is no 上海 here: a city is typed in characters; "SH2026…", a request number, is a code)
    "sh": "售后", "yf": "运费", "fp": "发票",
}
_COLLOQUIAL_RE = re.compile("|".join(sorted(map(re.escape, _COLLOQUIAL), key=len, reverse=True)))
_ABBREVIATION_RE = re.compile(
    r"(?<![A-Za-z0-9_\-./+])(" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?![A-Za-z0-9_\-./+])", re.IGNORECASE)


# Desk words typed half in pinyin, half in characters ("tui货", "快di", "fa货", "退kuan") or
# wholly in pinyin as a Latin word of their own ("kuaidi", "tuihuo"): the pinyin keyboard left
# in Latin mode for a syllable. Written back as the characters, padded with spaces on the left
# so the length stays (tui货 -> "  退货"; the tokenizer drops whitespace). Each word is spelt
# by its pinyin syllables; a pinyin syllable is only read as the character when it stands
# beside the word's other character (or the whole word is pinyin), never inside a longer
# Latin word or a code ("kuaidi100", "sofa货" and "XYZ快di" stay as typed).
_PINYIN_WORDS = {
    "快递": ("kuai", "di"), "退货": ("tui", "huo"), "发货": ("fa", "huo"), "到货": ("dao", "huo"),
    "收货": ("shou", "huo"), "换货": ("huan", "huo"), "退款": ("tui", "kuan"),
    "付款": ("fu", "kuan"), "物流": ("wu", "liu"), "客服": ("ke", "fu"), "订单": ("ding", "dan"),
    "售后": ("shou", "hou"), "发票": ("fa", "piao"), "保修": ("bao", "xiu"),
    "维修": ("wei", "xiu"), "优惠": ("you", "hui"), "运费": ("yun", "fei"),
    "取消": ("qu", "xiao"), "地址": ("di", "zhi"), "包裹": ("bao", "guo"),
    "安装": ("an", "zhuang"), "价保": ("jia", "bao"), "保价": ("bao", "jia"),
    "差价": ("cha", "jia"), "赠品": ("zeng", "pin"), "签收": ("qian", "shou"),
    "补发": ("bu", "fa"), "单号": ("dan", "hao"), "尺码": ("chi", "ma"),
    # asking for a person in pinyin ("rengong", "zhuanrengong", "转rengong"): refused as
    # unreadable Latin before (issue round 20)
    "人工": ("ren", "gong"), "转人工": ("zhuan", "ren", "gong"),
}


def _pinyin_forms() -> dict:
    """Every spelling of each word with at least one syllable in pinyin: for 快递 "kuai递",
    "快di", "kuaidi"; for 转人工 also "zhuan人工", "转rengong", ...."""
    forms = {}
    for word, syllables in _PINYIN_WORDS.items():
        for mask in range(1, 2 ** len(syllables)):
            forms["".join(syllables[i] if mask >> i & 1 else word[i] for i in range(len(word)))] = word
    return forms


_PINYIN_FORMS = _pinyin_forms()
_LATIN_EDGE = r"A-Za-z0-9_\-./+"
_PINYIN_RE = re.compile(
    rf"(?<![{_LATIN_EDGE}])(?:"
    + "|".join(sorted(map(re.escape, _PINYIN_FORMS), key=len, reverse=True))
    + rf")(?![{_LATIN_EDGE}])", re.IGNORECASE)


def respell_pinyin_words(text: str) -> str:
    """Desk words typed (partly) in pinyin to their characters, same length (spaces first).

    >>> respell_pinyin_words("怎么还没fa货 我要tui货")
    '怎么还没 发货 我要  退货'
    """
    if not any("a" <= ch.lower() <= "z" for ch in text):
        return text

    def respell(match: re.Match) -> str:
        typed = match.group(0)
        word = _PINYIN_FORMS[typed.lower()]
        return " " * (len(typed) - len(word)) + word
    return _PINYIN_RE.sub(respell, text)


# The same mark typed again and again ("???", "。。。", "!!!", "~~~") is one mark and spaces:
# the tokenizer makes a token of each, and "? ? ?" is a phrase no example has.
_REPEATED_MARK = re.compile(r"([?!.,~。,!?、…])\1+")


def collapse_repeated_marks(text: str) -> str:
    """A run of one punctuation mark to the mark and spaces, same length.

    >>> collapse_repeated_marks("怎么还没到???")
    '怎么还没到?  '
    """
    return _REPEATED_MARK.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - 1), text)


def standardise_variants(text: str) -> str:
    """Colloquial and abbreviated shop words to their standard spelling, same length.

    >>> standardise_variants("肿么还木有发货 kf在吗")
    '怎么还没有发货 客服在吗'
    """
    text = _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL[m.group(0)], text)
    if any("a" <= ch.lower() <= "z" for ch in text):
        text = respell_pinyin_words(text)
        text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(0).lower()], text)
    return text


# A number of 11 digits or more typed in dash-joined groups: an order or phone number. The
# dashes are spaces to the classifier (its character n-grams read "1204-" as no word it knows:
# "查一下 2026-1204-…" fell to a clarifying question where the spaced number is plainly a
# detail); dates ("2024-05-03", 8 digits) and models ("RTX-4060") stay as typed.
_DASHED_NUMBER = re.compile(r"(?<![\dA-Za-z])\d+(?:-\d+){2,}(?![\dA-Za-z])")


def undash_long_numbers(text: str) -> str:
    """Dashes inside a long dash-grouped number to spaces, same length.

    >>> undash_long_numbers("查一下 2026-1204-6925-0253-07")
    '查一下 2026 1204 6925 0253 07'
    """
    def undash(match: re.Match) -> str:
        number = match.group(0)
        return number.replace("-", " ") if sum(ch.isdigit() for ch in number) >= 11 else number
    return _DASHED_NUMBER.sub(undash, text) if "-" in text else text


def normalize_script(text: str) -> str:
    """Half-width and simplified, nothing else (what catalogue keys are built from)."""
    if not text:
        return text
    return to_simplified(to_halfwidth(text))


def normalize_text(text: str) -> str:
    """The text the NLU pipeline works on (half-width, simplified, standard spellings of
    colloquial shop words; same length)."""
    if not text:
        return text
    return collapse_repeated_marks(
        undash_long_numbers(standardise_variants(normalize_script(text))))


def match_key(text: str) -> str:
    """Key for exact catalogue look-ups: normalised, lower case, no whitespace.

    Mirrors ``Product.model_key`` in the shop database ("iPhone 15 Pro" -> "iphone15pro");
    script only, so a model name is never respelt.
    """
    return "".join(normalize_script(text).lower().split())
