"""Catalogue generation: category tree, brands, products with SKUs, facets, search terms,
promotions and coupons.

Listings follow the style of Chinese shop titles ("Apple iPhone 15 Pro 256GB 黑色钛金属 5G手机
国行正品"). Within a leaf the models are used round-robin across brands, so even the small
profile has every famous model once before any repeats; repeats are further listings of the
same model with other variants and selling points, as on a real marketplace.
"""
from __future__ import annotations

import itertools
import random
import zlib
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Optional

from shop.db import models as m
from shop.db.search_index import model_key, product_terms
from shop.db.search_maintenance import facet_pairs
from shop.seed.profiles import Profile
from shop.seed.vocabulary import (
    BRANDS, CATALOGUE, COLOUR_FAMILY_OF, COUPON_TEMPLATES, PROMOTION_TEMPLATES, LeafSpec, TopSpec,
)
from shop.seed.writer import BulkWriter

DAY = 86_400
PRICE_LEVELS = ("budget", "mid", "premium")


@dataclass
class Leaf:
    """A leaf category and the products generated in it (for order and browse sampling)."""

    category_id: int
    spec: LeafSpec
    top: TopSpec
    product_ids: list[int] = field(default_factory=list)
    # Cumulative sampling weights per price level (popularity x price taste).
    cumulative: dict[str, list[float]] = field(default_factory=dict)
    by_brand: dict[int, list[int]] = field(default_factory=dict)

    @property
    def repurchase_days(self) -> Optional[int]:
        return self.spec.repurchase_days

    def sample(self, rng: random.Random, price_level: str) -> int:
        weights = self.cumulative[price_level]
        return self.product_ids[bisect_left(weights, rng.random() * weights[-1])]


@dataclass
class Catalogue:
    """What the order and behaviour generators need to know about the catalogue."""

    leaves: list[Leaf]
    leaf_by_name: dict[str, Leaf]
    leaf_cumulative: list[float]
    brand_ids: dict[str, int]
    product_leaf: list[int] = field(default_factory=lambda: [0])      # index 0 unused (ids start at 1)
    product_brand: list[int] = field(default_factory=lambda: [0])
    product_title: list[str] = field(default_factory=lambda: [""])
    product_skus: list[tuple[int, ...]] = field(default_factory=lambda: [()])
    sku_price: list[int] = field(default_factory=lambda: [0])
    sku_name: list[str] = field(default_factory=lambda: [""])

    def sample_leaf(self, rng: random.Random) -> Leaf:
        return self.leaves[bisect_left(self.leaf_cumulative, rng.random() * self.leaf_cumulative[-1])]

    def leaf_of(self, product_id: int) -> Leaf:
        return self.leaves[self.product_leaf[product_id]]


