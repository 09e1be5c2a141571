"""Product cards: one message shape for recommendations and product lists.

Web and REST clients get a ``product_cards`` custom payload; rasa shell gets a numbered
text list (it prints custom JSON raw)."""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Mapping, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.formatting import intent_payload, money, numbered_lines, wants_text_only
from actions.support import db_prompt
from assistant.experiment_picks import ExperimentalPicks, ShownCards, log_shown_cards

logger = logging.getLogger(__name__)


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


async def show_cards(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: ExperimentalPicks,
                     customer_id: Optional[int], products: Iterable[Any], title: str,
                     reasons: Mapping[int, str]) -> None:
    """Show one turn's product cards and log them, once, through the one exposure logger
    (``log_shown_cards``: one exposure per experiment the shopper is in, with exactly these
    cards; a variant's offer issued and said after them). Every flow that shows cards — a
    recommendation, a typed purchase search — goes through here, so no card set is shown
    unlogged; ``outcome`` carries the shopper's variants."""
    products = list(products)
    message = product_cards_message(tracker, products, title=title, reasons=reasons)
    try:
        # A write the shopper waits on: bounded by ACTION_DB_LOCK_WAIT_S (it waited the
        # database's whole busy timeout, 10 s, and then the shopper got an apology).
        shown = await db_prompt(log_shown_cards, outcome, customer_id, tracker.sender_id, [p.id for p in products])
    except SQLAlchemyError:
        # The cards are what the shopper asked for; only the experiment's record of them
        # (and a variant's coupon) is missed, and said so in the log.
        logger.warning("cards shown without their exposure: the shop database refuses writes "
                       "(conversation %s)", tracker.sender_id, exc_info=True)
        shown = ShownCards()
    if shown.exposure_ids and "json_message" in message:
        # The cards' buy buttons send these back, so clicks and orders name this exposure.
        message["json_message"]["exposure_ids"] = list(shown.exposure_ids)
    dispatcher.utter_message(**message)
    if shown.offer_text:
        dispatcher.utter_message(text=shown.offer_text)
