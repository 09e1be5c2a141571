"""Policy answers from ``content/faq.yml``, re-read when the file changes.

Operators edit the YAML; the action server picks the change up on the next question
(a cheap mtime check), so no code change, retraining or restart is needed. The file is
read only by ``FaqBook.refresh``: the action server's book answers from memory and is
refreshed off the event loop before each action runs (``actions.support``); a book made
in-process (tools, tests) checks the file on every read instead.

An answer may say ``{desk_hours}``: the human desk's hours (``SHOP_DESK_HOURS``, passed
down by the action server at start-up), so the FAQ and the hand-off replies never disagree.
"""
from __future__ import annotations

import logging
import random
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from assistant.after_sales_dialogue import asks_two_questions
from assistant.invoices import COPY, REISSUE, asks_for_copy, asks_to_reissue
from assistant.order_matching import ORDER_CARD_TOPICS
from shop.domain.handoff_queue import DEFAULT_DESK_HOURS
from shop.settings import REPO_ROOT

logger = logging.getLogger(__name__)

DEFAULT_FAQ_PATH = REPO_ROOT / "content" / "faq.yml"


@dataclass(frozen=True)
class PolicyAnswer:
    topic: str
    title: str
    answers: Tuple[str, ...]
    # Answers of their own for a narrower question on the topic ("抬头写错了能改吗" under
    # invoice: invoice_reissue), each with the test that picks it (``NARROWER``).
    narrower: Tuple[Tuple[Callable[[str], bool], "PolicyAnswer"], ...] = ()
    # Direct answers to a yes/no question about one case of the rule ("空调能自提吗": 不能, then
    # why), each with the words that name the case (the file's ``verdicts``).
    verdicts: Tuple["Verdict", ...] = ()

    def pick(self, rng: Optional[random.Random] = None) -> str:
        return (rng or random).choice(self.answers)

    def for_question(self, question: str, rng: Optional[random.Random] = None, about: Sequence[str] = ()) -> str:
        """The answer to a narrow question: a narrower topic's own answer when one fits it,
        else the answer cut to the part the question is about ("公司抬头怎么开" gets the
        invoice title lines, not the whole invoice policy); the whole answer otherwise.
        ``about``: what the question is about when it does not say (the product in view's
        categories: "能自提吗" about an air conditioner is the 空调 verdict)."""
        for verdict in self.verdicts:
            said = verdict.said_in(question or "")
            if said is None:
                said = next((word for word in map(verdict.said_in, about) if word is not None), None)
            if said is not None:
                return verdict.answer.replace("{asked}", said)
        for asks, answer in self.narrower:
            if asks(question or ""):
                # A narrower topic's answer is already the part asked about: whole ("发票丢了"
                # cut by its words kept only the paper-invoice line, not the download).
                return answer.pick(rng)
        return focus(self.pick(rng), question, self.title)


@dataclass(frozen=True)
class Verdict:
    """"秒杀买的也能保吗": the case (秒杀) a question names, and the yes/no answer for it."""
    asks: Tuple[str, ...]
    answer: str

    def said_in(self, question: str) -> Optional[str]:
        """The first of the case's words the question contains, or None."""
        return next((word for word in self.asks if word and word in question), None)


def _verdicts(entry: dict, filled: Callable[[str], str]) -> Tuple[Verdict, ...]:
    """The topic's well-formed ``verdicts`` (a broken one is skipped, not the topic)."""
    verdicts = []
    for raw in entry.get("verdicts") or []:
        asks = raw.get("asks") if isinstance(raw, dict) else None
        answer = raw.get("answer") if isinstance(raw, dict) else None
        if not isinstance(asks, list) or not isinstance(answer, str) or not answer.strip():
            logger.warning("a verdict without asks or answer in faq.yml is ignored: %r", raw)
            continue
        verdicts.append(Verdict(tuple(str(word) for word in asks if str(word).strip()), filled(answer.strip())))
    return tuple(verdicts)


# The answers' invitation to give the order number ("仍找不到的话告诉我订单号，我帮您联系快递核实"),
# dropped where the order is already known ("水果那单显示签收了 可我没收到"): "我帮您联系快递核实".
ASKS_ORDER_NO = re.compile(r"(请|或)?告诉我订单号[，,、]?")


def order_known(answer: str) -> str:
    """An answer said about an order already known: without asking for its number."""
    return ASKS_ORDER_NO.sub("", answer)


