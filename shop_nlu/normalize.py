"""Text normalisation that keeps every character where it was.

Shoppers type full-width digits and letters (``订单号：２０２４…``), traditional characters
(``這個多少錢``) and odd dashes/tildes. The NLU pipeline sees the text after
:func:`normalize_text`, which

1. maps full-width ASCII (U+FF01..U+FF5E) and the ideographic space to half-width,
2. maps a few look-alike punctuation marks to ASCII (``—`` ``～`` ``￥`` ...),
3. converts traditional to simplified Chinese (OpenCC ``t2s``),

and is **length-preserving**: character *i* of the output comes from character *i* of the
input. Entity spans computed on the normalised text are therefore valid on the text the
shopper typed, which is why the Rasa component may replace ``message.text`` in place.

Conversions that change the length (Chinese numerals to digits, "两千左右" to a range) are
*not* done on the text; they produce normalised entity values (see :mod:`shop_nlu.numbers`).
"""
from __future__ import annotations

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


def normalize_text(text: str) -> str:
    """The text the NLU pipeline works on (half-width, simplified, same length)."""
    if not text:
        return text
    return to_simplified(to_halfwidth(text))


def match_key(text: str) -> str:
    """Key for exact catalogue look-ups: normalised, lower case, no whitespace.

    Mirrors ``Product.model_key`` in the shop database ("iPhone 15 Pro" -> "iphone15pro").
    """
    return "".join(normalize_text(text).lower().split())
