"""What the shopper has asked to be recommended, across turns.

"推荐个手机" starts a request (category); "两千左右的" narrows it (budget); "要黑色的"
narrows it (colour); "便宜点的" lowers the ceiling below what was shown, "贵一点的" raises the
floor above the middle of what was shown; "换个牌子" / "不要苹果的" leave out the brands shown
(or named) and keep the category and budget; "类似这款的"
anchors it on the product in context; "还有别的吗" asks for the next page, never repeating
what was shown. A new category starts over. The state is a small JSON-able dict kept in a
slot that only the recommendation action sets.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from shop.domain.assortment import GIFT_IDEAS, gift_recipient, not_carried
from shop.domain.money import money_rounded

CHEAPER = re.compile(r"(便宜|实惠|划算|低一点|少一点|再低|预算不够|太贵)")
PRICIER = re.compile(r"(贵一点|贵点|贵些|更贵|好一点|好点的|高端|高档|更好的|旗舰|档次高)")
# "有没有便宜点的", "便宜一点的呢": asks for cheaper products, not for a discount on one
# ("能便宜点吗" haggles: a purchase question, answered with the shop's offers).
CHEAPER_PRODUCTS = re.compile(r"(有没有|有木有|有没|还有|来点|来个|推荐|找|看看|换).{0,6}(便宜|实惠|低价|性价比)"
                              r"|(便宜|实惠)(一)?(点|些|一点|一些)?的(吗|呢|吧|嘛)?\s*[?？。!！]?\s*$")
# "换个牌子", "别的品牌": leave out the brands shown so far.
OTHER_BRAND = re.compile(r"(换个|换一个|换一|换|别的|其他|其它|另外的?|不同的?)(牌子|品牌|家(?![具电居用纺]))")
# "不要苹果的", "除了华为": the brand named is left out, not asked for.
NOT_THIS_BRAND = re.compile(r"(不要|不想要|不考虑|不喜欢|不买|别给我|别推|除了|排除|不是)")
MORE = re.compile(r"(还有别的|还有其他|换一批|再来几个|再推荐|其他的呢|别的呢|还有吗|更多|下一页|再看看)")
SIMILAR = re.compile(r"(类似|相似|差不多|同款|像这款|像这个|这种的)")
PERSONAL = re.compile(r"(猜我喜欢|适合我|我可能喜欢|根据我的|为我推荐|给我推荐点)")
COLOUR_FACET = "颜色"
SIZE_FACET = "尺码"
# Cheaper / pricier steps move the bound this far past what was shown.
PRICE_STEP = Decimal("0.85")


@dataclass(frozen=True)
class RecommendationRequest:
    category: Optional[str] = None
    brand: Optional[str] = None
    min_price: Optional[float] = None
    max_price: Optional[float] = None
    colour: Optional[str] = None
    size: Optional[str] = None                        # a SKU's 尺码 ("42")
    anchor_product_id: Optional[int] = None
    personal: bool = False
    gift_for: Optional[str] = None                    # a GIFT_IDEAS recipient
    shown: tuple = field(default_factory=tuple)       # product ids already shown, in order
    shown_prices: tuple = field(default_factory=tuple)
    shown_brands: tuple = field(default_factory=tuple)
    exclude_brands: tuple = field(default_factory=tuple)  # "换个牌子": brands left out
    # "红色卫衣": the NLU reads 卫衣 as the whole 服饰鞋包 department; the word typed narrows it.
    keyword: Optional[str] = None

    def to_slot(self) -> Dict[str, Any]:
        data = asdict(self)
        data["shown"] = list(self.shown)
        data["shown_prices"] = list(self.shown_prices)
        data["shown_brands"] = list(self.shown_brands)
        data["exclude_brands"] = list(self.exclude_brands)
        return data

    @classmethod
    def from_slot(cls, value: Any) -> Optional["RecommendationRequest"]:
        if not isinstance(value, Mapping):
            return None
        try:
            return cls(
                category=_text(value.get("category")),
                brand=_text(value.get("brand")),
                min_price=_number(value.get("min_price")),
                max_price=_number(value.get("max_price")),
                colour=_text(value.get("colour")),
                size=_text(value.get("size")),
                anchor_product_id=_int(value.get("anchor_product_id")),
                personal=bool(value.get("personal")),
                gift_for=_text(value.get("gift_for")) if value.get("gift_for") in GIFT_IDEAS else None,
                shown=tuple(i for i in (_int(x) for x in value.get("shown") or []) if i is not None),
                shown_prices=tuple(p for p in (_number(x) for x in value.get("shown_prices") or []) if p is not None),
                shown_brands=_texts(value.get("shown_brands")),
                exclude_brands=_texts(value.get("exclude_brands")),
                keyword=_text(value.get("keyword")),
            )
        except (TypeError, ValueError):
            return None

    def with_shown(self, products: Sequence[Any]) -> "RecommendationRequest":
        return replace(
            self,
            shown=self.shown + tuple(int(p.id) for p in products),
            shown_prices=self.shown_prices + tuple(float(p.price) for p in products),
            shown_brands=tuple(dict.fromkeys(
                self.shown_brands + tuple(b for b in (getattr(p, "brand", None) for p in products) if b))),
        )

    def excludes_brand(self, *names: Optional[str]) -> bool:
        """Is a product of this brand (any of its spellings: 苹果 / Apple) left out?"""
        left_out = {b.lower() for b in self.exclude_brands}
        return any(name and name.lower() in left_out for name in names)

    def attributes(self) -> Dict[str, str]:
        """The SKU facets the request filters on (``shop.db.catalogue.search_products``)."""
        wanted = {COLOUR_FACET: self.colour, SIZE_FACET: self.size}
        return {name: value for name, value in wanted.items() if value}

    def describe(self) -> str:
        parts: List[str] = []
        if self.gift_for:
            parts.append(f"送{self.gift_for}")
        if self.brand:
            parts.append(self.brand)
        if self.colour:
            parts.append(self.colour)
        if self.keyword or self.category:
            parts.append(self.keyword or self.category)
        if self.exclude_brands:
            parts.append(f"不含{'/'.join(self.exclude_brands)}")
        if self.size:
            parts.append(f"{self.size}码")
        if self.min_price is not None and self.max_price is not None:
            parts.append(f"{money_rounded(self.min_price)}~{money_rounded(self.max_price)}")
        elif self.max_price is not None:
            parts.append(f"{money_rounded(self.max_price)}以内")
        elif self.min_price is not None:
            parts.append(f"{money_rounded(self.min_price)}以上")
        return "、".join(parts)


def _text(value: Any) -> Optional[str]:
    return str(value).strip()[:40] if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> tuple:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(t for t in (_text(v) for v in value[:20]) if t)


def _number(value: Any) -> Optional[float]:
    if value is None or value == "":
        return None
    number = float(value)
    return number if 0 <= number < 10_000_000 else None


def _int(value: Any) -> Optional[int]:
    if value is None or value == "":
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


@dataclass(frozen=True)
class Understood:
    """What one message adds, from the NLU entities and a few refinement phrases."""

    category: Optional[str] = None
    brand: Optional[str] = None
    min_price: Optional[float] = None
    max_price: Optional[float] = None
    colour: Optional[str] = None
    size: Optional[str] = None
    similar_to: Optional[int] = None
    cheaper: bool = False
    pricier: bool = False
    more: bool = False
    personal: bool = False
    gift_for: Optional[str] = None
    other_brand: bool = False                 # "换个牌子": leave out the brands shown
    excluded_brand: Optional[str] = None      # "不要苹果的"
    also_excluded: tuple = ()                 # "除了苹果和华为": the brands named after the first
    keyword: Optional[str] = None             # the word typed for a department-wide category
    # The price of the product in view, for "便宜点的 / 贵一点" before anything was recommended.
    reference_price: Optional[float] = None
    # (thing, nearest categories the shop does carry) when the shop does not sell the thing
    not_carried: Optional[Tuple[str, Tuple[str, ...]]] = None


# "推荐个2000的手机", "300块的耳机": a price said bare, as shoppers say "about this much".
BARE_PRICE = re.compile(r"(?<![A-Za-z0-9.+])(\d{3,5})\s*(?:块钱?|元)?的(?!码|号)")
AROUND = (0.8, 1.2)   # as the NLU reads "X左右" (shop_nlu/numbers.py)
# Numbers that are no price: storage (256的), and a body measure said in the same message.
NOT_A_PRICE = frozenset({128, 256, 512, 1024})
MEASURES = re.compile(r"身高|体重|个子|厘米|cm|CM|斤|公斤|kg|KG|码")


def typed_budget(text: str) -> Optional[Tuple[float, float]]:
    """(min, max) for a price said bare ("2000的手机"), or None."""
    match = BARE_PRICE.search(text or "")
    if match is None or int(match.group(1)) in NOT_A_PRICE or MEASURES.search(text):
        return None
    price = float(match.group(1))
    return price * AROUND[0], price * AROUND[1]


def wants_cheaper_products(text: str) -> bool:
    """"有没有便宜点的": a request for cheaper products (see ``CHEAPER_PRODUCTS``)."""
    return bool(CHEAPER_PRODUCTS.search(text or ""))


def understand(text: str, entities: Mapping[str, Optional[str]], product_in_context: Optional[int],
               keyword: Optional[str] = None, brands: Sequence[str] = ()) -> Understood:
    """What the message adds; ``keyword`` is the word the shopper typed for a category the
    NLU could only place in a whole department ("卫衣" -> 服饰鞋包), see ``narrower_word``."""
    text = text or ""
    brand = _text(entities.get("brand"))
    other_brand = bool(OTHER_BRAND.search(text))
    excluded, also = None, ()
    if brand and NOT_THIS_BRAND.search(text):
        # "不要苹果的": Apple is left out, not asked for ("除了苹果和华为": both are).
        brand, excluded = None, brand
        also = tuple(b for b in (_text(v) for v in brands) if b and b != excluded)
    return Understood(
        category=_text(entities.get("category")),
        brand=brand,
        excluded_brand=excluded,
        also_excluded=also,
        other_brand=other_brand,
        keyword=_text(keyword),
        min_price=_number(entities.get("budget_min")),
        max_price=_number(entities.get("budget_max")),
        colour=_text(entities.get("color")),
        size=_text(entities.get("size")),
        similar_to=product_in_context if SIMILAR.search(text) else None,
        cheaper=bool(CHEAPER.search(text)),
        pricier=bool(PRICIER.search(text)),
        more=bool(MORE.search(text)),
        personal=bool(PERSONAL.search(text)),
        gift_for=gift_recipient(text),
        not_carried=not_carried(text),
    )


def next_request(previous: Optional[RecommendationRequest], said: Understood,
                 relaxed: bool = False) -> RecommendationRequest:
    """The request after this message: a fresh one, a narrowed one, or the next page.

    A new category, "类似这款" or "猜我喜欢" starts over. A brand, colour or budget narrows
    the current request and shows its best items again; "便宜点"/"贵一点" move the price
    bound past what was shown; "还有别的" keeps everything and only skips what was shown.
    ``relaxed``: when nothing is cheaper (dearer) than everything shown, the second try moves
    the bound past the middle of what was shown instead, still skipping what was shown.
    """
    if said.gift_for is not None and said.category is None:
        # A gift starts over in the first category that suits the recipient; a budget said
        # with it ("五百以内") still applies below.
        said = replace(said, category=GIFT_IDEAS[said.gift_for][0])
    starts_over = (
        previous is None
        or said.personal
        or (said.gift_for is not None and said.gift_for != previous.gift_for)
        or said.similar_to is not None
        or (said.category is not None and said.category != previous.category)
        or (said.category is not None and said.keyword != previous.keyword)
    )
    if starts_over:
        request = RecommendationRequest(
            category=said.category, anchor_product_id=said.similar_to, personal=said.personal,
            gift_for=said.gift_for, keyword=said.keyword if said.category else None,
        )
    else:
        request = previous

    narrowed = request
    if said.brand:
        narrowed = replace(narrowed, brand=said.brand,
                           exclude_brands=tuple(b for b in narrowed.exclude_brands if b != said.brand))
    if said.other_brand or said.excluded_brand:
        # Leave out the brand named, else the one asked for before, else every brand shown.
        leaving = ((said.excluded_brand,) + said.also_excluded if said.excluded_brand
                   else (request.brand,) if request.brand else request.shown_brands)
        kept = narrowed.exclude_brands + tuple(b for b in leaving if b and b not in narrowed.exclude_brands)
        narrowed = replace(narrowed, brand=None, exclude_brands=kept)
    if said.colour:
        narrowed = replace(narrowed, colour=said.colour)
    if said.size:
        narrowed = replace(narrowed, size=said.size)
    stated_budget = said.min_price is not None or said.max_price is not None
    if stated_budget:
        # A budget the shopper states wins over "便宜点" in the same message: "便宜点的，一千五以内"
        # means ¥1,500, not 85% of the cheapest item shown.
        narrowed = replace(narrowed, min_price=said.min_price, max_price=said.max_price)
    elif said.cheaper:
        if request.shown_prices:
            reference = _median(request.shown_prices) if relaxed else min(request.shown_prices)
        else:
            reference = request.max_price or said.reference_price
        if reference is not None:
            narrowed = replace(narrowed, max_price=round(reference * float(PRICE_STEP), 2), min_price=None)
    elif said.pricier and (request.shown_prices or said.reference_price):
        if request.shown_prices:
            reference = _median(request.shown_prices) if relaxed else max(request.shown_prices)
        else:
            reference = said.reference_price
        narrowed = replace(narrowed, min_price=round(reference / float(PRICE_STEP), 2), max_price=None)

    if relaxed and (said.cheaper or said.pricier) and not stated_budget:
        # The middle of the list: what was shown is still skipped, never repeated.
        narrowed = replace(narrowed, shown_prices=(), shown_brands=())
    elif narrowed != request and not starts_over:
        # A narrowed list starts from its best items again.
        narrowed = replace(narrowed, shown=(), shown_prices=(), shown_brands=())
    return narrowed


def narrower_word(typed: str, category: str, departments: Sequence[str]) -> Optional[str]:
    """The word a shopper typed ("卫衣") when the NLU could only give it a whole department
    (服饰鞋包, one of ``departments``, the top-level categories): the list must then hold
    that word's products, not trousers and down jackets. None when the word is the category
    itself or a leaf category was found."""
    typed = (typed or "").strip()
    if not typed or category not in departments or typed in category or category in typed:
        return None
    return typed[:20]


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def not_carried_text(thing: str, nearest: Sequence[str]) -> str:
    return (f"抱歉，本店暂时没有卖{thing}哦。和它相近的，店里有{'、'.join(nearest)}，"
            f"需要的话告诉我想看哪一类，我来为您推荐～")


def gift_title(request: RecommendationRequest) -> str:
    """The line above gift cards: which categories suit the recipient, this one first."""
    ideas = GIFT_IDEAS.get(request.gift_for or "", ())
    return f"送{request.gift_for}，可以考虑{'、'.join(ideas)}。" if ideas else ""


# --- fallback when no trained recommender is available -------------------------------

def popular_matches(session, request: RecommendationRequest, limit: int) -> List[Tuple[Any, str]]:
    """Best sellers that satisfy the request, skipping what was shown: the cold-start answer
    (and the answer while no recommender artifact has been trained yet)."""
    from shop.db.catalogue import search_products

    attributes = request.attributes() or None
    # Brands left out are filtered here (the search has no "not this brand"): read further.
    wanted = limit + len(request.shown) + (60 if request.exclude_brands else 0)
    found = search_products(
        session,
        keyword=request.keyword,
        category=request.category,
        brand=request.brand,
        min_price=request.min_price,
        max_price=request.max_price,
        attributes=attributes,
        in_stock_only=True,
        limit=min(100, wanted),
    )
    shown = set(request.shown)
    reason = f"{request.keyword or request.category}热销" if request.category else "店铺热销"
    return [(p, reason) for p in found if p.id not in shown and not request.excludes_brand(p.brand)
            and (not request.keyword or request.keyword.lower() in p.title.lower())][:limit]
