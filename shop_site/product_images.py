"""Product pictures for the demo shop.

The seed gives every product an ``image_ref`` like ``products/000123.jpg`` but ships no
photos (and the page may load nothing from outside). The shop site therefore answers
``/static/products/<file>`` itself: a real file in ``web/static/products/`` wins; otherwise
it redirects to the drawing of the product's category in ``web/static/categories/``
(drawn by ``web/tools/make_product_images.py``), so a card always shows a fitting picture.

Actions put ``"/static/" + image_ref`` in the product card's ``image`` field.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from pathlib import Path
from typing import Optional

from aiohttp import web
from sqlalchemy.engine import Engine

from shop.db.catalogue import get_product_detail
from shop.db.engine import session_scope

# Category name (leaf first, then top level) -> drawing in web/static/categories/<slug>.svg.
CATEGORY_ART = {
    # top-level categories
    "手机数码": "digital", "电脑办公": "office", "家用电器": "appliance", "服饰鞋包": "fashion",
    "美妆护肤": "beauty", "食品生鲜": "food", "母婴用品": "baby", "运动户外": "sports",
    "家居家装": "home", "图书文具": "books", "个护清洁": "care", "宠物生活": "pets",
    "汽车用品": "auto", "钟表珠宝": "jewelry",
    # leaves with a drawing of their own
    "手机": "phone", "平板电脑": "tablet", "智能手表": "smartwatch", "耳机耳麦": "headphones",
    "数码相机": "camera", "笔记本电脑": "laptop", "显示器": "monitor", "电视": "tv",
    "冰箱": "fridge", "洗衣机": "washer", "空调": "aircon", "鞋靴": "shoes", "跑步鞋": "shoes",
    "箱包": "bag", "女装": "dress", "新鲜水果": "fruit", "牛奶乳品": "milk", "小说文学": "books",
    "童书": "books", "手表": "watch", "猫粮": "pets", "狗粮": "pets",
}
logger = logging.getLogger(__name__)

FALLBACK_ART = "/assets/img/product-placeholder.svg"
PRODUCT_FILE = re.compile(r"^(\d{1,12})\.(?:jpg|jpeg|png|webp|svg)$")
CACHE_SIZE = 4096


def art_for(category_path: tuple[str, ...]) -> Optional[str]:
    """The drawing's slug for a category path like ("手机数码", "手机"), most specific first."""
    for name in reversed(category_path):
        if name in CATEGORY_ART:
            return CATEGORY_ART[name]
    return None


class ProductImages:
    def __init__(self, web_root: Path, engine_of) -> None:
        self.products_dir = web_root / "static" / "products"
        self.categories_dir = web_root / "static" / "categories"
        self._engine_of = engine_of             # () -> Engine, created lazily by the caller
        self._cache: "OrderedDict[int, Optional[str]]" = OrderedDict()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        real = self.products_dir / name
        if "/" not in name and not name.startswith(".") and real.is_file():
            return web.FileResponse(real)
        match = PRODUCT_FILE.match(name)
        if not match:
            raise web.HTTPNotFound()
        slug = await self._slug(int(match.group(1)))
        target = f"/static/categories/{slug}.svg" if slug else FALLBACK_ART
        # A redirect rather than the bytes: every product of a category shares one cached file.
        raise web.HTTPFound(target, headers={"Cache-Control": "public, max-age=3600"})

    async def _slug(self, product_id: int) -> Optional[str]:
        if product_id in self._cache:
            self._cache.move_to_end(product_id)
            return self._cache[product_id]
        try:
            slug = await asyncio.to_thread(self._lookup, product_id)
        except Exception:  # noqa: BLE001 - a picture is not worth an error page
            logger.warning("no category for product %s", product_id, exc_info=True)
            return None  # not cached: the database may be back next time
        if slug and not (self.categories_dir / f"{slug}.svg").is_file():
            slug = None
        self._cache[product_id] = slug
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return slug

    def _lookup(self, product_id: int) -> Optional[str]:
        engine: Engine = self._engine_of()
        with session_scope(engine) as session:
            product = get_product_detail(session, product_id)
        return art_for(product.category_path) if product else None