def _round_price(yuan: float) -> int:
    """Shop-style prices in cents: 5999, 129, 39.9 -> 3990."""
    if yuan >= 100:
        return (int(yuan / 10) * 10 + 9) * 100
    if yuan >= 10:
        return int(yuan) * 100 + 90
    return max(99, int(yuan * 100) // 10 * 10 + 9)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), at least one each when possible."""
    share = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(s)) for s in share]
    remainders = sorted(range(len(weights)), key=lambda i: share[i] - int(share[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[remainders[i % len(remainders)]] += 1
        i += 1
    while sum(counts) > total:
        j = max(range(len(counts)), key=lambda k: counts[k])
        counts[j] -= 1
    return counts


def _round_robin_models(spec: LeafSpec) -> list[tuple[str, str, int]]:
    """(brand, model, base price) alternating between brands."""
    per_brand = [[(brand, model, price) for model, price in models] for brand, models in spec.models.items()]
    return [entry for group in itertools.zip_longest(*per_brand) for entry in group if entry]


def _axis_values(spec: LeafSpec, brand: str) -> list[tuple[str, tuple[str, ...]]]:
    overrides = spec.brand_axis_values.get(brand, {})
    return [(axis, overrides.get(axis, values)) for axis, values in spec.sku_axes]


def _consistent_specs(spec: LeafSpec, brand: str, model: str, drawn: dict[str, str]) -> dict[str, str]:
    """``drawn`` with what the brand and model really have put in (the draw itself stays, so
    the random stream, and with it every seeded order, is unchanged)."""
    specs = dict(drawn)
    for name, values in spec.brand_spec_values.get(brand, {}).items():
        if name in specs:
            specs[name] = values[zlib.crc32(model.encode()) % len(values)]
    specs.update((name, value) for name, value in spec.model_specs.get(model, {}).items() if name in specs)
    return specs


def _pick_axis(rng: random.Random, values: tuple[str, ...], priced: bool, most: int) -> list[tuple[int, str]]:
    """A few values of one axis as (tier, value); priced axes take a contiguous run of tiers."""
    count = rng.randint(1, min(most, len(values)))
    if priced:
        start = rng.randint(0, len(values) - count)
        return [(start + i, values[start + i]) for i in range(count)]
    chosen = sorted(rng.sample(range(len(values)), count))
    return [(0, values[i]) for i in chosen]


def _title(spec: LeafSpec, brand: str, model: str, variant: str, point: str) -> str:
    english = BRANDS[brand][0]
    shown_brand = "" if model.startswith(brand) or (english and model.lower().startswith(english.lower())) else brand
    text = spec.title.format(brand=shown_brand, model=model, variant=variant, noun=spec.noun, point=point)
    return " ".join(text.split())


def _description(spec: LeafSpec, top: TopSpec, brand: str, model: str, specs: dict[str, str], points: list[str]) -> str:
    country = BRANDS[brand][2]
    spec_text = "，".join(f"{k}：{v}" for k, v in specs.items())
    service = []
    warranty = spec.warranty_months if spec.warranty_months is not None else top.warranty_months
    no_reason = spec.no_reason_return if spec.no_reason_return is not None else top.no_reason_return
    service.append("支持7天无理由退货" if no_reason else "不支持7天无理由退货")
    if warranty:
        service.append(f"全国联保{warranty}个月")
    parts = [f"{brand}{model}，{country}品牌{spec.name}。"]
    if spec_text:
        parts.append(spec_text + "。")
    if points:
        parts.append("、".join(points) + "。")
    parts.append("，".join(service) + "。")
    return "".join(parts)


def generate_catalogue(seed: int, profile: Profile, writer: BulkWriter, anchor: int) -> Catalogue:
    rng = random.Random(f"{seed}:catalogue")
    category_rows, leaves = [], []
    next_id = itertools.count(1)
    for top_order, top in enumerate(CATALOGUE):
        top_id = next(next_id)
        category_rows.append((top_id, None, top.name, 1, f"{top_id}/", top_order, top.warranty_months,
                              top.no_reason_return, top.exchange_days, False, None))
        for leaf_order, spec in enumerate(top.leaves):
            leaf_id = next(next_id)
            warranty = spec.warranty_months if spec.warranty_months is not None else top.warranty_months
            no_reason = spec.no_reason_return if spec.no_reason_return is not None else top.no_reason_return
            exchange = spec.exchange_days if spec.exchange_days is not None else top.exchange_days
            category_rows.append((leaf_id, top_id, spec.name, 2, f"{top_id}/{leaf_id}/", leaf_order, warranty,
                                  no_reason, exchange, spec.repurchase_days is not None, spec.repurchase_days))
            leaves.append(Leaf(category_id=leaf_id, spec=spec, top=top))
    writer.insert(m.Category.__table__, ("id", "parent_id", "name", "level", "path", "sort_order", "warranty_months",
                                         "no_reason_return", "exchange_days", "is_consumable", "repurchase_days"),
                  category_rows)

    brand_ids = {name: i for i, name in enumerate(BRANDS, start=1)}
    writer.insert(m.Brand.__table__, ("id", "name", "name_en", "name_zh", "country"),
                  [(brand_ids[name], name, en, zh, country) for name, (en, zh, country) in BRANDS.items()])

    leaf_weights = [leaf.spec.weight for leaf in leaves]
    catalogue = Catalogue(leaves=leaves, leaf_by_name={leaf.spec.name: leaf for leaf in leaves},
                          leaf_cumulative=list(accumulate(leaf_weights)), brand_ids=brand_ids)
    counts = _allocate(profile.products, leaf_weights)
    category_names = {row[0]: row[2] for row in category_rows}

    product_rows, sku_rows, facet_rows, term_rows = [], [], [], []
    popularity: list[float] = [0.0]
    product_id = 0
    sku_id = 0
    for leaf_index, (leaf, count) in enumerate(zip(leaves, counts)):
        spec = leaf.spec
        models = _round_robin_models(spec)
        listings_of_model: dict[str, int] = {}
        for k in range(count):
            product_id += 1
            brand, model, base_price = models[k % len(models)]
            listing = listings_of_model.get(model, 0)
            listings_of_model[model] = listing + 1
            axes = _axis_values(spec, brand)
            picked = [_pick_axis(rng, values, priced=(i == spec.priced_axis), most=(3 if i == 0 else 4))
                      for i, (_, values) in enumerate(axes)]
            jitter = rng.uniform(0.92, 1.08) if listing else 1.0
            point = rng.choice(spec.points) if spec.points else ""
            specs = _consistent_specs(spec, brand, model, {name: rng.choice(values) for name, values in spec.specs})
            skus = []
            for combo in itertools.product(*picked) if picked else [()]:
                tier = sum(t for t, _ in combo)
                price = _round_price(base_price * jitter * (1 + spec.price_step * tier))
                original = _round_price(price / 100 * rng.choice((1.0, 1.0, 1.1, 1.2, 1.3)))
                attributes = {axes[i][0]: value for i, (_, value) in enumerate(combo)}
                name = " ".join(value for _, value in combo) or "标准版"
                in_stock = rng.random() < 0.9
                stock = rng.randint(1, 2000) if in_stock else 0
                sku_id += 1
                skus.append(sku_id)
                sku_rows.append((sku_id, product_id, f"{100_000_000_000 + (sku_id * 7_654_321 + 13) % 900_000_000_000}",
                                 name, attributes, price, max(original, price), stock, True))
                catalogue.sku_price.append(price)
                catalogue.sku_name.append(name)
            first = sku_rows[-len(skus)]
            variant = first[3] if first[3] != "标准版" else ""
            title = _title(spec, brand, model, variant, point)
            cheapest = min(sku_rows[-len(skus):], key=lambda row: row[5])
            weight = rng.random() ** 3 / (1 + listing) + 0.002
            popularity.append(weight)
            rating = round(min(5.0, rng.gauss(4.75, 0.15)), 1)
            product_rows.append([
                product_id, title, model, model_key(model), brand_ids[brand], leaf.category_id, cheapest[5],
                cheapest[6], _description(spec, leaf.top, brand, model, specs, [point] if point else []),
                specs, max(3.5, rating), 0, 0, f"products/{product_id:06d}.jpg", rng.random() > 0.01,
                anchor - rng.randint(30, 900) * DAY,
            ])
            catalogue.product_leaf.append(leaf_index)
            catalogue.product_brand.append(brand_ids[brand])
            catalogue.product_title.append(title)
            catalogue.product_skus.append(tuple(skus))
            leaf.product_ids.append(product_id)
            leaf.by_brand.setdefault(brand_ids[brand], []).append(product_id)

            facets = facet_pairs(specs, (row[4] for row in sku_rows[-len(skus):]), COLOUR_FAMILY_OF.get)
            facet_rows.extend((name, value, product_id) for name, value in sorted(facets))
            en, zh, _ = BRANDS[brand]
            terms = product_terms(title, model, (brand, en, zh), category_names[leaf.category_id],
                                  (leaf.top.name, *(v for _, v in sorted(facets))))
            term_rows.extend((term, product_id, weight) for term, weight in sorted(terms.items()))

    # Sales follow popularity: a few listings sell tens of thousands, most sell a few hundred.
    total = sum(popularity)
    for row in product_rows:
        share = popularity[row[0]] / total
        sales = int(share * profile.products * 2_000 * rng.uniform(0.8, 1.2)) + rng.randint(0, 60)
        row[12] = sales
        row[11] = int(sales * rng.uniform(0.2, 0.5))
    sales_of = {row[0]: row[12] for row in product_rows}
    _index_sampling_weights(catalogue, popularity)

    writer.insert(m.Product.__table__, ("id", "title", "model", "model_key", "brand_id", "category_id", "price_cents",
                                        "original_price_cents", "description", "attributes", "rating", "review_count",
                                        "sales_count", "image_ref", "is_on_sale", "created_at"),
                  (tuple(row) for row in product_rows))
    writer.insert(m.Sku.__table__, ("id", "product_id", "sku_code", "name", "attributes", "price_cents",
                                    "original_price_cents", "stock", "is_active"), sku_rows)
    writer.insert(m.ProductFacet.__table__, ("name", "value", "product_id"), facet_rows)
    writer.insert(m.ProductSearchTerm.__table__, ("term", "product_id", "weight", "sales_count"),
                  ((term, pid, weight, sales_of[pid]) for term, pid, weight in term_rows))
    _promotions_and_coupons(rng, writer, anchor, category_rows, brand_ids)
    return catalogue


def _index_sampling_weights(catalogue: Catalogue, popularity: list[float]) -> None:
    """Per leaf and price level, cumulative weights: budget shoppers lean to the cheap end."""
    for leaf in catalogue.leaves:
        prices = [min(catalogue.sku_price[s] for s in catalogue.product_skus[p]) for p in leaf.product_ids]
        order = sorted(range(len(prices)), key=lambda i: prices[i])
        rank = {i: r / max(1, len(prices) - 1) for r, i in enumerate(order)}    # 0 cheapest .. 1 dearest
        for level in PRICE_LEVELS:
            def taste(i: int, level: str = level, rank: dict = rank) -> float:  # bound: used in this pass only
                if level == "budget":
                    return 1.6 - rank[i]
                if level == "premium":
                    return 0.6 + rank[i]
                return 1.0
            leaf.cumulative[level] = list(accumulate(popularity[p] * taste(i) for i, p in enumerate(leaf.product_ids)))


def _promotions_and_coupons(rng: random.Random, writer: BulkWriter, anchor: int, category_rows: list,
                            brand_ids: dict[str, int]) -> None:
    top_ids = {row[2]: row[0] for row in category_rows if row[1] is None}
    rows = []
    promotion_id = 0
    for kind, title, category, threshold, discount, percent in PROMOTION_TEMPLATES:
        # Each promotion runs now (some for a year, so a demo database stays lively), and
        # once before, already over.
        for starts, ends in ((anchor - rng.randint(1, 10) * DAY, anchor + rng.choice((7, 14, 30, 365)) * DAY),
                             (anchor - rng.randint(60, 120) * DAY, anchor - rng.randint(20, 50) * DAY)):
            promotion_id += 1
            description = {
                "满减": f"活动期间{category or '全场'}商品每满{threshold}元减{discount}元，可与店铺券叠加。",
                "折扣": f"{category or '全场'}指定商品{(percent or 100) / 10:g}折，数量有限，售完即止。",
                "以旧换新": f"旧机估价后再享最高{discount}元补贴，上门回收。",
                "赠品": "下单即送赠品，赠品数量有限，送完即止。",
                "秒杀": "每天10点、20点开抢，限时限量，每人限购1件。",
            }[kind]
            rows.append((promotion_id, title, kind, description, top_ids.get(category) if category else None, None,
                         threshold * 100 if threshold else None, discount * 100 if discount else None, percent,
                         starts, ends))
    writer.insert(m.Promotion.__table__, ("id", "title", "kind", "description", "category_id", "brand_id",
                                          "threshold_cents", "discount_cents", "discount_percent", "starts_at",
                                          "ends_at"), rows)
    writer.insert(m.Coupon.__table__, ("id", "code", "title", "threshold_cents", "discount_cents", "category_id",
                                       "valid_from", "valid_to"),
                  [(i, f"CPN{i:04d}{rng.randint(1000, 9999)}", title, threshold * 100, discount * 100,
                    top_ids.get(category) if category else None, anchor - 60 * DAY, anchor + rng.choice((30, 90, 365)) * DAY)
                   for i, (title, threshold, discount, category) in enumerate(COUPON_TEMPLATES, start=1)])
