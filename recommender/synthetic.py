"""Synthetic but shop-like data for tests and load benchmarks (not for quality claims).

A small category tree with consumable and durable goods, brands, prices, colours, stock, and
shoppers whose browsing follows their favourite categories and price level, moves on to
complementary categories (phone -> case -> earphones), and sometimes ends in a cart or a
purchase. Generated vectorised, so 100k products and millions of events take seconds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

# (path, consumable, typical price in yuan, brands, complementary leaf indices)
CATEGORIES = [
    (("数码", "手机"), False, 2500, ["华为", "小米", "Apple", "OPPO", "vivo"], [1, 2]),
    (("数码", "手机配件", "手机壳"), False, 39, ["倍思", "绿联", "小米"], [2, 0]),
    (("数码", "耳机"), False, 399, ["索尼", "华为", "漫步者", "Apple"], [1, 3]),
    (("数码", "平板电脑"), False, 3200, ["华为", "Apple", "小米"], [2, 1]),
    (("家电", "空调"), False, 3000, ["格力", "美的", "海尔"], [5]),
    (("家电", "电饭煲"), False, 300, ["美的", "苏泊尔", "九阳"], [6]),
    (("食品", "零食"), True, 30, ["三只松鼠", "良品铺子", "百草味"], [7, 6]),
    (("食品", "饮料"), True, 50, ["农夫山泉", "元气森林", "可口可乐"], [6]),
    (("美妆", "面膜"), True, 99, ["欧莱雅", "百雀羚", "自然堂"], [9]),
    (("美妆", "口红"), False, 260, ["迪奥", "完美日记", "花西子"], [8]),
    (("服装", "T恤"), False, 89, ["优衣库", "李宁", "安踏"], [11]),
    (("服装", "运动鞋"), False, 499, ["耐克", "阿迪达斯", "李宁", "安踏"], [10]),
]
COLOURS = ["黑色", "白色", "曜石黑", "星光银", "天空蓝", "玫瑰金", "深空灰", "红色"]
ADJ = ["旗舰", "轻薄", "高性能", "经典", "新款", "便携", "智能", "长续航", "大容量", "时尚"]


@dataclass
class ShopData:
    products: list[dict]        # ProductFeatureRow-like dicts
    customers: np.ndarray       # customer ids
    users: np.ndarray           # per event: customer id
    items: np.ndarray           # per event: product id
    times: np.ndarray           # per event: unix seconds
    kinds: np.ndarray           # per event: 0 view, 1 cart, 2 purchase
    preferences: np.ndarray     # customer x 2 favourite category indices

    def interaction_rows(self):
        start = datetime(2024, 1, 1, tzinfo=timezone.utc)
        names = ("view", "cart", "purchase")
        for u, i, t, k in zip(self.users.tolist(), self.items.tolist(), self.times.tolist(), self.kinds.tolist()):
            yield (u, i, start + timedelta(seconds=t), names[k])


def generate(n_products: int = 400, n_customers: int = 300, sessions_per_customer: float = 6.0,
             seed: int = 0, with_text: bool = True) -> ShopData:
    rng = np.random.default_rng(seed)
    n_cat = len(CATEGORIES)
    cat_share = rng.dirichlet(np.full(n_cat, 4.0))
    cat_of = np.sort(rng.choice(n_cat, n_products, p=cat_share))
    # Products are laid out by category, so each category is a contiguous id block.
    block_start = np.searchsorted(cat_of, np.arange(n_cat + 1))
    brand_of = np.array([rng.integers(len(CATEGORIES[c][3])) for c in cat_of])
    price = np.array([CATEGORIES[c][2] for c in cat_of]) * rng.lognormal(0.0, 0.45, n_products)
    price = np.round(price, 0) - 0.01 * (rng.random(n_products) < 0.5)
    price = np.maximum(price, 1.0)
    stock = np.where(rng.random(n_products) < 0.9, rng.integers(1, 500, n_products), 0)
    appeal = rng.pareto(1.2, n_products) + 0.05          # a few best sellers per category
    colour_of = rng.integers(len(COLOURS), size=(n_products, 2))
    products = []
    for i in range(n_products):
        path, consumable, _, brands, _ = CATEGORIES[cat_of[i]]
        brand = brands[brand_of[i]]
        adj = ADJ[(i * 7 + brand_of[i]) % len(ADJ)]
        colours = sorted({COLOURS[colour_of[i, 0]], COLOURS[colour_of[i, 1]]})
        title = f"{brand} {adj}{path[-1]} {i % 97}代 {colours[0]}" if with_text else str(i)
        desc = f"{brand}{path[-1]}，{adj}设计，适合日常使用。" if with_text else ""
        products.append(dict(
            id=int(i + 1), title=title, description=desc, category_path=path, category_id=int(cat_of[i] + 1),
            brand=brand, price=float(price[i]), attributes={"颜色": colours}, stock=int(stock[i]),
            is_consumable=consumable, image=f"img/{i + 1}.jpg",
        ))

    prefs = np.stack([rng.choice(n_cat, n_customers, p=cat_share), rng.choice(n_cat, n_customers, p=cat_share)], 1)
    price_level = rng.lognormal(0.0, 0.35, n_customers)
    n_sessions = rng.poisson(sessions_per_customer, n_customers) + 1
    s_user = np.repeat(np.arange(n_customers), n_sessions)
    n_s = len(s_user)
    s_len = np.minimum(rng.geometric(0.3, n_s), 12)
    s_start = rng.uniform(0, 180 * 86400, n_s)
    cur_cat = prefs[s_user, rng.integers(2, size=n_s)]
    users, items, times, kinds = [], [], [], []
    comp = [CATEGORIES[c][4] for c in range(n_cat)]
    for step in range(int(s_len.max())):
        act = np.flatnonzero(s_len > step)
        if len(act) == 0:
            break
        if step:
            r = rng.random(len(act))
            move = r < 0.35   # complementary category
            back = (r >= 0.35) & (r < 0.5)
            for j in np.flatnonzero(move):
                options = comp[cur_cat[act[j]]]
                cur_cat[act[j]] = options[rng.integers(len(options))]
            cur_cat[act[back]] = prefs[s_user[act[back]], rng.integers(2, size=int(back.sum()))]
        c = cur_cat[act]
        lo, hi = block_start[c], block_start[c + 1]
        ok = hi > lo
        act, c, lo, hi = act[ok], c[ok], lo[ok], hi[ok]
        # Pick a product of the category: appeal x closeness to the shopper's price level,
        # by rejection from a few random draws (vectorised).
        draws = lo[:, None] + (rng.random((len(act), 6)) * (hi - lo)[:, None]).astype(np.int64)
        rel = price[draws] / np.array([CATEGORIES[k][2] for k in c])[:, None]
        fit = appeal[draws] * np.exp(-np.abs(np.log(rel / price_level[s_user[act]][:, None])) * 2.0)
        pick = draws[np.arange(len(act)), np.argmax(fit * rng.random(fit.shape), axis=1)]
        t = s_start[act] + step * 120.0
        k = np.zeros(len(act), np.int8)
        r = rng.random(len(act))
        k[r < 0.25] = 1
        k[r < 0.12] = 2
        for kind_level in (0, 1, 2):
            sel = k >= kind_level
            users.append(s_user[act][sel])
            items.append(pick[sel] + 1)
            times.append(t[sel] + kind_level * 30.0)
            kinds.append(np.full(int(sel.sum()), kind_level, np.int8))
    users_a = np.concatenate(users) + 1
    order = np.argsort(np.concatenate(times), kind="stable")
    return ShopData(products, np.arange(1, n_customers + 1), users_a[order], np.concatenate(items)[order],
                    np.concatenate(times)[order], np.concatenate(kinds)[order], prefs)
