""""有没有学生优惠" / "新用户有折扣吗": an offer for a kind of shopper (or occasion) asked
about. The answer says plainly whether the shop has one — most often it has not — before
the promotions everyone gets, instead of listing every promotion as if it answered. Pure."""
from __future__ import annotations

import re
from typing import Iterable, Optional, Tuple

OFFER_WORDS = r"(?P<noun>优惠券|优惠|折扣|打折|福利|活动|特价|减免|返现)"
# "有没有学生优惠" / "学生有优惠吗" / "新用户能打折吗" / "教师可以享受折扣吗".
ASKED = (
    re.compile(r"(?:有没有|有无|有木有|能不能享受|可以享受|能享受|享受)(?P<who>[\u4e00-\u9fff]{1,6}?)(?:专享|专属|专用)?的?"
               + OFFER_WORDS),
    re.compile(r"^(?:请问)?(?P<who>[\u4e00-\u9fff]{1,6}?)(?:可以|能|会)?(?:有没有|有|享受|打折)(?:什么|啥)?" + OFFER_WORDS),
)
# Words in the "who" place that name no kind of shopper ("有没有什么优惠").
GENERIC = re.compile(r"^(什么|啥|哪些|其他|其它|别的|任何|点|一点|些|一些|最近|现在|今天|目前|店铺|店里|你们|"
                     r"满减|这个|这款|这|那|它|可以|能|我|我们|商品|东西|有没有|有没|有|新品|平时|官方|这边|那边)+$")

# "买两件有优惠吗", "多买几个能打折吗": an amount bought, not a kind of shopper — the
# promotions (每满…减) are the answer.
AMOUNT = re.compile(r"^(买|多买|满|一起买|拍|下单)|[件个套箱瓶盒台双]$")

# "手机现在有什么活动": when it is asked is no part of whom the offer is for.
WHEN = re.compile(r"(现在|最近|目前|今天|近期|这几天|这周|本周|这个月)+$")


def offer_asked_for(text: str) -> Optional[Tuple[str, str]]:
    """(who, noun) of an offer asked for a kind of shopper ("学生", "优惠"), or None."""
    for pattern in ASKED:
        match = pattern.search((text or "").strip())
        who = WHEN.sub("", match.group("who")) if match else ""
        if who and not GENERIC.match(who) and not AMOUNT.search(who):
            return who, match.group("noun")
    return None


def has_offer_for(who: str, offers: Iterable[str]) -> bool:
    """Some offer's own words (title, description, policy) name ``who``."""
    return any(who in text for text in offers)


# "优惠券怎么用不了", "券不能用", "下单没抵扣": why a coupon was not taken off, not how coupons
# work in general nor a product's instructions ("怎么用" also reads as the usage topic).
COUPON_WORDS = r"(优惠券|优惠卷|优惠劵|券|卷|劵|红包|满减|折扣码|优惠码)"
NOT_USABLE = (r"(用不了|用不上|不能用|没法用|无法使用|使用不了|不可用|用不到|不让用|选不了|选不上|"
              r"抵扣不了|不抵扣|没抵扣|没有抵扣|没减|没有减|减不了|不减|不能叠加|不给用|失效|无效)")
COUPON_UNUSABLE = re.compile(COUPON_WORDS + r".{0,8}" + NOT_USABLE + "|" + NOT_USABLE + r".{0,6}" + COUPON_WORDS)


def coupon_unusable(text: str) -> bool:
    """The shopper says a coupon could not be used (the reasons are the answer)."""
    return bool(COUPON_UNUSABLE.search(text or ""))
