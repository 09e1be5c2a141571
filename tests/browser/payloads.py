"""Bot messages in the shapes the assistant's actions send (docs/channels.md), built from
real seeded products so pictures and prices are the shop's own."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from shop.db.catalogue import get_product_detail
from shop.db.engine import make_engine, session_scope

XSS = "<img src=x onerror=alert(1)>"


def seeded_products(database_url: str, ids=(1, 2, 3)) -> List[Any]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return [get_product_detail(session, product_id) for product_id in ids]
    finally:
        engine.dispose()


def product_cards(products, title: str = "为您推荐") -> Dict[str, Any]:
    cards = []
    for product, reason in zip(products, ("同类热销", "猜你喜欢", "高性价比")):
        pid = str(product.id)
        cards.append({
            "id": pid,
            "title": product.title,
            "price": float(product.price),
            "price_text": f"¥{product.price:,.2f}",
            "image": f"/static/{product.image_ref}",
            "reason": reason,
            "rating": product.rating,
            "buttons": [
                {"title": "问问这款", "payload": "/product_inquiry" + json.dumps({"product_id": pid})},
                {"title": "我要买", "payload": "/purchase" + json.dumps({"product_id": pid})},
            ],
        })
    return {"custom": {"type": "product_cards", "title": title, "products": cards}}


ORDER_NO = "202611220001234567"

TIMELINE = {
    "custom": {
        "type": "order_timeline",
        "order": {
            "order_no": ORDER_NO,
            "status": "in_transit",
            "status_label": "运输中",
            "carrier": "顺丰速运",
            "tracking_no": "SF1234567890123",
            "eta": "预计11月25日送达",
            "items": [
                {"title": "小米14 12GB+256GB 白色", "quantity": 1, "price_text": "¥3,999.00"},
                {"title": "小米 67W 充电器", "quantity": 2, "price_text": "¥99.00"},
            ],
            "events": [  # newest first
                {"time": "2026-11-22T10:00:00+08:00", "text": "快件到达【杭州转运中心】", "location": "杭州"},
                {"time": "2026-11-21T20:13:00+08:00", "text": "快件已从【深圳宝安集散中心】发出", "location": "深圳"},
                {"time": "2026-11-21T15:40:00+08:00", "text": "顺丰速运 已收取快件", "location": "深圳"},
                {"time": "2026-11-21T09:00:00+08:00", "text": "商家已发货", "location": "深圳"},
            ],
        },
    }
}

ORDER_LIST = {
    "custom": {
        "type": "order_list",
        "orders": [
            {"order_no": "202611200009876543", "status": "delivered", "status_label": "已签收",
             "summary": "小米14 等2件", "created_at": "2026-11-20T09:12:00+08:00", "total_text": "¥4,098.00",
             "payload": '/order_status{"order_no":"202611200009876543"}'},
            {"order_no": "202611180001112223", "status": "pending_payment", "status_label": "待付款",
             "summary": "摇粒绒外套", "created_at": "2026-11-18T21:00:00+08:00", "total_text": "¥199.00",
             "payload": '/order_status{"order_no":"202611180001112223"}'},
        ],
    }
}

QUICK_REPLIES = {
    "text": "请问您想查询哪类问题？",
    "quick_replies": [
        {"content_type": "text", "title": "查物流", "payload": "/order_status"},
        {"content_type": "text", "title": "退换货", "payload": "/after_sales"},
    ],
}

HOSTILE_CARD = {
    "custom": {
        "type": "product_cards",
        "products": [{
            "id": "666", "title": XSS, "price": 1, "reason": XSS, "image": "javascript:alert(1)",
            "buttons": [{"title": XSS, "payload": "/x"}],
        }],
    }
}
