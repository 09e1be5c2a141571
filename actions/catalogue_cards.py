"""Product cards: one message shape for recommendations and product lists.

Web and REST clients get a ``product_cards`` custom payload; rasa shell gets a numbered
text list (it prints custom JSON raw)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional

from rasa_sdk import Tracker

from actions.formatting import intent_payload, money, numbered_lines, wants_text_only


def card(product: Any, reason: Optional[str]) -> Dict[str, Any]:
    return {
        "id": str(product.id),
        "title": product.title,
        "price": float(product.price),
        "price_text": money(product.price),
        "image": f"/static/{product.image_ref}" if product.image_ref else None,
        "reason": reason or "",
        "rating": float(product.rating),
        "buttons": [
            {"title": "问问这款", "payload": intent_payload("product_inquiry", product_id=product.id)},
            {"title": "我要买", "payload": intent_payload("purchase", product_id=product.id)},
        ],
    }


def product_cards_message(
    tracker: Tracker, products: Iterable[Any], title: str, reasons: Mapping[int, str]
) -> Dict[str, Any]:
    """Keyword arguments for ``dispatcher.utter_message``."""
    products = list(products)
    if wants_text_only(tracker.get_latest_input_channel()):
        lines = [
            f"{p.title}  {money(p.price)}" + (f"  —— {reasons[p.id]}" if reasons.get(p.id) else "")
            for p in products
        ]
        return {"text": f"{title}\n{numbered_lines(lines)}"}
    return {
        "text": title,
        "json_message": {
            "type": "product_cards",
            "title": title,
            "products": [card(p, reasons.get(p.id)) for p in products],
        },
    }
