"""Shopper satisfaction (CSAT): the one question a shopper is asked after the desk closes
their hand-off or after the assistant saw a conversation through to a goodbye, and how an
answer — a button or typed words ("满意", "还行", "不满意", "4星", "差评，等太久了") — reads.
Pure rules: the standard library only.

Scores run 1-5; a shopper counts as satisfied from 4 up (the CSAT rate = ratings of 4 or 5 /
ratings). A message that is no rating ("我的快递到哪了") is not one: the question is dropped
(never asked again) and the message is answered as any other.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

DESK, ASSISTANT = "desk", "assistant"       # who is rated
SUBJECTS = {DESK: "人工客服", ASSISTANT: "小柚"}
SATISFIED_FROM = 4
SCORES = {5: "满意", 4: "比较满意", 3: "一般", 2: "不太满意", 1: "不满意"}

DESK_QUESTION = "请问您对本次人工服务满意吗？可以回复“满意”“一般”“不满意”或 1-5 星；不想评价直接继续提问就好。"
ASSISTANT_QUESTION = "方便给小柚这次的服务打个分吗？回复“满意”“一般”“不满意”或 1-5 星即可，不评价也没关系。"
# Buttons send their title as typed text, so a click and a typed answer are read alike.
BUTTONS = ("满意", "一般", "不满意")
THANKS = "感谢您的评价！有需要随时找我。"
THANKS_LOW = "感谢您的评价，很抱歉这次没能让您满意，我们会认真改进。如需人工，随时说“转人工”。"
SKIPPED = "好的，不评价也没关系。有需要随时找我。"

# An answer counts within this long after the question; later the question has lapsed.
ANSWER_WINDOW = timedelta(minutes=30)
# A conversation is asked at most once in this long (a second hand-off the same day, a
# goodbye after a rated hand-off: no second question).
ASK_AGAIN_AFTER = timedelta(hours=24)
MAX_COMMENT = 500
# The desk's closes after which the shopper is asked (``shop.domain.handoff_resolutions``):
# not when they had left (顾客未回复) nor after a session that was none (无效会话).
ASKED_AFTER = ("resolved", "follow_up", "unresolved")


@dataclass(frozen=True)
class Answer:
    score: Optional[int]           # 1-5; None: the shopper declined to rate
    comment: Optional[str] = None  # what they typed beside the rating
    wants_more: bool = False       # the comment asks for something (a person): answer it too

    @property
    def skipped(self) -> bool:
        return self.score is None


def reply_to(answer: Answer) -> str:
    if answer.skipped:
        return SKIPPED
    return THANKS if answer.score >= SATISFIED_FROM else THANKS_LOW


_SKIP = ("不想评价", "不评价", "不评了", "不打分", "不想打分", "跳过", "不用评价", "算了不评", "下次再评", "懒得评")
# Longest first within the list; the first match wins, so "不满意" is read before "满意".
_WORDS = (
    ("非常不满意", 1), ("很不满意", 1), ("特别不满意", 1), ("极不满意", 1), ("太差劲", 1), ("太差了", 1),
    ("非常差", 1), ("很差", 1), ("差评", 1), ("垃圾", 1), ("一星", 1), ("一颗星", 1),
    ("不太满意", 2), ("不怎么满意", 2), ("不是很满意", 2), ("不满意", 2), ("不好", 2), ("有点差", 2), ("较差", 2), ("太差", 1),
    ("非常满意", 5), ("很满意", 5), ("特别满意", 5), ("超级满意", 5), ("十分满意", 5), ("五星好评", 5), ("五星", 5),
    ("五颗星", 5), ("好评", 5), ("满分", 5), ("很好", 5), ("非常好", 5), ("太棒了", 5), ("很棒", 5), ("满意", 5),
    ("比较满意", 4), ("还不错", 4), ("挺好", 4), ("不错", 4), ("还可以", 4), ("可以", 4), ("四星", 4), ("四颗星", 4),
    ("还行", 3), ("一般般", 3), ("一般", 3), ("凑合", 3), ("马马虎虎", 3), ("中规中矩", 3), ("三星", 3), ("三颗星", 3),
    ("二星", 2), ("两星", 2), ("两颗星", 2),
)
_WORDS = tuple(sorted(_WORDS, key=lambda pair: -len(pair[0])))
_STARS = re.compile(r"(?<![0-9.])([1-5])\s*(?:颗星|星|分(?!钟))(?![0-9])")
_BARE_DIGIT = re.compile(r"^[1-5]$")
# A comment that asks for something: the rating is kept and the message answered too.
_REQUEST = ("人工", "投诉", "退", "换货", "查", "订单", "快递", "物流", "怎么", "帮我", "我要", "想要", "推荐")
_EDGES = " \t\r\n，。,.!！?？~～、；;：:…'\"“”‘’（）()【】[]👍👎😊😀🙂😡😤"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _comment(text: str, clean: str, matched: str) -> Optional[str]:
    """The whole message as typed when it says more than the rating itself ("服务不好",
    "差评，等太久了")."""
    if clean.strip(_EDGES) == matched:
        return None
    return text.strip().strip(_EDGES)[:MAX_COMMENT] or None


def read_answer(text: str) -> Optional[Answer]:
    """The rating in ``text`` (with whatever else was typed as the comment), a decline to
    rate, or None: not an answer to the question."""
    clean = _normalise(text)
    if not clean or len(clean) > MAX_COMMENT:
        return None
    for phrase in _SKIP:
        if phrase in clean:
            return Answer(None)
    stars = _STARS.search(clean)
    if stars:
        return _answer(int(stars.group(1)), text, clean, stars.group(0))
    bare = clean.strip(_EDGES)
    if _BARE_DIGIT.match(bare):
        return Answer(int(bare))
    for phrase, score in _WORDS:
        if phrase in clean:
            if phrase in ("可以", "不好") and (len(clean.strip(_EDGES)) > len(phrase) + 2 or "不好意思" in clean):
                # Too common to read as a rating inside a longer sentence ("可以退货吗").
                continue
            return _answer(score, text, clean, phrase)
    return None


def _answer(score: int, text: str, clean: str, matched: str) -> Optional[Answer]:
    if clean.rstrip(_EDGES).endswith(("吗", "么", "嘛")) or clean.rstrip().endswith(("?", "？")) and len(clean) <= 6:
        return None    # "满意吗", "5分钟能到吗", "可以退吗？": a question, not a rating
    comment = _comment(text, clean, matched)
    wants_more = bool(comment) and any(word in comment for word in _REQUEST)
    return Answer(score, comment, wants_more)
