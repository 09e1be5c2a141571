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
from shop.domain.colours import same_colour
from shop.domain.money import money_rounded
from shop.domain.numbers import whole_number

CHEAPER = re.compile(r"(便宜|实惠|划算|低一点|少一点|再低|预算不够|太贵|预算不多|预算有限|钱不多|没多少钱|学生党)")
PRICIER = re.compile(r"(贵一点|贵点|贵些|更贵|好一点|好点的|高端|高档|更好的|旗舰|档次高)")
# "有没有便宜点的", "便宜一点的呢": asks for cheaper products, not for a discount on one
# ("能便宜点吗" haggles: a purchase question, answered with the shop's offers).
CHEAPER_PRODUCTS = re.compile(r"(有没有|有木有|有没|还有|来点|来个|推荐|找|看看|换).{0,6}(便宜|实惠|低价|性价比)"
                              r"|(便宜|实惠)(一)?(点|些|一点|一些)?的(吗|呢|吧|嘛)?\s*[?？。!！]?\s*$")
# "换个牌子", "别的品牌": leave out the brands shown so far.
OTHER_BRAND = re.compile(r"(换个|换一个|换一|换|别的|其他|其它|另外的?|不同的?)(牌子|品牌|家(?![具电居用纺]))"
                         # "不要这个牌子", "不喜欢这牌子": the brand shown is turned down, none named
                         r"|(不要|不想要|不喜欢|不考虑|别推)(这个|这|那个|那)(个)?(牌子|品牌)")
# "不要苹果的", "除了华为": the brand named is left out, not asked for.
NOT_THIS_BRAND = re.compile(r"(不要|不想要|不考虑|不喜欢|不买|别给我|别推|除了|排除|不是)")
# "不限预算", "多少钱都行": the budget said before no longer holds.
ANY_BUDGET = re.compile(r"不限预算|预算不限|预算无所谓|不管预算|不考虑预算|多少钱都(行|可以)|价格(无所谓|不限|不是问题)|不差钱")
MORE = re.compile(r"(还有别的|还有其他|换一批|再来几个|再推荐|其他的呢|别的呢|还有吗|更多|下一页|再看看)")
SIMILAR = re.compile(r"(类似|相似|差不多|同款|像这款|像这个|这种的)")
PERSONAL = re.compile(r"(猜我喜欢|适合我|我可能喜欢|根据我的|为我推荐|给我推荐点)")
# "性价比高的手机": value for money, ranked by rating and then price (see ``ranked``).
VALUE = "性价比"
# "适合学生的手机": a student's budget asks for value, not the dearest first.
VALUE_WORDS = re.compile(r"性价比|划算|物美价廉|值得买|最值|学生(?!证|优惠|专属|折扣)")


@dataclass(frozen=True)
class Feature:
    """A quality shoppers rank by ("续航好的手机"): read from a numeric catalogue attribute
    where the catalogue has one, else from the words of the title and description."""

    label: str
    asked: str                        # a regular expression over the message
    attributes: Tuple[str, ...] = ()  # numeric attributes, the first present is used
    words: Tuple[str, ...] = ()       # words of the title or description that show it
    larger_is_better: bool = True


FEATURES: Tuple[Feature, ...] = (
    Feature("续航好", r"续航|电池(?!.{0,3}(坏|鼓))|待机|耐用电", ("电池容量",), ("续航", "大电池")),
    Feature("大屏", r"大屏|屏幕大|屏大|屏幕.{0,2}大", ("屏幕尺寸", "表盘尺寸"), ("大屏",)),
    Feature("拍照好", r"拍照|拍视频|拍的好|摄像|影像|像素|照相", ("像素", "摄像头"), ("拍照", "影像", "像素", "摄像")),
    Feature("降噪", r"降噪", (), ("降噪",)),
    Feature("轻便", r"轻便|轻薄|轻巧|便携|重量轻|轻一点", ("重量", "净重"), ("轻薄", "轻便", "便携"), False),
    Feature("快充", r"快充|充电快", ("充电功率",), ("快充",)),
    Feature("保湿", r"保湿|补水", (), ("保湿", "补水")),
    Feature("透气", r"透气", (), ("透气",)),
    Feature("大容量", r"大容量|容量大|能装", (), ("大容量",)),
    Feature("防水", r"防水", ("防水等级",), ("防水",)),
    Feature("适合运动", r"跑步|运动|健身|骑行", (), ("运动", "跑步", "健身")),
    Feature("静音", r"静音|安静|噪音小|声音小", (), ("静音",)),
    Feature("辣味", r"辣", (), ("辣",)),
    Feature("男款", r"男士|男款|男式|男用|男的|男生用|男生穿", (), ("男士", "男款", "男装", "男子", "男女同款")),
    Feature("女款", r"女士|女款|女式|女用|女的|女生用|女生穿", (), ("女士", "女款", "女装", "女子", "男女同款")),
)
# "便宜点的耳机" with nothing shown to be cheaper than: the cheapest first.
CHEAPEST = "低价"
RANKINGS: Dict[str, str] = {VALUE: "性价比高", CHEAPEST: "价格从低到高", **{f.label: f.label for f in FEATURES}}
# "幼猫吃的" after a list of cat food: a word of the titles asked for (this prefix + the word).
WORD = "含:"
# "要头戴式的" where no listing of the category says so: what list_refinement answers (this
# prefix + the kind), never kept in the request (the kind is said to be unknown, not ranked by).
UNLISTED = "未标明:"
# "不要辣的": the quality (word) left out, not ranked first (this prefix + the ranking).
NOT = "非:"
NEGATED = re.compile(r"(不要|不想要|别要|别给|别推|不喜欢|不吃|不用|不含|不带|除了|排除)[^，,。；;]{0,3}$")


