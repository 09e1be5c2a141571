"""How to reach the shop: "怎么联系商家", "商家电话多少", "有客服电话吗", "你们几点下班".

Shoppers used to marketplaces ask for the seller's phone. The shop is its own seller, and
its people answer in this very chat: the answer says so directly (``content/faq.yml``,
``contact``) and offers the hand-off, instead of a clarifying question or a ticket opened
for a question. The desk's hours are a question of their own (``service_hours``). Pure.
"""
from __future__ import annotations

import re
from typing import Optional

# The seller, the shop or its desk, as shoppers name them.
_WHO = r"(商家|卖家|店家|店主|老板|掌柜|商铺|店铺|你们|客服|人工|售后|官方|厂家)"
# "怎么联系商家", "商家电话多少", "有没有客服电话", "联系方式", "客服热线是多少".
CONTACT = re.compile(
    rf"(怎么|如何|咋|怎样|哪里|在哪|能不能|可以|想)\s*(联系|联络|找到?)\s*{_WHO}"
    rf"|{_WHO}的?\s*(电话|手机号?|热线|联系方式|微信|邮箱|号码)"
    r"|(联系方式|联系电话|电话号码?|热线)(是|多少|有吗|有没有|给我|发我|呢)"
    r"|(有没有|有|给个|给我|发个|留个|要个)\s*(联系方式|联系电话|电话|热线)"
    r"|^(联系|联络)\s*" + _WHO + r"\s*[?？。!！]*$"
    # "拼多多客服怎么联系", "售后怎么找": the one asked for first, then how.
    rf"|{_WHO}\s*(要)?(怎么|如何|咋|怎样)\s*(联系|联络|找)"
    r"|^(你们的?)?(电话|联系方式)(是|号码是)?多少"
)
# "你们几点下班", "客服什么时候上班", "周末有人吗".
HOURS = re.compile(r"几点(上班|下班|开始|结束)|(上班|工作|营业|服务|客服)(时间|时段)|什么时候(上班|下班)|"
                   r"周末.{0,4}(有人|上班)|晚上.{0,4}有人")
# Another company's number ("银行客服电话", "顺丰电话多少", "京东物流的电话") is not the shop's.
# A marketplace's desk is ("京东客服电话多少", "淘宝客服电话"): a shopper who bought from us there
# means the shop's own desk — this chat, a person on "转人工" — not a company we cannot speak
# for (it used to be called out of scope, which left the shopper with nobody to ask).
OTHER_COMPANY = re.compile(r"京东(物流|快递)|银行|移动|联通|电信|顺丰|中通|圆通|韵达|申通|邮政|快递员")


# A means of reaching the shop other than this chat: asked for, it is a question, not a
# request for a person ("有没有客服电话" vs "我想找人工客服").
MEANS = re.compile(r"电话|手机号|热线|联系方式|微信|邮箱|号码")


def asks_for_contact_means(text: str) -> bool:
    """"有没有客服电话", "客服电话多少": a question about the shop's phone or other contact
    details, even where it names a person ("人工客服电话"): answered, with the hand-off offered,
    never a ticket opened for it."""
    return contact_topic(text) == "contact" and bool(MEANS.search(text or ""))


def contact_topic(text: str) -> Optional[str]:
    """The ``content/faq.yml`` answer a question about reaching the shop gets: ``contact``
    (its seller, phone, a person), ``service_hours`` (when people are there), else None."""
    text = text or ""
    if OTHER_COMPANY.search(text):
        return None
    if CONTACT.search(text):
        return "contact"
    if HOURS.search(text):
        return "service_hours"
    return None
