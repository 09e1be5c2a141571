"""Messages with no readable Chinese content: what they are, so nothing reads them as a request.

The intent classifier always picks *some* intent: 500 "😀" came out as after-sales, "...." and
"123" as a detail given (the shopper heard "好的，收到～"), "<script>" and Russian or Korean
sentences as shop questions. None of them says anything the assistant can act on, so the
readability guard (:class:`shop_nlu.readability_guard.ShopReadabilityGuard`) answers them as
out of scope with a verdict the out-of-scope action turns into a polite "没太看懂" (or "请用中文")
reply; the entities found in them are dropped, so they fill no slot.

Kinds of verdict:
- ``no_content``: punctuation, symbols and emoji only ("....", "？？？", 500 "😀");
- ``repeated``: one letter or digit typed over and over ("aaaaaaaaaa", "退退退退退退退退退退"),
  unless it is a well-formed order number ("202612029999999999");
- ``markup``: HTML or script ("<script>alert(1)</script>", "<img src=x onerror=...>"), even
  around Chinese: it is never a shopper's question, and it must not reach a form's free text;
- ``code``: SQL-looking text with no Chinese ("'; DROP TABLE orders; --");
- ``blob``: one long token of letters and digits, no Chinese (a base64 or hex dump);
- ``link``: only a web address (the assistant cannot open it);
- ``foreign``: another language (``language``: en, ja, ko, ru, other). English keeps its
  intent only as small talk the classifier is sure of ("ok", "thx", "bye", "are you a bot",
  "human please": the answer needs no detail, and a person is the way on for an English
  speaker); a question or request about the shop in English ("I want to return this item",
  "where is my order"), any other guess at English, and any Cyrillic, Korean or Japanese is
  answered "请用中文", with the Chinese way to ask what the classifier guessed. How sure the
  classifier is of a shop meaning never decides it: how confident it is on a language it
  barely learnt moves with every change of the model (the naive Bayes blend made "I want to
  return this item" a sure after-sales request);
- ``digits``: digits alone ("123", "2"). Only *marked*, the intent is kept: they are an order
  number, phone digits or a pick from a list when the assistant asked for one, which only the
  dialogue knows (``actions/continuation.py`` answers "没太看懂" when nothing was asked).

What is never a verdict: any message with Chinese in it (unless markup or Japanese kana), one
naming an order number, phone digits or a catalogue product, brand or category ("iPhone 15
Pro", "AirPods"), and one code-like token with digits ("JD202612010001", "RTX4090", "XL").
Short emoji small talk the classifier is sure of keeps its intent ("👍" is a yes).

Pure functions over the normalised text (full-width already half-width); no Rasa. Unit-tested in
tests/shop_nlu/test_readability.py.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional

KINDS = ("no_content", "repeated", "markup", "code", "blob", "link", "foreign", "digits")
# The parse-data key the verdict travels under (the actions read it from latest_message).
PARSE_KEY = "readability"

ORDER_NO = "order_no"
# Entities that make a message readable whatever its script: facts the shop can look up.
# Sizes, colours and budgets too: "XL", "16+1T", "black, size L" answer a question.
READABLE_ENTITIES = frozenset({ORDER_NO, "phone_suffix", "product", "brand", "category", "size", "color",
                               "budget_min", "budget_max"})
# Emoji alone keep a small-talk intent the classifier is sure of ("👍" is a yes, "👋" a hello).
KEPT_EMOJI_INTENTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny"})
# English keeps these (and only these) when the classifier is sure: small talk, and the way
# to a person ("human please", "can i talk to a real person").
KEPT_ENGLISH_INTENTS = KEPT_EMOJI_INTENTS | {"bot_challenge", "human_handoff"}
# The fallback classifier's threshold: below it the guess is not an understanding.
SURE = 0.5
# "👍" / "👌👌": a short reaction; a wall of emoji is not one.
SHORT_REACTION = 6

_HTML_TAGS = ("script|img|iframe|svg|a|body|html|head|style|link|meta|object|embed|form|input|"
              "button|video|audio|source|div|span|p|b|i|u|br|hr|table|tr|td|details|marquee|math|"
              "base|frame|frameset|textarea|select|option|template|xml|xss")
_MARKUP = re.compile(rf"<\s*/?\s*(?:{_HTML_TAGS})\b[^<>]*>|<\s*(?:{_HTML_TAGS})\s+[^<>]*=|javascript\s*:|"
                     r"\bon[a-z]{3,}\s*=|&#x?[0-9a-f]{2,};|\{\{.*\}\}|\$\{.*\}", re.IGNORECASE)
_SQL = re.compile(
    r"\b(select\b.+\bfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|drop\s+(table|database)|"
    r"union\s+(all\s+)?select|alter\s+table|truncate\s+table|exec(ute)?\s*\(|sleep\s*\(\d)|"
    r"'\s*(or|and)\s+'?\w+'?\s*=\s*'?\w+|;\s*--|--\s*$|/\*.*\*/|\bor\s+1\s*=\s*1\b", re.IGNORECASE)
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]+")
# A base64 or hex dump: one long run of token characters.
BLOB_MIN = 24
# A single word with a digit in it is a code (an order, parcel or model number), not language.
CODE_TOKEN = re.compile(r"^(?=.*\d)[A-Za-z0-9#_\-/.]{1,32}$")
# One letter or digit typed this many times in a row, making up most of the message.
REPEAT_RUN = 10


@dataclass(frozen=True)
class Verdict:
    kind: str
    language: Optional[str] = None

    @property
    def keeps_intent(self) -> bool:
        """Digits are only marked: whether they answer a question is the dialogue's call."""
        return self.kind == "digits"

    def as_dict(self, classifier_intent: Optional[str] = None) -> Dict[str, Any]:
        out: Dict[str, Any] = {"kind": self.kind}
        if self.language:
            out["language"] = self.language
        if classifier_intent:
            out["classifier_intent"] = classifier_intent
        return out


