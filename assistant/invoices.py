"""Which part of the invoice a question is about.

The invoice answer in ``content/faq.yml`` covers everything (types, when, re-issuing); a
shopper asks about one thing: "抬头写错了能改吗" wants the title change (换开, its own answer
``invoice_reissue``), "发票开好了吗" wants where *their* invoice stands (the order's state:
``shop.domain.invoices``), not the policy. Pure.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

REISSUE = "invoice_reissue"
COPY = "invoice_copy"
PROGRESS = "progress"

# The title, tax number or the invoice itself written wrongly, or asked to be changed.
_WHAT = r"(抬头|税号|发票|开票信息|名称|公司名)"
_REISSUE = re.compile(
    rf"{_WHAT}.{{0,6}}(写错|填错|开错|弄错|打错|错了|不对|有误)"
    rf"|(写错|填错|开错|弄错|打错)(了)?.{{0,4}}{_WHAT}"
    rf"|(改|修改|更改|换|变更)(一下|成|个)?.{{0,3}}{_WHAT}"
    rf"|{_WHAT}.{{0,6}}(能|可以|怎么|如何|想|要)?(改|修改|更改|变更)"
    r"|换开|重开|重新开|作废重开|红冲"
)
# The shopper's own invoice: issued yet, where it is, why it has not come.
_PROGRESS = re.compile(
    r"发票.{0,4}(开好|开了|开出|开出来|好了|出来|到了|在哪|哪里|哪儿|去哪|怎么还没|还没|没收到|收到了?吗|什么时候(开|到|能开))"
    r"|(怎么|为什么|咋)?(还)?(没|没有)(收到|看到|开).{0,2}发票"
    r"|(开|给)(我)?(的)?发票(了吗|了没|没有)"
    r"|(什么时候|啥时候|多久)(能|可以|会)?(开|开出|给|收到).{0,2}发票"
)


# An invoice issued and then lost or deleted ("发票丢了", "电子发票找不到了", "能再发一份吗"):
# a copy of the same invoice (downloaded again), not a new title (换开) nor a lost parcel.
_COPY = re.compile(
    r"发票.{0,6}(丢了|丢失|弄丢|搞丢|找不到|不见了|删了|删掉了|没了|过期了)"
    r"|(丢了|弄丢了?|搞丢了?|找不到了?|删了)(的)?.{0,3}发票"
    r"|(再|重新)(发|下载|打印|给|要)(我)?(一份|一张|一次|一下)?.{0,3}发票"
    r"|发票.{0,4}(再|重新)(发|下载|打印|给)"
)


def asks_for_copy(text: str) -> bool:
    """"发票丢了 能重新开一张吗", "电子发票找不到了": a copy of an invoice already issued."""
    return bool(_COPY.search(text or ""))


def asks_to_reissue(text: str) -> bool:
    """"抬头写错了能改吗", "税号填错了", "能换开吗": a title or tax number to correct."""
    return bool(_REISSUE.search(text or ""))


# Words that put a change on the delivery address: "发票抬头写错了 要改成公司的" changes the
# invoice's title (公司 is who it is made out to), "发票寄到公司地址" is about the address.
_ADDRESS_WORDS = re.compile(r"地址|收货|收件|寄到|送到|配送")


def changes_invoice_not_address(text: str) -> bool:
    """"精华液那单发票抬头写错了 要改成公司的": the invoice title to correct, no address change
    (its "改成公司的" read as the company address moved the parcel)."""
    return asks_to_reissue(text) and not _ADDRESS_WORDS.search(text or "")


# "开发票", "发票怎么开", "抬头": the invoice asked about at all.
_ASKED = re.compile(r"发票|开票|抬头|税号")


def asks_about_invoice(text: str) -> bool:
    return bool(_ASKED.search(text or ""))


def answer_topic(text: str) -> str:
    """The content/faq.yml topic that answers an invoice question: a copy, a re-issue, else the
    invoice policy (a progress question too, where no order's state is at hand)."""
    fix = invoice_question(text)
    return fix if fix in (COPY, REISSUE) else "invoice"


def invoice_question(text: str) -> Optional[str]:
    """``COPY`` for an invoice lost, ``REISSUE`` for a title or tax number to correct, ``PROGRESS`` for where the shopper's
    own invoice stands, None for a question about the policy in general."""
    text = text or ""
    if asks_for_copy(text):
        return COPY
    if asks_to_reissue(text):
        return REISSUE
    if _PROGRESS.search(text):
        return PROGRESS
    return None


def asks_invoice_progress(text: str, topics: Iterable[str]) -> bool:
    """"怎么还没收到发票", "刚才那个订单发票开了吗": the shopper's own invoice (an invoice topic
    and a progress question), answered by the order's state, whichever intent it was read as."""
    return "invoice" in topics and invoice_question(text) == PROGRESS


def asks_invoice_of_order(text: str, topics: Iterable[str], order_typed: bool) -> bool:
    """"订单X能开发票吗", "X能开发票吗": how the invoice of an order typed by its number is had
    — that order first (the shopper's own only; a guest proves it), as "X 开发票" is — not the
    invoice policy alone. A copy, a re-issue or a progress question has its own answer."""
    return order_typed and "invoice" in topics and invoice_question(text) is None
