"""Answers to product questions, from the catalogue's own attributes and SKUs.

Pure functions over ``ProductDetail`` records: what colours and sizes are in stock, the
spec sheet, size advice from a body measurement the shopper gives, and a side-by-side
comparison of two products.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from assistant.recommendation_requests import SCREEN_FACET, TITLE_INCHES
from shop.db.records import ProductDetail, SkuInfo
from shop.domain.colours import COLOUR_FAMILY_OF, same_colour
from shop.domain.money import money

COLOUR = "颜色"
SIZE = "尺码"
FIT = "版型"
# Attributes that describe the offer rather than the product.
NOT_SPECS = {COLOUR, SIZE}

# Clothing size by height (cm), the common Chinese chart (号型 160/84A → S ...).
CLOTHING_BY_HEIGHT: Tuple[Tuple[int, str], ...] = (
    (162, "S"), (170, "M"), (177, "L"), (183, "XL"), (189, "XXL"), (999, "XXXL"),
)
# Clothing size by weight (kg), used when it calls for a larger size than height does.
CLOTHING_BY_WEIGHT: Tuple[Tuple[int, str], ...] = (
    (55, "S"), (63, "M"), (72, "L"), (82, "XL"), (92, "XXL"), (999, "XXXL"),
)
# Body-mass index from which a slim cut feels tight.
SLIM_FIT_BMI = 24
CLOTHING_ORDER = ("XS", "S", "M", "L", "XL", "XXL", "XXXL")

HEIGHT = re.compile(r"(?:身高|高)?\s?(1[4-9]\d|2[01]\d)\s?(?:cm|厘米|公分)?")
HEIGHT_METRES = re.compile(r"1(?:米|m)\s?([4-9]\d?)")
WEIGHT = re.compile(r"(?:体重|重)?\s?(\d{2,3}(?:\.\d)?)\s?(kg|公斤|千克|斤)")
FOOT_MM = re.compile(r"脚长\s?(2[0-9]\d|2[0-9](?:\.\d)?)\s?(mm|毫米|cm|厘米)?")
# "42码", "43号"; "平时穿42", "一直穿43的": the size worn, said without 码.
SHOE_SIZE = re.compile(r"(?<!\d)(3[4-9]|4[0-7])(?:\.5)?\s?(?:码|号)|穿\s?(3[4-9]|4[0-7])(?![\d.码号])")


@dataclass(frozen=True)
class Measurements:
    height_cm: Optional[int] = None
    weight_kg: Optional[float] = None
    foot_mm: Optional[int] = None
    shoe_size: Optional[int] = None

    @property
    def empty(self) -> bool:
        return not (self.height_cm or self.weight_kg or self.foot_mm or self.shoe_size)


def measurements(text: str) -> Measurements:
    """Body measurements typed by a shopper: "175cm 70kg", "1米75 140斤", "脚长26厘米", "42码"."""
    text = text or ""
    height = None
    metres = HEIGHT_METRES.search(text)
    if metres:
        digits = metres.group(1)
        height = 100 + int(digits) * (10 if len(digits) == 1 else 1)
    else:
        found = HEIGHT.search(text)
        if found and ("身高" in text or "cm" in text.lower() or "厘米" in text or "公分" in text):
            height = int(found.group(1))
    weight = None
    found = WEIGHT.search(text)
    if found:
        value = float(found.group(1))
        weight = value / 2 if found.group(2) == "斤" else value
    foot = None
    found = FOOT_MM.search(text)
    if found:
        value = float(found.group(1))
        foot = int(value * 10) if value < 100 else int(value)
    shoe = None
    found = SHOE_SIZE.search(text)
    if found:
        shoe = int(found.group(1) or found.group(2))
    return Measurements(height, weight, foot, shoe)


def _chart_size(value: float, chart: Sequence[Tuple[int, str]]) -> str:
    for bound, size in chart:
        if value <= bound:
            return size
    return chart[-1][1]


def clothing_size(m: Measurements, slim_fit: bool) -> Optional[str]:
    by_height = CLOTHING_ORDER.index(_chart_size(m.height_cm, CLOTHING_BY_HEIGHT)) if m.height_cm else None
    by_weight = CLOTHING_ORDER.index(_chart_size(m.weight_kg, CLOTHING_BY_WEIGHT)) if m.weight_kg else None
    known = [i for i in (by_height, by_weight) if i is not None]
    if not known:
        return None
    index = max(known)
    if slim_fit and by_height is not None and by_weight is not None and by_weight <= by_height:
        # Slim cuts run small: a solid build the weight chart did not already size up for
        # goes one size up.
        bmi = m.weight_kg / (m.height_cm / 100) ** 2
        if bmi >= SLIM_FIT_BMI and index < len(CLOTHING_ORDER) - 1:
            index += 1
    return CLOTHING_ORDER[index]


def shoe_size(m: Measurements) -> Optional[int]:
    if m.shoe_size:
        return m.shoe_size
    if m.foot_mm:
        # Chinese/EU shoe size ≈ (foot length in mm + 10 mm of room) / 6.67 mm per size
        return int(round((m.foot_mm + 10) / 6.67))
    return None


def options(product: ProductDetail, attribute: str) -> List[Tuple[str, int]]:
    """Values of an SKU attribute with the stock behind each, in catalogue order."""
    stock: Dict[str, int] = {}
    for sku in product.skus:
        value = sku.attributes.get(attribute)
        if value and sku.is_active:
            stock[value] = stock.get(value, 0) + max(0, sku.stock)
    return list(stock.items())


def in_stock_values(product: ProductDetail, attribute: str) -> List[str]:
    return [value for value, stock in options(product, attribute) if stock > 0]


@dataclass(frozen=True)
class SizeAdvice:
    size: Optional[str]
    available: bool
    text: str


def size_advice(product: ProductDetail, text: str) -> SizeAdvice:
    sizes = options(product, SIZE)
    if not sizes:
        return SizeAdvice(None, False, "这款商品没有尺码之分，选好颜色/规格即可。")
    listed = "、".join(f"{s}{'' if n > 0 else '(缺货)'}" for s, n in sizes)
    m = measurements(text)
    if m.empty:
        return SizeAdvice(None, False, f"可选尺码：{listed}。告诉我您的身高体重（或脚长、平时穿的码数），我帮您推荐合适的尺码。")
    is_shoe = all(s.isdigit() for s, _ in sizes)
    if is_shoe:
        size = shoe_size(m)
        suggestion = str(size) if size else None
    else:
        suggestion = clothing_size(m, slim_fit=product.attributes.get(FIT) == "修身")
    if suggestion is None:
        return SizeAdvice(None, False, f"可选尺码：{listed}。请告诉我{'脚长或平时穿的码数' if is_shoe else '身高和体重'}，我帮您推荐。")
    stock = dict(sizes).get(suggestion)
    fit = product.attributes.get(FIT)
    fit_note = f"（这款是{fit}版型）" if fit else ""
    if stock:
        return SizeAdvice(suggestion, True, f"根据您的情况，建议选 {suggestion} 码{fit_note}，目前有货。")
    if stock == 0:
        return SizeAdvice(suggestion, False, f"根据您的情况建议 {suggestion} 码{fit_note}，但这个尺码暂时缺货，可以点到货通知。可选：{listed}。")
    return SizeAdvice(suggestion, False, f"根据您的情况建议 {suggestion} 码，这款没有这个尺码。可选尺码：{listed}。")


# "有没有大一码的", "小一号的呢", "大半码的呢": a size up or down from the size in play.
SIZE_STEP = re.compile(r"(大|小)\s?(一|半)\s?(?:个\s?)?(?:码|号)")


def size_step(text: str) -> float:
    """+1 for one size up ("大一码"), -1 for one down ("小一号"), ±0.5 for half a size
    ("大半码"), 0 when none is asked."""
    found = SIZE_STEP.search(text or "")
    if not found:
        return 0
    way = 1 if found.group(1) == "大" else -1
    return way * (0.5 if found.group(2) == "半" else 1)


def size_in_play(product: ProductDetail, earlier: Sequence[str]) -> Optional[str]:
    """The size the conversation is at now, from the shopper's earlier messages (latest first):
    the last size named, moved by each "大一码" / "小一码" said since — "小一码的呢" after
    "41码" then "大一码" is about 41 again, not 40. None when no message named a size."""
    steps: List[float] = []
    for text in earlier:
        named = wanted_variant(product, text).get(SIZE)
        if named:
            size = named
            for step in reversed(steps):
                size = stepped_size(product, size, step) or size
            return size
        if size_step(text):
            steps.append(size_step(text))
    return None


def _size_rank(value: str) -> Optional[float]:
    if value.isdigit() or re.fullmatch(r"\d+\.5", value):
        return float(value)
    return float(CLOTHING_ORDER.index(value)) if value in CLOTHING_ORDER else None


def stepped_size(product: ProductDetail, size: str, step: int) -> Optional[str]:
    """The product's next size up (``step`` > 0) or down from ``size`` (sizes ordered as worn:
    39 < 40, S < M), or None when there is none that way (or the sizes do not order)."""
    ranked = [(rank, value) for value, _ in options(product, SIZE) if (rank := _size_rank(value)) is not None]
    here = _size_rank(size)
    if here is None or not ranked or step == 0:
        return None
    ranked.sort()
    # Half a size ("大半码") is the half size when the product has one, else the next whole one.
    further = [value for rank, value in ranked if (rank > here if step > 0 else rank < here)]
    if not further:
        return None
    return further[0] if step > 0 else further[-1]


def spec_lines(product: ProductDetail) -> List[str]:
    lines = [f"{name}：{value}" for name, value in product.attributes.items() if name not in NOT_SPECS]
    variants = sorted({v for s in product.skus for k, v in s.attributes.items() if k not in (COLOUR, SIZE)})
    if variants:
        lines.append(f"可选规格：{'、'.join(variants)}")
    lines.append(f"品牌：{product.brand}；保修：{product.warranty_months}个月" if product.warranty_months else f"品牌：{product.brand}")
    return lines


def comparison(first: ProductDetail, second: ProductDetail) -> List[Tuple[str, str, str]]:
    """Rows (aspect, first, second): price, rating, sales, then the attributes they share."""
    rows = [
        ("价格", money(first.price), money(second.price)),
        ("评分", f"{first.rating:.1f}（{first.review_count}条评价）", f"{second.rating:.1f}（{second.review_count}条评价）"),
        ("销量", str(first.sales_count), str(second.sales_count)),
        ("库存", "有货" if first.in_stock else "缺货", "有货" if second.in_stock else "缺货"),
    ]
    for name, value in first.attributes.items():
        if name in second.attributes and name not in NOT_SPECS:
            rows.append((name, value, second.attributes[name]))
    return rows


def comparison_verdict(first: ProductDetail, second: ProductDetail) -> str:
    """"这两个哪个好", said plainly under the rows: which is cheaper and by how much, which is
    better rated, and that the choice turns on those (no verdict the catalogue cannot back)."""
    def name(product: ProductDetail) -> str:
        # Two listings of one model are told apart by their titles.
        return product.model if first.model != second.model else product.title[:30]

    lines = []
    cheaper = None
    if first.price != second.price:
        cheaper, dearer = (first, second) if first.price < second.price else (second, first)
        lines.append(f"【{name(cheaper)}】便宜 {money(dearer.price - cheaper.price)}")
    if round(first.rating, 1) != round(second.rating, 1):
        rated = first if first.rating > second.rating else second
        lines.append(f"评分也更高（{rated.rating:.1f}分）" if rated is cheaper
                     else f"【{name(rated)}】评分更高（{rated.rating:.1f}分）")
    if not lines:
        return "两款价格和评分都差不多，可以看看上面哪项参数对您更重要。"
    return "简单说：" + "，".join(lines) + "。预算优先选便宜的，看重口碑选评分高的；想细看哪一款，说“第一个”或型号就行。"


# --- variants: "iPhone 15 Pro Max 256GB 有货吗", "Pegasus 40 有42码吗", "黑色的还有吗" -------------

STORAGE = re.compile(r"^(\d+)\s?(GB|TB)$", re.IGNORECASE)
LETTER_SIZE = re.compile(r"^X{0,3}[SML]$|^XXXL$|^\d?XL$")


def _mentions_value(attribute: str, value: str, text: str) -> bool:
    """Does ``text`` name this SKU attribute value? Storage as 256GB / 256G / 256g; shoe
    sizes only with 码/号 (a bare 40 may be a model number); letter sizes as whole words."""
    squashed = re.sub(r"\s+", "", text)
    storage = STORAGE.match(_storage_part(value))
    if storage:
        number, unit = storage.group(1), storage.group(2)[0]
        if re.search(rf"(?<!\d){number}\s?{unit}(?:B)?(?![\dA-Za-z])", text, re.IGNORECASE):
            return True
        # "256的" / "512版本": a storage size the product has, said without its unit.
        return (unit.upper() == "G" and int(number) >= 32
                and re.search(rf"(?<![\d.]){number}\s?(?:的|版|款|内存|存储)", text) is not None)
    if attribute == SIZE and value.isdigit():
        return re.search(rf"(?<!\d){value}(?:\.5)?\s?(?:码|号)", text) is not None
    if attribute == SCREEN_FACET:
        return screen_inches(text) == value
    if LETTER_SIZE.match(value):
        return re.search(rf"(?<![A-Za-z]){value}(?![A-Za-z])", text) is not None
    return len(value) >= 2 and value.replace(" ", "").lower() in squashed.lower()


def _mentioned_colour(values: Sequence[str], text: str) -> Optional[str]:
    """A colour the shopper named: a listed shade, else a family or shade we know (黑色)."""
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            return value
    for shade in sorted(COLOUR_FAMILY_OF, key=len, reverse=True):
        if shade in text:
            return shade
    for value in [*values, *sorted(COLOUR_FAMILY_OF)]:
        # "刚才那个黑的", "要白的": an "X色" (listed, else one we know) said by its first
        # character and 的/款.
        if len(value) == 2 and value.endswith("色") and re.search(
                rf"(?<![明空坦清表独旁自告对辩雪漂洁押现定租资奖基薪礼美网奶面米花收])({re.escape(value[0])})(?:的|款|那个|那款)", text):
            return value
    return None


# "那42呢", "42的有吗": a bare number asked right after a size's stock — the shoe size.
BARE_SIZE_FRAGMENT = re.compile(r"^(?:那|那么)?\s*(3[4-9]|4[0-7])\s*(?:码|号)?(?:的)?\s*(?:呢|有吗|有没有|还有吗)?\s*[?？]*$")


def variant_fragment(product: ProductDetail, text: str) -> Optional[str]:
    """The words of a follow-up that name a variant of ``product`` ("那42呢" -> "42码" for a shoe
    sold by 尺码; "那256G的呢" as typed), else None."""
    if wanted_variant(product, text):
        return text
    found = BARE_SIZE_FRAGMENT.search((text or "").strip())
    sized = any(s.attributes.get(SIZE, "").isdigit() for s in product.skus)
    return f"{found.group(1)}码" if found and sized else None


def wanted_variant(product: ProductDetail, text: str) -> Dict[str, str]:
    """The SKU attributes the shopper named for this product: {"存储容量": "256GB", "颜色": "黑色"}.
    Only attributes the product's SKUs vary on count; a value it does not offer is kept as
    typed when it is a size or storage, so the answer can say it is not offered."""
    wanted: Dict[str, str] = {}
    attributes: Dict[str, List[str]] = {}
    for sku in product.skus:
        for name, value in sku.attributes.items():
            attributes.setdefault(name, [])
            if value not in attributes[name]:
                attributes[name].append(value)
    for name, values in attributes.items():
        if name == COLOUR:
            colour = _mentioned_colour(values, text)
            if colour:
                wanted[name] = colour
            continue
        named = [v for v in values if _mentions_value(name, v, text)]
        if named:
            wanted[name] = max(named, key=len)
        elif name == SIZE and all(v.isdigit() for v in values):
            typed = measurements(text).shoe_size
            if typed:
                wanted[name] = str(typed)
        elif name == SCREEN_FACET:
            typed = screen_inches(text)
            if typed:
                wanted[name] = typed        # "65寸" of a listing sold in 55 only: said so, not its 55
        elif any(STORAGE.match(_storage_part(v)) for v in values):
            typed = re.search(r"(?<!\d)(\d{1,4})\s?(G|T)B?(?![\dA-Za-z])", text, re.IGNORECASE)
            if typed:
                wanted[name] = f"{typed.group(1)}{typed.group(2).upper()}B"
    return wanted


# "有55的吗", "要65的" about a TV: a screen size said without its unit (two digits, then 的).
BARE_INCHES = re.compile(r"(?<![\d.])(\d{2})(?=\s?(?:的|款|吋))")


def screen_inches(text: str) -> Optional[str]:
    """The screen size typed ("65寸", "65英寸", "65吋", "有55的吗") as the catalogue writes it
    ("65英寸"), else None."""
    found = TITLE_INCHES.search(text or "") or BARE_INCHES.search(text or "")
    return f"{found.group(1)}英寸" if found else None


def _storage_part(value: str) -> str:
    """"12GB+256GB" (memory + storage) -> "256GB": the part shoppers name ("有256G的吗")."""
    return (value or "").split("+")[-1].strip()


def _sku_matches(sku_attributes, wanted: Dict[str, str]) -> bool:
    for name, value in wanted.items():
        shade = sku_attributes.get(name)
        if name == COLOUR:
            if shade is None or not same_colour(value, shade):
                return False
        elif shade != value and not (STORAGE.match(value) and shade and _storage_part(shade) == value):
            return False
    return True


@dataclass(frozen=True)
class VariantMatch:
    asked: str                          # the values named, as typed back: "256GB"
    skus: List[SkuInfo]                 # the active SKUs that match, in catalogue order
    offered: Dict[str, List[str]]       # when none match: what the product offers instead


def match_variant(product: ProductDetail, wanted: Dict[str, str]) -> VariantMatch:
    skus = [s for s in product.skus if s.is_active and _sku_matches(s.attributes, wanted)]
    offered = {} if skus else {name: [v for v, _ in options(product, name)] for name in wanted}
    asked = " ".join(f"{value}码" if name == SIZE and value.isdigit() else value for name, value in wanted.items())
    return VariantMatch(asked, skus, offered)


# --- one aspect asked about: "续航多久", "屏幕多大", "什么处理器" --------------------------------

@dataclass(frozen=True)
class Aspect:
    label: str                      # what the shopper asked about, as we say it back
    words: Tuple[str, ...]          # how shoppers ask
    attributes: Tuple[str, ...]     # the catalogue attributes that answer it
    note: str = ""                  # said after the figure
    # Words that make the question another aspect's ("电池容量多大" is the battery's).
    unless: Tuple[str, ...] = ()
    # Read from the title where no attribute holds it ("美的 电饭煲 4L 智能预约": 4L).
    in_title: Optional["re.Pattern[str]"] = None


# A volume in a title: "4L", "1.7L", "5升", "500ml".
TITLE_VOLUME = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?\s?(?:L|l|升|ml|mL|毫升))(?![A-Za-z])")


ASPECTS: Tuple[Aspect, ...] = (
    Aspect("续航", ("续航", "电池", "电量", "待机", "能用多久", "充一次电"), ("电池容量",),
           "（实际续航因使用习惯而异）"),
    Aspect("屏幕", ("屏幕", "多大屏", "几寸", "几英寸", "屏多大"), ("屏幕尺寸", "表盘尺寸")),
    Aspect("处理器", ("处理器", "芯片", "cpu", "什么u"), ("处理器",)),
    Aspect("显卡", ("显卡", "gpu"), ("显卡",)),
    Aspect("网络", ("5g", "网络", "全网通"), ("网络",)),
    Aspect("材质", ("材质", "面料", "什么料", "纯棉"), ("材质",)),
    Aspect("充电功率", ("快充", "充电功率", "多少瓦", "充电多快"), ("充电功率",)),
    Aspect("重量", ("多重", "重量", "多沉", "几斤重"), ("重量", "净重")),
    Aspect("防水", ("防水",), ("防水等级",)),
    # "几升的" about a rice cooker (its title says 4L), "容量多大" about a phone (its storage).
    Aspect("容量", ("几升", "多少升", "几l", "多少l", "多少毫升", "几毫升", "容量多大", "多大容量", "容量多少", "容量是多少",
                  "什么容量", "多大的容量", "能装多少", "装多少"),
           ("容量", "存储容量"), unless=("电池", "电量", "内存"), in_title=TITLE_VOLUME),
)


def asked_aspects(text: str) -> List[Aspect]:
    lowered = (text or "").lower()
    return [aspect for aspect in ASPECTS
            if any(word in lowered for word in aspect.words) and not any(word in lowered for word in aspect.unless)]


def aspect_value(product: ProductDetail, aspect: Aspect) -> Optional[str]:
    """The catalogue's value for the aspect: a product attribute, or the SKU values."""
    for name in aspect.attributes:
        if product.attributes.get(name):
            return product.attributes[name]
        values = sorted({s.attributes[name] for s in product.skus if s.attributes.get(name)})
        if values:
            return "、".join(values)
    found = aspect.in_title.search(product.title) if aspect.in_title is not None else None
    return found.group(1) if found else None