def _valid_ranking(value: Any) -> bool:
    text = str(value or "")
    if text.startswith(NOT):
        text = text[len(NOT):]
    return text in RANKINGS or (text.startswith(WORD) and len(text) > len(WORD))
# Words around a refinement that say nothing about the product ("幼猫吃的" -> 幼猫).
REFINEMENT_FILLER = re.compile(
    r"有没有|有木有|有没|想要|要|能不能|能|可以|适合|给|我|那种|这种|一点|一些|点|些|款|的|吗|呢|吧|啊|呀|嘛|"
    r"用|吃|穿|喝|戴|涂|玩|看|是|还|就|再|来|个|一|这|那|种|类|不|也|都|[，。？！?!,.、\s~～]")


def ranking_label(order_by: Optional[str]) -> Optional[str]:
    """How a ranking is said back ("性价比高", "幼猫", "不要辣味")."""
    if not order_by:
        return None
    if order_by.startswith(NOT):
        inner = ranking_label(order_by[len(NOT):])
        return f"不要{inner}" if inner else None
    return order_by[len(WORD):] if order_by.startswith(WORD) else RANKINGS.get(order_by)


def refinement_words(text: str) -> List[str]:
    """The words of a short refinement typed after a list ("幼猫吃的" -> ["幼猫"], "敏感肌能用吗"
    -> ["敏感肌"]): two characters or more, none of them asking words. The caller keeps only a
    word some listing of the category holds."""
    text = (text or "").strip()
    if not text or len(text) > 12 or re.search(r"[A-Za-z0-9]", text):
        return []
    words = [w for w in REFINEMENT_FILLER.sub(" ", text).split() if 2 <= len(w) <= 6]
    return list(dict.fromkeys(stem for word in words for stem in kind_stems(word)))


# "要头戴式的", "有没有入耳的", "骨传导的呢", "油皮能用吗": a kind asked for in so many words
# after a list.
# Only a message of this shape may be told "no listing says so" (``unlisted_kind_text``): other
# short messages ("哈哈", "好的") refine nothing and are left to their own intent.
KIND_ASKED = re.compile(
    r"^(?:(?:我|就)?(?:要|想要|想看)|有没有|有木有|有没|来个|来点|换成?|看看)\s*([\u4e00-\u9fff]{2,6}?)的(?:吗|呢|吧|嘛|呀)?\s*[?？!！。]*$"
    r"|^有\s*([\u4e00-\u9fff]{2,6}?)的(?:吗|嘛)\s*[?？]*$"
    r"|^([\u4e00-\u9fff]{2,6}?)的(?:呢|有吗|有没有)\s*[?？]*$"
    # "油皮能用吗", "适合敏感肌吗": who or what the product suits
    r"|^([\u4e00-\u9fff]{2,6}?)(?:能用|可以用|能穿|可以穿|能吃|可以吃)(?:吗|嘛|么|不)?\s*[?？]*$"
    r"|^(?:适合|适用于?)([\u4e00-\u9fff]{2,6}?)(?:的|用的)?(?:吗|嘛|么|不)?\s*[?？]*$")
# "头戴式" / "入耳款": the word without its 式/款/型 ending is looked for too.
KIND_ENDING = re.compile(r"(?<=..)[式款型]$")


# Words in the kind's place that point at something rather than name a kind ("这个能用吗").
NOT_A_KIND = re.compile(r"^(这|那|哪|它|他|她|我|你|都|也|还|就|真|好|不|什么|啥)")


def asked_kind(text: str) -> Optional[str]:
    """The kind a message of the ``KIND_ASKED`` shape asks for ("要头戴式的" -> "头戴式"), else None."""
    match = KIND_ASKED.search((text or "").strip())
    kind = next((g for g in match.groups() if g), None) if match else None
    return kind if kind and not NOT_A_KIND.search(kind) else None