@dataclass(frozen=True)
class Scripts:
    """How many characters of each kind a message has."""
    han: int = 0
    kana: int = 0
    hangul: int = 0
    cyrillic: int = 0
    latin: int = 0
    other_letters: int = 0
    digits: int = 0
    pictographs: int = 0
    rest: int = 0  # punctuation, symbols, spaces

    @property
    def letters(self) -> int:
        return self.han + self.kana + self.hangul + self.cyrillic + self.latin + self.other_letters


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF:
        return "han"
    # Kana, but not the middle dot and the long-vowel mark, which Chinese text uses too.
    if (0x3040 <= code <= 0x30FF and ch not in "\u30fb\u30fc") or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    category = unicodedata.category(ch)
    if category == "Nd":
        return "digits"
    if category.startswith("L"):
        return "latin" if code < 0x0250 else "other_letters"
    if category == "So" or 0x1F000 <= code <= 0x1FAFF:
        return "pictographs"
    return "rest"


def count_scripts(text: str) -> Scripts:
    counts: Dict[str, int] = {}
    for ch in text:
        kind = _script(ch)
        counts[kind] = counts.get(kind, 0) + 1
    return Scripts(**counts)


def _repeated(text: str) -> bool:
    """One letter or digit typed REPEAT_RUN times or more in a row, at least half the message
    (punctuation and emoji runs do not count: "我要退货！！！！！！！！！！" is a request)."""
    compact = "".join(text.split())
    longest, run, previous = 0, 0, ""
    for ch in compact:
        run = run + 1 if ch == previous else 1
        previous = ch
        if ch.isalnum():
            longest = max(longest, run)
    return longest >= REPEAT_RUN and longest * 2 >= len(compact)


# Simplified characters Japanese does not write: "こんにちは是什么意思" is a Chinese question.
_CHINESE_ONLY = frozenset("这们么还个吗呢说给对为吧啊哪谁是")


def _foreign_script(text: str, scripts: Scripts) -> Optional[str]:
    """The language of a script that is not Chinese's, by its letters."""
    if (scripts.kana >= 2 and scripts.kana * 5 >= scripts.han + scripts.kana
            and not _CHINESE_ONLY.intersection(text)):
        return "ja"
    if scripts.han:
        return None
    if scripts.hangul:
        return "ko"
    if scripts.cyrillic:
        return "ru"
    if scripts.other_letters:
        return "other"
    return None


def assess(text: str, entity_kinds: Iterable[str] = (), intent: Optional[str] = None,
           confidence: float = 0.0) -> Optional[Verdict]:
    """The verdict on one message (see the module docstring), or None when it is readable.

    ``entity_kinds``: the entity names found in it; ``intent``, ``confidence``: the
    classifier's guess, which decides only whether English small talk or a short emoji
    reaction keeps its intent."""
    text = (text or "").strip()
    if not text:
        return Verdict("no_content")
    if _MARKUP.search(text):
        return Verdict("markup")
    scripts = count_scripts(text)
    language = _foreign_script(text, scripts)
    if language:
        return Verdict("foreign", language)
    entity_kinds = set(entity_kinds)
    # A well-formed order number may repeat a digit ("202612029999999999"): the entity
    # extractor's order-number rule (shop_nlu/rules.py) found it, so it is a fact, not a key held down.
    if _repeated(text) and ORDER_NO not in entity_kinds:
        return Verdict("repeated")
    if scripts.han:
        return None
    if scripts.latin:
        if _SQL.search(text):
            return Verdict("code")
        if _URL.fullmatch(text):
            return Verdict("link")
        if any(len(token) >= BLOB_MIN for token in _TOKEN.findall(text)) and not _URL.search(text):
            return Verdict("blob")
    if READABLE_ENTITIES & entity_kinds:
        return None
    sure = float(confidence or 0.0) >= SURE
    if scripts.latin:
        if CODE_TOKEN.match(text) or (sure and intent in KEPT_ENGLISH_INTENTS):
            return None
        return Verdict("foreign", "en")
    if scripts.digits:
        return Verdict("digits")
    if (scripts.pictographs and len("".join(text.split())) <= SHORT_REACTION and sure
            and intent in KEPT_EMOJI_INTENTS):
        return None
    return Verdict("no_content")