def aspect_answers(product: ProductDetail, text: str) -> Tuple[List[str], List[Aspect]]:
    """(answer lines, aspects the catalogue has no figure for)."""
    lines, missing = [], []
    for aspect in asked_aspects(text):
        value = aspect_value(product, aspect)
        if value is None:
            missing.append(aspect)
        else:
            lines.append(f"{aspect.attributes[0]}：{value}{aspect.note}")
    return lines, missing


# --- does a name a shopper typed name this product? ------------------------------------------

def _squash(text: str) -> str:
    return re.sub(r"[\s\-_·]+", "", (text or "").lower())


def names_the_product(name: str, product: ProductDetail) -> bool:
    """Is ``name`` ("荣耀X50", "iPhone15") this product, rather than the search's nearest
    guess? What is left of the name once the brand is taken off must be in the product's
    title or model: "诺基亚N95" never names a Huawei phone."""
    wanted = _squash(name)
    for brand in (product.brand, product.brand_en):
        if brand and _squash(brand) and _squash(brand) in wanted:
            wanted = wanted.replace(_squash(brand), "", 1)
    if not wanted:
        return True
    return wanted in _squash(product.title) or wanted in _squash(product.model)


def asks_size_advice(text: str, topics: Sequence[str]) -> bool:
    """"穿多大码", "175 140斤穿什么尺码": size advice asked — the NLU's topic, a height given,
    or the words."""
    text = text or ""
    return "size_advice" in topics or bool(measurements(text).height_cm) or "尺码" in text or "多大码" in text