def kind_of_list_in_play(text: str, typed_word: Optional[str], category: Optional[str],
                         listed: Optional[str]) -> Optional[str]:
    """"有没有气垫的" after a list of running shoes: the NLU reads 气垫 as another category's
    word (a cushion foundation, 彩妆), but asked as a kind ("X的") right after a list it is
    a quality of the products listed: the kind, to refine the list in play (``listed``, its
    category) — said plainly when no listing holds it. ``typed_word``: the word typed for
    ``category`` when it is not that category's own name ("男装的呢" names 男装 and
    switches; ``narrower_word``). None when the message does not ask so."""
    if not typed_word or not listed or not category or category == listed:
        return None
    kind = asked_kind(text)
    return kind if kind and typed_word in kind else None


def kind_stems(word: str) -> List[str]:
    """The word, and its stem without a 式/款/型 ending ("头戴式" -> ["头戴式", "头戴"])."""
    stem = KIND_ENDING.sub("", word)
    return [word, stem] if stem != word else [word]


def ranking_asked(text: str) -> Optional[str]:
    """"性价比高的" -> VALUE, "拍照好的" -> "拍照好" (a ``FEATURES`` label), else None."""
    text = text or ""
    if VALUE_WORDS.search(text):
        return VALUE
    for feature in FEATURES:
        match = re.search(feature.asked, text)
        if match:
            return negated(text[:match.start()], feature.label)
    return None


def negated(before: str, ranking: Optional[str]) -> Optional[str]:
    """"不要辣的": the ranking turned into leaving that quality out, when a "no" comes just
    before the words that name it (``before``: the message up to them)."""
    return NOT + ranking if ranking and NEGATED.search(before or "") else ranking


def _figure(value: Any) -> Optional[float]:
    match = re.search(r"\d+(?:\.\d+)?", str(value or ""))
    return float(match.group(0)) if match else None


def _feature(order_by: str) -> Optional[Feature]:
    """The quality a ranking names: one of ``FEATURES``, or a word of the titles (``WORD``)."""
    feature = next((f for f in FEATURES if f.label == order_by), None)
    if feature is None and order_by.startswith(WORD) and len(order_by) > len(WORD):
        word = order_by[len(WORD):]
        feature = Feature(word, "", (), (word,))
    return feature


def _evidence(product: Any, feature: Feature) -> Tuple[Optional[float], str]:
    """(score, reason) where the listing shows the quality (its figure, else 0 for a word of
    its title or description), (None, "") where it does not."""
    attributes = getattr(product, "attributes", None) or {}
    for name in feature.attributes:
        figure = _figure(attributes.get(name))
        if figure is not None:
            return (figure if feature.larger_is_better else -figure), f"{name}：{attributes[name]}"
    text = f"{getattr(product, 'title', '')} {getattr(product, 'description', '')}"
    word = next((w for w in feature.words if w in text), None)
    if word is None:
        return None, ""
    return 0.0, (f"商品介绍提到“{word}”" if word == feature.label else f"{feature.label}（商品介绍提到“{word}”）")


