"""Short answers at the assistant's own question, read in context: "嗯 不要了", "算了吧",
"行 就这样", "对的" right after "需要我为您推荐吗？" or "确认要取消订单 X 吗？".

On its own "不想要了" is a complaint, "算了吧" a sigh and "行" a word the classifier has seen
under a dozen intents; its confidence on two or three characters says little. What they mean
is decided by the question they answer: the offer the assistant made in its last turn (the
``pending_offer`` slot). This rule reads a message made only of answer words (and fillers)
against that offer, whatever the classifier made of it; anything longer, or with a question
or a request in it, is left to the classifier ("不用了 我想问下退货" is a new question).

The same words mean different things at different offers: "不要了" refuses a recommendation
but, to "确认要取消订单吗？", says the order is not wanted any more — a yes to cancelling.
Where yes and no are both said, the last one decides ("算了 取消吧", "好的 不用了"); a bare
"嗯" is a yes only when nothing else is said. Fail closed: "算了" alone at the cancel question
keeps the order (nothing changes without a clear yes).

Pure: no Rasa. Applied where the Rasa server parses a message with its tracker
(shop_channels/rasa_follow_ups.py); which offer is open is assistant.offers' rule. Unit-tested
in tests/assistant/test_pending_answers.py.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Any, Mapping, Optional, Sequence

from assistant.answer_words import CANCEL_YES_WORDS, KEEP_ORDER_WORDS, NO_WORDS, YES_WORDS, alternation
from assistant.offers import CANCEL_OFFER_PREFIX, fresh_offer_in

# A form's own yes/no question (the requested slot): "确认提交吗？" (the after-sales summary),
# "确认把订单…改到…吗？" (the address change). The form reads the words itself
# (assistant.typed_answers.confirmation_in); read as a yes or no, they reach it instead of a
# digression rule's clarifying question.
FORM_CONFIRMATION = "form_confirmation"
FORM_CONFIRMATION_SLOTS = frozenset({"after_sales_confirmed", "address_confirmed"})

AFFIRM = "affirm"
DENY = "deny"

# Words that carry no answer: interjections, particles, "那/就/还是" and punctuation.
# One filler per repetition (no "+" inside the whole-message repeat: a nested repeat made the
# failing match backtrack exponentially on a crafted message).
# Emoji carry a tone, not an answer ("确认取消👌", "好的🙏"): fillers too.
_FILLER = (r"(?:那就|那还是|还是|那|就|嗯|恩|哦|噢|喔|哎|唉|额|呃|啊|呀|吧|啦|了|呢|哈|亲|我|的|"
           r"[\s,，。.!！~～、…\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F\u200D])")
# An answer to a yes/no question is a few words ("嗯嗯 好的 就这样吧 麻烦你了" is 14 characters);
# anything longer says more than an answer. The cap also bounds the whole-message match, whose
# overlapping words ("好的" or "好" + "的") make a failing match cost grow with the length.
MAX_ANSWER_CHARS = 24
_ALONE_YES = re.compile(r"^(嗯+|恩+)$")
# "是不是", "要不要": a question, whatever words it is made of.
_ASKS = re.compile(r"是不是|要不要|好不好|行不行|可不可以|对不对|需不需要|用不用")


def _answers(yes: Sequence[str], no: Sequence[str]) -> tuple:
    phrases = re.compile(f"(?P<yes>{alternation(yes)})|(?P<no>{alternation(no)})", re.IGNORECASE)
    # Possessive: each word is taken longest first and never re-split, so a failing match is
    # linear in the length (Python 3.11).
    whole = re.compile(f"^(?:{alternation([*yes, *no])}|{_FILLER})++$", re.IGNORECASE)
    return phrases, whole


# The words (assistant.answer_words): each kind is matched as a whole phrase; what is left
# must be fillers.
_GENERAL = _answers(YES_WORDS, NO_WORDS)
# At the cancel question the order not wanted ("不要了") is a yes and the order kept
# ("不用了", "不取消") a no; the general words follow.
_CANCEL = _answers(
    [*CANCEL_YES_WORDS, *(w for w in YES_WORDS if w not in KEEP_ORDER_WORDS)],
    [*KEEP_ORDER_WORDS, *(w for w in NO_WORDS if w not in CANCEL_YES_WORDS)],
)


def answer_to_offer(text: str, offer: Optional[str]) -> Optional[str]:
    """ "affirm" or "deny" when ``text`` is only a yes or a no to the open ``offer``; None
    when no offer is open or the message says more than an answer."""
    text = (text or "").strip()
    if not offer or not text or len(text) > MAX_ANSWER_CHARS:
        return None
    phrases, whole = _CANCEL if offer.startswith(CANCEL_OFFER_PREFIX) else _GENERAL
    if not whole.match(text) or _ASKS.search(text):
        return None
    said = [m.lastgroup for m in phrases.finditer(text)]
    if said:
        return AFFIRM if said[-1] == "yes" else DENY
    return AFFIRM if _ALONE_YES.match(re.sub(r"[\s,，。.!！~～、…]+", "", text)) else None


def bare_answer(text: str) -> Optional[str]:
    """ "affirm" or "deny" when ``text`` is only yes or no words, with no offer open to take
    them ("行 那就这样" after an order's card: an acknowledgement, not a question continued)."""
    return answer_to_offer(text, NO_OFFER)


# Stands for "no offer" where only the words count (the general words, not the cancel ones).
NO_OFFER = "none"


def form_question(requested_slot: Optional[str]) -> Optional[str]:
    """``FORM_CONFIRMATION`` while a form asks its yes/no question; its other questions
    (which order, what reason, which address) are the form's own (None)."""
    return FORM_CONFIRMATION if requested_slot in FORM_CONFIRMATION_SLOTS else None


def open_offer(events: Sequence[Mapping[str, Any]]) -> Optional[str]:
    """The offer the assistant made after the shopper's last message in ``events`` (dicts as
    in the tracker's serialised form, ending before the message that answers it, which is not
    logged yet while it is parsed), or None: ``assistant.offers.fresh_offer_in`` with that
    message in its place."""
    return fresh_offer_in(chain([{"event": "user"}], reversed(events)))
