""""这个鞋子会不会磨脚" / "这款洗完会缩水吗": a question about the product (or the list) in
view that the catalogue keeps no record of. Said so plainly — the question quoted, no guess,
a person offered — instead of "not found" or the price once more. Pure."""
from __future__ import annotations

import re
from typing import Iterable, List, Mapping, Optional

# A question form: yes/no ("会不会", "…吗") or how ("怎么样").
ASKS = re.compile(r"会不会|能不能|是不是|有没有|可不可以|容不容易|好不好|[吗么嘛][？?]?$|[？?]$|多不多|大不大|重不重")
# Questions the price-and-stock card (and the specs) answer well enough.
GENERAL = re.compile(r"怎么样|咋样|好不好$|值得买|值不值|推荐吗|多少钱|贵不贵|有货|现货|价格|几折|便宜")
# "这个", "这款鞋子", "它": the reference, said before the question.
REFERENCE = re.compile(r"^(请问)?(这个|这款|这双|这件|这台|这部|这些|那个|那款|那双|那件|它|他|她|刚才那个|上面那个)")
FILLER = re.compile(r"[，。,.!！？?\s]+|^的")


def unknown_question(text: str, entities: Iterable[Mapping], topics: Iterable[str], known: bool) -> Optional[str]:
    """The asked-about part of a product question ("会不会磨脚") when nothing we know answers
    it: no topic, no catalogue aspect (``known``), not a general "怎么样". None otherwise."""
    if known or list(topics) or not ASKS.search(text or "") or GENERAL.search(text or ""):
        return None
    rest = text or ""
    # The named product, category or reference is not the question ("这个鞋子" of "这个鞋子会不会磨脚").
    for entity in sorted(entities, key=lambda e: -int(e.get("start") or 0)):
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") in ("product", "category", "brand", "reference") and start is not None and end:
            rest = rest[:int(start)] + " " + rest[int(end):]
    rest = REFERENCE.sub("", rest.strip())
    rest = FILLER.sub(" ", rest).strip()
    return rest if len(rest) >= 2 else None


def unknown_reply(question: str, about: str) -> str:
    """"No record of that" for ``about`` (a product title, or "刚才推荐的几款")."""
    return (f"您问的“{question}”，{about}的商品资料里没有这方面的记录，我不想凭猜测回答您。"
            "可以看看商品页的买家评价，或者我帮您转人工客服确认。")


# "能连iPhone吗", "能用20W的充电头吗", "适配小米14吗": whether the product in view goes with
# another thing the shopper names (the words after the fitting verb, up to the question).
FITS_WITH = re.compile(r"(?:连接|连|搭配|配合|配|适配|兼容|适用于|适用|支持|插|接|用)\s*(?P<other>[^，,。？?\s]{2,16}?)"
                       r"\s*(?:吗|么|嘛|不|没|呀|吧)?\s*[?？]*$")
# What follows 用 in a question about the product itself ("能用多久", "用几年").
NOT_ANOTHER_THING = re.compile(r"^(多久|多长|几年|几天|几个|多少|起来|着|了|的话|过|完)")


def fits_with_asked(text: str) -> Optional[str]:
    """The other thing a fitting question names ("能连iPhone吗" → "iPhone"), else None."""
    found = FITS_WITH.search((text or "").strip())
    other = found.group("other") if found else None
    return other if other and not NOT_ANOTHER_THING.search(other) else None


def fit_unknown_reply(title: str, other: str) -> str:
    """"能连iPhone吗" about a product whose record says nothing of it: said so, no guess."""
    return (f"【{title}】的商品资料里没有写明能不能搭配“{other}”使用，我不想给您说错。"
            "可以看看商品页的参数和买家评价，或者我帮您转人工客服确认。")


# "跟荣耀X50比哪个好": the name between the preposition and the comparing word.
COMPARED_NAME = re.compile(r"(?:跟|和|与|同|比起)\s*([^，,。？?]{2,14}?)\s*(?:比|相比|对比|比较|哪个|有什么|区别|差别)")


def compared_name(text: str) -> Optional[str]:
    """The other product a comparison names ("跟荣耀X50比哪个好" → "荣耀X50"); None for "这个"."""
    found = COMPARED_NAME.search(text or "")
    name = found.group(1).strip() if found else ""
    return name if name and name not in ("这个", "这款", "它", "那个", "那款") else None


COMPARE_WORDS = re.compile(r"比哪个好|比一比|比较一下|对比|哪个好|哪个更好|有什么区别|区别大吗|比起来")


def compares_with_in_view(text: str, topics: List[str]) -> bool:
    """"比一比", "哪个好", "有什么区别" (or the NLU's compare topic): a comparison asked."""
    return "compare" in topics or COMPARE_WORDS.search(text or "") is not None


# What a question is left with when its punctuation and particles are gone.
PARTICLES = re.compile(r"[\s?？。!！~～呢啊呀]")


def is_bare_question(text: str) -> bool:
    """"多少钱" / "能用多久呢？" on its own (five characters at most once the particles are
    gone): a question that names no product, so after a list it asks which one."""
    return len(PARTICLES.sub("", text or "")) <= 5


def weighs_two(text: str, topics: List[str]) -> bool:
    """"这两个哪个好", "第一个和第三个哪个好": two of those shown weighed (which two is read by
    ``assistant.typed_answers``)."""
    return "compare" in topics or "哪个" in (text or "")


# "还有别的颜色吗", "有哪些颜色", "颜色有几种": the colours of the product in view, which its SKUs
# list ("有黑色吗" names one: the variant's own answer).
COLOUR_OPTIONS = re.compile(r"(别的|其他|其它|另外的?|什么|哪些|哪几种|几种|几个|多少种?)\s*(颜色|色|配色)|"
                            r"颜色.{0,3}(有哪些|有几种|有什么|有多少|可选|能选|选择)|(有几|有多少)种?颜色")


def asks_colour_options(text: str) -> bool:
    return COLOUR_OPTIONS.search(text or "") is not None