def without_order_lines(answer: str) -> str:
    """An answer without its lines about the order number ("告诉我订单号，我可以直接帮您申请。"):
    for an order known to qualify for nothing, where the offer to apply goes too (unlike
    ``order_known``, which keeps it)."""
    return "\n".join(line for line in answer.splitlines() if "订单号" not in line)


# Topics whose narrower questions have answers of their own in the file, and how each is asked.
NARROWER: Dict[str, Tuple[Tuple[str, Callable[[str], bool]], ...]] = {
    # A lost invoice first: "发票丢了 能重新开一张吗" wants a copy, not a new title.
    "invoice": ((COPY, asks_for_copy), (REISSUE, asks_to_reissue)),
}


# Words of a question that say nothing about which part of an answer it wants.
ASKING = re.compile(r"怎么|怎样|如何|什么|多少|多久|哪些|哪个|哪里|能不能|可不可以|可以|是否|有没有|请问|"
                    r"你们|我们|我的|我想|想问|一下|[吗呢吧啊呀么的了是要能会有我你在]|[^\w]")
# Pieces of an answer: its lines, and the sentences of a line that is no bullet.
SENTENCE = re.compile(r"[^。\n]+[。]?")


def _pieces(answer: str) -> List[str]:
    pieces: List[str] = []
    for line in answer.strip().splitlines():
        line = line.strip()
        if line.startswith("·") or len(line) < 60:
            pieces.append(line)
        else:
            pieces.extend(s.strip() for s in SENTENCE.findall(line) if s.strip())
    return [p for p in pieces if p]


def focus(answer: str, question: str, title: str = "") -> str:
    """The pieces of ``answer`` that share the most two-character words with ``question`` — when
    that is a real part of it (some pieces, not all, of an answer of two or more) and the
    shared words are not the topic's own name (every piece of the invoice answer says 发票)."""
    pieces = _pieces(answer)
    if len(pieces) < 2:
        return answer
    rest = ASKING.sub(" ", question or "")
    grams = {word[i:i + 2] for word in rest.split() for i in range(len(word) - 1)}
    grams = {g for g in grams if g not in title and sum(g in p for p in pieces) < len(pieces)}
    scores = [sum(g in p for g in grams) for p in pieces]
    # The pieces that match best (one shared word less still counts: 公司抬头 → the lines on 抬头).
    chosen = [p for p, score in zip(pieces, scores) if score and score >= max(scores) - 1]
    # One shared word is too little to leave the rest out ("专票" is in the line on re-issuing).
    if not chosen or max(scores) < 2 or len(chosen) > len(pieces) * 0.6:
        return answer
    return "\n".join(chosen)


def default_values() -> Dict[str, str]:
    """What ``{name}`` in an answer becomes when the process passed nothing down."""
    return {"desk_hours": DEFAULT_DESK_HOURS.text}