def ranked(products: Sequence[Any], order_by: str) -> Tuple[List[Tuple[Any, str]], bool]:
    """The products in the order asked for, each with the reason shown on its card, and
    whether the catalogue holds anything about the quality asked (False for "拍照好" when no
    listing says a word about its camera: then they come by rating, and the reply says so).

    Value for money: the better-rated half first (rating at least the middle one), cheapest
    first within each half. Cheapest: by price. A quality: the listings that show it (by its
    figure, best first, else by its words) before the others, better-rated first among
    equals. A quality left out ("不要辣的"): only the listings that do not show it."""
    products = list(products)
    if order_by.startswith(NOT):
        feature = _feature(order_by[len(NOT):])
        kept = [p for p in products if feature is None or _evidence(p, feature)[0] is None]
        kept.sort(key=lambda p: -float(p.rating or 0))
        return [(p, f"{ranking_label(order_by)}，评分{float(p.rating or 0):.1f}") for p in kept], True
    if not products:
        return [], order_by == VALUE
    if order_by == CHEAPEST:
        ordered = sorted(products, key=lambda p: (float(p.price), -float(p.rating or 0)))
        return [(p, f"同类低价，评分{float(p.rating or 0):.1f}") for p in ordered], True
    if order_by == VALUE:
        ratings = sorted(float(p.rating or 0) for p in products)
        bar = ratings[(len(ratings) - 1) // 2]      # the lower middle: at least half qualify
        ordered = sorted(products, key=lambda p: (float(p.rating or 0) < bar, float(p.price), -float(p.rating or 0)))
        return [(p, f"评分{float(p.rating or 0):.1f}，同类里价格实在") for p in ordered], True
    feature = _feature(order_by)
    if feature is None:
        return [(p, "") for p in products], False
    scored = [(p, *_evidence(p, feature)) for p in products]
    ordered = sorted(scored, key=lambda t: (t[1] is None, -(t[1] or 0.0), -float(t[0].rating or 0)))
    found = any(figure is not None for _, figure, _ in scored)
    return [(p, reason or f"评分{float(p.rating or 0):.1f}") for p, _, reason in ordered], found


def feature_unknown_text(order_by: str, category: Optional[str]) -> str:
    """Said above the cards when the catalogue says nothing about the quality asked."""
    quality = (ranking_label(order_by) or order_by).rstrip("好")
    return (f"商品资料里没有标明{category or '这类商品'}的{quality}方面的信息，我不想给您说错；"
            "先按用户评分为您推荐，想确认某一款可以问问这款，或转人工确认。")


COLOUR_FACET = "颜色"
SIZE_FACET = "尺码"
# A screen's size ("55英寸", the NLU's size entity for "55寸") is a TV's or monitor's own SKU
# facet, not a garment's or shoe's 尺码: filtered as 尺码, "创维电视55寸的有吗" found nothing.
SCREEN_FACET = "屏幕尺寸"


def size_facet(size: str) -> str:
    """The SKU facet a size said is a value of: 屏幕尺寸 for inches, 尺码 otherwise."""
    return SCREEN_FACET if str(size).endswith("英寸") else SIZE_FACET


# The screen sizes a listing's title names ("TCL Q10K Mini LED 55英寸 …"): a listing titled 55英寸
# that also sells a 65-inch SKU reads to the shopper as a 55-inch TV when 65 inches were asked.
TITLE_INCHES = re.compile(r"(\d+(?:\.\d+)?)\s*(?:英寸|寸)")


def title_names_other_screen(title: str, size: Optional[str]) -> bool:
    """Does the title name screen sizes, none of them the one asked ("65英寸")?"""
    if not size or size_facet(size) != SCREEN_FACET:
        return False
    named = TITLE_INCHES.findall(title or "")
    return bool(named) and str(size)[: -len("英寸")] not in named


def size_words(size: str) -> str:
    """A size as said back: "42码" for a bare number, else as it is ("XL", "55英寸")."""
    return f"{size}码" if str(size).isdigit() else str(size)

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
    exclude_colours: tuple = field(default_factory=tuple)  # "不要黑色": colour families left out
    # "红色卫衣": the NLU reads 卫衣 as the whole 服饰鞋包 department; the word typed narrows it.
    keyword: Optional[str] = None
    # "性价比高的" (VALUE) or a feature ("续航好", "拍照好": a FEATURES label): how to rank.
    order_by: Optional[str] = None

    def to_slot(self) -> Dict[str, Any]:
        data = asdict(self)
        data["shown"] = list(self.shown)
        data["shown_prices"] = list(self.shown_prices)
        data["shown_brands"] = list(self.shown_brands)
        data["exclude_brands"] = list(self.exclude_brands)
        data["exclude_colours"] = list(self.exclude_colours)
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
                exclude_colours=_texts(value.get("exclude_colours")),
                keyword=_text(value.get("keyword")),
                order_by=_text(value.get("order_by")) if _valid_ranking(value.get("order_by")) else None,
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

    def fits_title(self, title: str) -> bool:
        """The listing's title agrees with the request: the word typed is in it, and it names
        no other screen size than the one asked."""
        if self.keyword and self.keyword.lower() not in (title or "").lower():
            return False
        return not title_names_other_screen(title, self.size)

    def attributes(self) -> Dict[str, str]:
        """The SKU facets the request filters on (``shop.db.catalogue.search_products``)."""
        wanted = {COLOUR_FACET: self.colour}
        if self.size:
            wanted[size_facet(self.size)] = self.size
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
        if self.order_by:
            parts.append(ranking_label(self.order_by) or self.order_by)
        if self.exclude_brands:
            parts.append(f"不含{'/'.join(self.exclude_brands)}")
        if self.exclude_colours:
            parts.append(f"不要{'/'.join(self.exclude_colours)}")
        if self.size:
            parts.append(size_words(self.size))
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
    return whole_number(str(value), high=10**12 - 1, low=0)


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
    excluded_colour: Optional[str] = None     # "不要黑色", "除了黑的都行"
    also_excluded: tuple = ()                 # "除了苹果和华为": the brands named after the first
    keyword: Optional[str] = None             # the word typed for a department-wide category
    order_by: Optional[str] = None            # "性价比高" / "续航好": see ``ranking_asked``
    any_budget: bool = False                  # "不限预算": the budget is dropped
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


def asks_for_more(text: str) -> bool:
    """"还有吗" / "还有别的吗" said on its own: the next page of a list, not a stock question."""
    text = (text or "").strip()
    return bool(MORE.search(text)) and len(re.sub(r"[\s?？。!！~～呀啊呢吧]", "", text)) <= 6


# "第一个不要", "这几个都不喜欢", "不要这个": what was shown is turned down, nothing new asked.
TURNED_DOWN = re.compile(
    r"^(?:第\s*[一二两三四五六七八九十\d]{1,2}\s*[个款件]?|最后(?:一|那)?[个款件]|这[个款几些]*|那[个款几些]*|都|全都)?"
    r"\s*(?:都)?(?:不要|不喜欢|不太喜欢|不行|不合适|不考虑|不想要|看不上)(?:这[个款几些]*|那[个款几些]*)?"
    r"(?:了|的|啊|呢|吧)?[。.!！~～]*$")
BARE_NO = re.compile(r"^(?:不要|不想要|不行|不考虑|不用)了?[。.!！~～]*$")
# "太贵了", "便宜点", "再贵点": only a move of the price, said on its own.
PRICE_MOVE_ONLY = re.compile(r"^(?:太贵了?|有点贵|好贵|贵了|再?便宜(?:一)?[点些]|再?贵(?:一)?[点些]|太便宜了?)(?:了|啊|呀|吧|呢)?[。.!！~～]*$")


def turns_down_shown(text: str) -> bool:
    """"第一个不要" / "都不喜欢" / "不要这个牌子" right after a list: the list goes on without
    what was turned down (the next page, or other brands), not a bare "no"."""
    text = (text or "").strip()
    if BARE_NO.search(text):
        return False        # "不要了": no more of anything — a plain no
    return bool(TURNED_DOWN.search(text) or (OTHER_BRAND.search(text) and len(text) <= 10))


def leaves_out_brand(text: str, brands) -> bool:
    """"不要耐克" / "除了苹果" right after a list, with the brand named (the NLU's brand
    entities, ``brands``): the list goes on without that brand, as "不要苹果的" asked for
    recommendations does — not a bare "no"."""
    return any(isinstance(b, str) and b for b in brands) and bool(NOT_THIS_BRAND.search(text or ""))


def moves_price_only(text: str) -> bool:
    """"太贵了" on its own after a list: cheaper ("再贵点": dearer) than what was shown."""
    return bool(PRICE_MOVE_ONLY.search((text or "").strip()))


# "能便宜点吗", "可以打折吗", "能不能少点": a discount asked on the product in view.
HAGGLE = re.compile(r"^(?:能|可以|能不能|可不可以|还能)(?:再)?(?:便宜|优惠|少)(?:一)?(?:点|些|点儿)?(?:吗|不|嘛|么|呢)?[?？。!！~～]*$"
                    r"|打个?折(?:吗|不|嘛)?[?？]*$|还价|讲价|议价|砍.{0,2}价|少算点")


def haggles(text: str) -> bool:
    """A discount asked for ("能便宜点吗"), not a request for cheaper products ("有没有便宜点的")."""
    return bool(HAGGLE.search((text or "").strip())) and not wants_cheaper_products(text)


# "最便宜的是哪个", "哪款最便宜": which of those on screen, not a new list.
CHEAPEST_SHOWN = re.compile(r"(最便宜|最实惠|价格最低|最低价)的?(是|是哪|是那)?(哪|那)?(个|款|一款|一个)?[?？呢啊]*$"
                            r"|(哪|那)(个|款|一款)最(便宜|实惠)")


def asks_cheapest_shown(text: str) -> bool:
    """"最便宜的是哪个" right after a list: the cheapest of those shown."""
    return bool(CHEAPEST_SHOWN.search((text or "").strip()))


# "我想给宝宝买奶粉": a wish to buy (with a kind of product, a request for products).
WANTS = re.compile(r"想.{0,6}买|要买|买个|买点|买一|给.{1,6}买|想要|推荐|有没有|有卖|求推荐|找(个|一个|一款|款|点|些)")


def wants_to_buy(text: str) -> bool:
    """"我想给宝宝买奶粉", "有没有保温杯", "求推荐": the words of a wish to buy; with a kind of
    product named, a request for products however unsure the classifier was."""
    return WANTS.search(text or "") is not None


def wants_cheaper_products(text: str) -> bool:
    """"有没有便宜点的": a request for cheaper products (see ``CHEAPER_PRODUCTS``)."""
    return bool(CHEAPER_PRODUCTS.search(text or ""))


# "不要黑色", "别要黑的", "除了黑色", "黑色的不要": a colour turned down, not asked for.
NOT_THIS_COLOUR = re.compile(r"(不要|不想要|不喜欢|不考虑|别要?|除了|排除)[^，,。！!？?]{0,3}$")
COLOUR_DECLINED_AFTER = re.compile(r"^[色的]*(的)?(不要|不想要|不喜欢|不考虑|就算了|pass)")


def _before_colour(text: str, colour: str) -> str:
    """The words just before the colour typed (its family's first character: 黑色 / 黑的), and
    a marker when it is turned down after it ("黑色的不要")."""
    at = text.find(colour[0])
    if at < 0:
        return ""
    if COLOUR_DECLINED_AFTER.search(text[at + 1:]):
        return "不要"
    return text[:at]


def colour_turned_down(text: str, colour: str) -> bool:
    """Is the colour the NLU read turned down in ``text`` ("不要黑色", "黑色的不要")?"""
    return bool(colour) and bool(NOT_THIS_COLOUR.search(_before_colour(text or "", colour)))


def other_colour_in_stock(product: Any, excluded: Sequence[str]) -> bool:
    """Does a listing sell, in stock, a colour outside the families turned down? A listing with
    no colours at all is kept (nothing of it is black)."""
    shades = {s.attributes.get(COLOUR_FACET) for s in getattr(product, "skus", ()) if s.in_stock}
    shades |= {(getattr(product, "attributes", None) or {}).get(COLOUR_FACET)}
    shades.discard(None)
    return not shades or any(not any(same_colour(c, shade) for c in excluded) for shade in shades)


def understand(text: str, entities: Mapping[str, Optional[str]], product_in_context: Optional[int],
               keyword: Optional[str] = None, brands: Sequence[str] = (), named: Sequence[str] = ()) -> Understood:
    """What the message adds; ``keyword`` is the word the shopper typed for a category the
    NLU could only place in a whole department ("卫衣" -> 服饰鞋包), see ``narrower_word``;
    ``named``: the words typed for the category or product ("运动鞋" names no quality)."""
    text = text or ""
    unnamed = text
    for word in named:
        if word:
            unnamed = unnamed.replace(word, " ")
    brand = _text(entities.get("brand"))
    other_brand = bool(OTHER_BRAND.search(text))
    excluded, also = None, ()
    if brand and NOT_THIS_BRAND.search(text):
        # "不要苹果的": Apple is left out, not asked for ("除了苹果和华为": both are).
        brand, excluded = None, brand
        also = tuple(b for b in (_text(v) for v in brands) if b and b != excluded)
    colour, excluded_colour = _text(entities.get("color")), None
    if colour and colour_turned_down(text, colour):
        # "有什么好的蓝牙耳机 不要黑色": black is left out, not asked for.
        colour, excluded_colour = None, colour
    return Understood(
        category=_text(entities.get("category")),
        brand=brand,
        excluded_colour=excluded_colour,
        excluded_brand=excluded,
        also_excluded=also,
        other_brand=other_brand,
        keyword=_text(keyword),
        min_price=_number(entities.get("budget_min")),
        max_price=_number(entities.get("budget_max")),
        colour=colour,
        size=_text(entities.get("size")),
        similar_to=product_in_context if SIMILAR.search(text) else None,
        cheaper=bool(CHEAPER.search(text)),
        pricier=bool(PRICIER.search(text)),
        more=bool(MORE.search(text)),
        personal=bool(PERSONAL.search(text)),
        gift_for=gift_recipient(text),
        not_carried=not_carried(text),
        order_by=ranking_asked(unnamed),
        any_budget=bool(ANY_BUDGET.search(text)),
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
        kept = narrowed.exclude_brands + tuple(b for b in leaving if b and b not in narrowed.exclude_brands
                                               and b != said.brand)
        # "换个牌子 小米的有吗": the brand named with it is the one wanted now.
        narrowed = replace(narrowed, brand=said.brand, exclude_brands=kept)
    if said.order_by:
        narrowed = replace(narrowed, order_by=said.order_by)
    if said.colour:
        narrowed = replace(narrowed, colour=said.colour, exclude_colours=tuple(
            c for c in narrowed.exclude_colours if not same_colour(said.colour, c)))
    if said.excluded_colour:
        kept_colour = narrowed.colour if narrowed.colour and not same_colour(said.excluded_colour, narrowed.colour) else None
        narrowed = replace(narrowed, colour=kept_colour, exclude_colours=tuple(dict.fromkeys(
            narrowed.exclude_colours + (said.excluded_colour,))))
    if said.size:
        narrowed = replace(narrowed, size=said.size)
    stated_budget = said.min_price is not None or said.max_price is not None
    if said.any_budget and not stated_budget:
        narrowed = replace(narrowed, min_price=None, max_price=None)
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
        elif not said.order_by:
            # "有没有便宜点的耳机" before any list: the cheapest of the kind first.
            narrowed = replace(narrowed, order_by=CHEAPEST)
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


def turned_down_unseen(previous: Optional[RecommendationRequest], said: Understood) -> tuple:
    """"不要耐克" after a list that has no Nike in it, and asks nothing else: the brands turned
    down (none of them was on screen), else (). The list shown already meets the wish; it is
    said so, and the next cards follow it, rather than the same cards again as if new."""
    if previous is None or not previous.shown or not said.excluded_brand:
        return ()
    names = tuple(b for b in (said.excluded_brand, *said.also_excluded) if b)
    seen = {b.lower() for b in (*previous.shown_brands, previous.brand) if b}
    if any(name.lower() in seen for name in names):
        return ()
    if next_request(previous, replace(said, excluded_brand=None, also_excluded=())) != previous:
        # "不要耐克 300以内": a new budget (category, colour …) too: a narrowed list as usual.
        return ()
    return names


def narrower_word(typed: str, category: str) -> Optional[str]:
    """The word a shopper typed for a category when it is not the category's own name:
    "卫衣" read as the whole 服饰鞋包 department, "口红" read as 彩妆. The list must then hold
    that word's products, not trousers or eyeshadow. None when the word is the category (or
    part of its name: 耳机 for 耳机耳麦)."""
    typed = (typed or "").strip()
    if not typed or not category or typed in category or category in typed:
        return None
    return typed[:20]


def category_spelt_out(text: str, typed: Optional[str], names: Sequence[str]) -> Optional[str]:
    """"适合跑步的鞋": the shop's category whose name the message spells out around the word
    typed for the category read ("跑步" + "的" + "鞋" is 跑步鞋, not the whole 鞋靴), else None.
    Only a longer name holding the typed word counts (鞋 → 跑步鞋, never 鞋 → 鞋靴)."""
    if not typed:
        return None
    squashed = re.sub(r"[的\s]", "", text or "")
    longer = [name for name in names if typed in name and len(name) > len(typed) and name in squashed]
    return max(longer, key=len) if longer else None


def another_name_for(word: str, category: Optional[str]) -> bool:
    """Is a word that no listing's title holds another name of the category ("鞋子" for
    鞋靴, "尿不湿" for 纸尿裤: they share a character), rather than a narrower kind the shop
    does not have ("睫毛膏" among 彩妆)?"""
    # The head of the category's name (its last two characters: 鞋靴, 尿裤, 护肤) is what it
    # is; a character shared with the rest only qualifies it (洗面奶 and 面部护肤 share 面).
    return bool(word and category and set(word) & set(category[-2:]))


def unlisted_kind_text(word: str, category: Optional[str]) -> str:
    """Said when a kind asked for after a list ("要头戴式的") is in no listing's title or
    description: the shop may have it, but nothing says so, and a guess could be wrong."""
    where = category or "这类商品"
    return (f"店里{where}的商品资料里都没有写明“{word}”，我不想给您说错。下面是同类里其他在售的款；"
            "想确认某一款，可以说“第几个”再问我，或转人工帮您确认。")


def kind_missing_text(word: str, category: str) -> str:
    return f"店里的{category}暂时没有{word}哦，您可以先看看{category}里的其他热门商品。"


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def not_carried_text(thing: str, nearest: Sequence[str]) -> str:
    return (f"抱歉，本店暂时没有卖{thing}哦。和它相近的，店里有{'、'.join(nearest)}，"
            f"需要的话告诉我想看哪一类，我来为您推荐～")


def gift_title(request: RecommendationRequest) -> str:
    """The line above gift cards: which categories suit the recipient, the one shown first.
    Nothing when the shopper named a category of their own ("给爸爸买个手机"): the cards are
    that, and a line of other ideas above them would contradict the list."""
    ideas = GIFT_IDEAS.get(request.gift_for or "", ())
    if not ideas or (request.category and request.category not in ideas):
        return ""
    ordered = sorted(ideas, key=lambda idea: idea != request.category)
    return f"送{request.gift_for}，可以考虑{'、'.join(ordered)}。"


# --- fallback when no trained recommender is available -------------------------------

def popular_matches(session, request: RecommendationRequest, limit: int) -> List[Tuple[Any, str]]:
    """Best sellers that satisfy the request, skipping what was shown: the cold-start answer
    (and the answer while no recommender artifact has been trained yet)."""
    from shop.db.catalogue import search_products

    attributes = request.attributes() or None
    # Brands left out are filtered here (the search has no "not this brand"): read further.
    wanted = limit + len(request.shown) + (60 if request.exclude_brands or request.exclude_colours else 0)
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
    found = _without_colours(session, request, found)
    return [(p, reason) for p in found if p.id not in shown and not request.excludes_brand(p.brand)
            and request.fits_title(p.title)][:limit]


def _without_colours(session, request: RecommendationRequest, found: list) -> list:
    """``found`` less the listings sold only in the colours turned down (read from their SKUs)."""
    if not request.exclude_colours or not found:
        return found
    from shop.db.catalogue import get_product_details

    details = {d.id: d for d in get_product_details(session, [p.id for p in found]) if d is not None}
    return [p for p in found if p.id in details and other_colour_in_stock(details[p.id], request.exclude_colours)]


def ranked_matches(session, request: RecommendationRequest, limit: int) -> Tuple[List[Tuple[Any, str]], bool]:
    """"性价比高的手机", "续航好的": the request's matches in the order asked (``ranked``),
    skipping what was shown; and whether the catalogue knew anything about the quality."""
    from shop.db.catalogue import get_product_details, search_products

    found = search_products(
        session, keyword=request.keyword, category=request.category, brand=request.brand,
        min_price=request.min_price, max_price=request.max_price,
        attributes=request.attributes() or None, in_stock_only=True, limit=100,
    )
    shown = set(request.shown)
    found = _without_colours(session, request, found)
    candidates = [p for p in found if p.id not in shown and not request.excludes_brand(p.brand)
                  and request.fits_title(p.title)]
    if (request.order_by or "").replace(NOT, "", 1) not in (VALUE, CHEAPEST):
        # A feature is read from attributes and descriptions, which only the details hold.
        candidates = [d for d in get_product_details(session, [p.id for p in candidates]) if d is not None]
    ordered, known = ranked(candidates, request.order_by or VALUE)
    return ordered[:limit], known


def nearest_priced(session, request: RecommendationRequest, limit: int) -> List[Tuple[Any, str]]:
    """"一千出头的耳机" where none costs that: the request's listings priced closest to the
    budget, below and above it, cheapest first. Nothing when the request has no budget, or
    no category or word that keeps them the kind asked for (not unrelated items)."""
    from shop.db.catalogue import search_products

    low, high = request.min_price, request.max_price
    if (low is None and high is None) or not (request.category or request.keyword):
        return []
    sides = []
    if low is not None:
        sides.append({"max_price": low})
    if high is not None:
        sides.append({"min_price": high})
    shown = set(request.shown)
    found = {}
    for bounds in sides:
        for product in search_products(session, keyword=request.keyword, category=request.category,
                                       brand=request.brand, attributes=request.attributes() or None,
                                       in_stock_only=True, limit=100, **bounds):
            if product.id not in shown and not request.excludes_brand(product.brand) and request.fits_title(product.title):
                found[product.id] = product

    def distance(product: Any) -> float:
        price = float(product.price)
        return max((low or price) - price, price - (high if high is not None else price), 0.0)

    closest = sorted(found.values(), key=lambda p: (distance(p), -p.sales_count))[:limit]
    return [(p, "价格最接近您的预算") for p in sorted(closest, key=lambda p: p.price)]


def nearest_priced_text(request: RecommendationRequest, products: Sequence[Any]) -> str:
    """Said above the nearest-priced cards: the budget found nothing, and where prices are."""
    prices = [p.price for p in products]
    spread = (money_rounded(min(prices)) if min(prices) == max(prices)
              else f"{money_rounded(min(prices))}~{money_rounded(max(prices))}")
    return (f"“{request.describe()}”暂时没有在售的商品。价格最接近的在{spread}，"
            "先给您看看这几款；也可以换个预算或品类再找～")


# "要大一点的", "有没有更大的" after a list: bigger, which for screens (tablets, TVs, watches)
# is the screen (the 大屏 ranking); elsewhere it is no quality the listings carry.
BIGGER = re.compile(r"^(?:我?要|想要|有没有|有木有|来个|换个|看看)?\s*(?:再|更)?大(?:一)?(?:点|些|一点|一些|点儿)?的?"
                    r"(?:吗|呢|吧|嘛)?\s*[?？!！。]*$")
BIG_SCREEN = next(f for f in FEATURES if f.label == "大屏")


def asks_bigger(text: str) -> bool:
    text = (text or "").strip()
    return text not in ("大", "大的") and bool(BIGGER.search(text))


def screens_in_listings(session, request: RecommendationRequest) -> bool:
    """Do the request's listings state a screen size (the attributes 大屏 ranks by)?"""
    from shop.db.catalogue import get_product_details, search_products

    if not (request.category or request.keyword):
        return False
    found = search_products(session, keyword=request.keyword, category=request.category, in_stock_only=True, limit=20)
    details = [d for d in get_product_details(session, [p.id for p in found]) if d is not None]
    return any(name in d.attributes for d in details for name in BIG_SCREEN.attributes)


def word_in_listings(session, request: RecommendationRequest, words: Sequence[str]) -> Optional[str]:
    """The first of ``words`` that some listing of the request's category holds in its title
    or description ("幼猫" among cat food), else None: only such a word refines the list."""
    from shop.db.catalogue import get_product_details, search_products

    if not words or not (request.category or request.keyword):
        return None
    found = search_products(session, keyword=request.keyword, category=request.category, in_stock_only=True, limit=100)
    details = [d for d in get_product_details(session, [p.id for p in found]) if d is not None]
    return next((w for w in words if any(w in f"{d.title} {d.description}" for d in details)), None)


def any_budget(text: str) -> bool:
    """"不限预算", "多少钱都行": the budget dropped."""
    return ANY_BUDGET.search(text or "") is not None


def asks_other_brand(text: str) -> bool:
    """"换个牌子", "有别的品牌吗": other brands than those shown."""
    return OTHER_BRAND.search(text or "") is not None


def title_names_inches(title: str) -> bool:
    """A product title that names its screen size ("75英寸", "65寸")."""
    return TITLE_INCHES.search(title or "") is not None