class FaqBook:
    """The answers of one FAQ file. ``checks_file_on_read``: every read first checks the file
    (and re-reads it when it changed); off, reads answer from memory, which ``refresh``
    (run off the event loop) keeps up to date — the file is read on the first read only if
    ``refresh`` never ran."""

    def __init__(self, path: Optional[Path] = None, values: Optional[Dict[str, str]] = None,
                 checks_file_on_read: bool = True) -> None:
        self.path = Path(path or DEFAULT_FAQ_PATH)
        self.values = dict(values or default_values())
        self.checks_file_on_read = checks_file_on_read
        self._lock = threading.Lock()
        self._mtime: Optional[float] = None
        self._loaded = False
        self._answers: Dict[str, PolicyAnswer] = {}

    def _load(self) -> Dict[str, PolicyAnswer]:
        with open(self.path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        answers: Dict[str, PolicyAnswer] = {}
        for topic, entry in (document.get("topics") or {}).items():
            raw = entry.get("answer") if isinstance(entry, dict) else None
            texts = [raw] if isinstance(raw, str) else list(raw or [])
            texts = tuple(self._filled(t.strip()) for t in texts if isinstance(t, str) and t.strip())
            if not texts:
                logger.warning("faq topic %r in %s has no answer; ignored", topic, self.path)
                continue
            answers[str(topic)] = PolicyAnswer(str(topic), str(entry.get("title") or topic), texts,
                                               verdicts=_verdicts(entry, self._filled))
        for topic, narrower in NARROWER.items():
            found = tuple((asks, answers[name]) for name, asks in narrower if name in answers)
            if topic in answers and found:
                answers[topic] = replace(answers[topic], narrower=found)
        return answers

    def _filled(self, text: str) -> str:
        # Plain replacement, not str.format: an answer may hold other braces.
        for name, value in self.values.items():
            text = text.replace("{" + name + "}", value)
        return text

    def refresh(self) -> Dict[str, PolicyAnswer]:
        """Re-reads the file when it changed (blocking: a stat, and the YAML when changed)."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            logger.error("faq file %s is missing; keeping the answers already loaded", self.path)
            self._loaded = True
            return self._answers
        with self._lock:
            if mtime != self._mtime:
                try:
                    self._answers = self._load()
                    self._mtime = mtime
                except (OSError, yaml.YAMLError, AttributeError) as error:
                    # A half-saved or broken edit must not take answers away from shoppers.
                    logger.error("could not read %s (%s); keeping the previous answers", self.path, error)
            self._loaded = True
            return self._answers

    def _fresh(self) -> Dict[str, PolicyAnswer]:
        if self.checks_file_on_read or not self._loaded:
            return self.refresh()
        return self._answers

    def answer(self, topic: str) -> Optional[PolicyAnswer]:
        return self._fresh().get(topic)

    def topics(self) -> Dict[str, PolicyAnswer]:
        return dict(self._fresh())


_default_book: Optional[FaqBook] = None


def use_faq_file(path: Path, values: Optional[Dict[str, str]] = None, checks_file_on_read: bool = True) -> None:
    """The process's answers file (the action server's ``SHOP_FAQ_PATH``, at start-up) and
    what its ``{name}`` placeholders say (``{desk_hours}``: ``SHOP_DESK_HOURS``);
    ``checks_file_on_read``: see ``FaqBook`` (the action server refreshes it off its loop)."""
    global _default_book
    _default_book = FaqBook(path, values, checks_file_on_read)


def faq_book() -> FaqBook:
    global _default_book
    if _default_book is None:
        _default_book = FaqBook()
    return _default_book


# "怎么用" / "怎么弄" tag the generic ``usage`` topic beside the thing asked about ("礼品卡怎么用",
# "以旧换新怎么弄"), "多少钱" the generic ``price`` ("plus会员多少钱一年"): each stands only on its
# own, else the product manual's (the product page's price) line follows the answer wanted.
GENERIC_TOPICS = frozenset({"usage", "price"})


def specific_topics(topics: List[str]) -> List[str]:
    """The topics to answer: without the generic ones when a specific one was asked."""
    kept = [t for t in topics if t not in GENERIC_TOPICS]
    return kept if kept else list(topics)


# "付款后多久发货": paying is when the clock starts, not what is asked (the dispatch times are);
# the same for ordering ("下单后几天到"). The payment topic stays when it is asked on its own.
PAID_ANCHOR = re.compile(r"(付款|付完款|付了款|支付|付钱|下单|拍下)(之后|以后|后|完)")
# "付款一直失败怎么办", "支付不了", "付不了款": the payment did not go through — the fix, not the
# list of payment methods.
PAYMENT_FAILED = re.compile(r"(付款|支付|付钱|扣款|买单|结算|下单).{0,6}(失败|不成功|没成功|不了|不上|报错|出错|异常|"
                            r"卡住|没反应|一直转|提示错误)|(付|支付)不(了|上)|付不出去")


def payment_failed(text: str) -> bool:
    """The shopper says a payment failed (what to try and a person are the answer)."""
    return bool(PAYMENT_FAILED.search(text or ""))


def asked_topics(text: str, topics: List[str]) -> List[str]:
    """The policy topics a question asks about, in the order to answer: a failed payment is
    ``payment_failed``, and a payment that only says when ("付款后多久发货") is left out when
    another topic is asked."""
    topics = specific_topics(topics)
    if "invoice" in topics and asks_for_copy(text):
        # "发票丢了": the invoice is what was lost, not a parcel (the not_received answer).
        topics = [t for t in topics if t != "not_received"]
    if "payment" in topics and payment_failed(text):
        topics = ["payment_failed" if t == "payment" else t for t in topics]
    elif "payment" in topics and len(topics) > 1 and PAID_ANCHOR.search(text or ""):
        topics = [t for t in topics if t != "payment"]
    return topics


def answers_asked_together(text: str, topics: List[str]) -> List["PolicyAnswer"]:
    """"你们是正品吗？另外多久发货": two policy questions (or more) in one message, each of
    whose answers is due whichever intent the message was read as; [] for one question (an
    order's card topics are the order answer's, not a policy's)."""
    book = faq_book()
    answers = {a.topic: a for a in (book.answer(t) for t in topics if t not in ORDER_CARD_TOPICS) if a is not None}
    return list(answers.values()) if len(answers) >= 2 and asks_two_questions(text) else []
