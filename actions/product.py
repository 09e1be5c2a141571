"""产品咨询: facts about a product, read from the catalogue at the time of asking."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons, intent_payload, join_values, money, stock_phrase
from actions.support import ShopAction, as_product_id, db, first_entity
from shop.db.catalogue import find_products_by_name, get_product_detail
from shop.db.records import ProductDetail

MAX_CHOICES = 5


def _colour_options(product: ProductDetail) -> List[str]:
    seen: List[str] = []
    for sku in product.skus:
        colour = sku.attributes.get("颜色")
        if colour and sku.is_active and colour not in seen:
            seen.append(colour)
    return seen


def describe_price_and_stock(product: ProductDetail) -> str:
    lines = [f"【{product.title}】"]
    price = f"现价 {money(product.price)}"
    if product.original_price and product.original_price > product.price:
        price += f"（原价 {money(product.original_price)}）"
    lines.append(price + f"，{stock_phrase(product.total_stock)}。")
    colours = _colour_options(product)
    if colours:
        lines.append(f"可选颜色：{join_values(colours)}。")
    return "\n".join(lines)


class ActionProductInquiry(ShopAction):
    def name(self) -> str:
        return "action_product_inquiry"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        product_id = as_product_id(first_entity(tracker, "product_id"))
        mention = first_entity(tracker, "product")
        if product_id is None and mention is None:
            product_id = as_product_id(tracker.get_slot("product_id"))
        if product_id is None:
            query = mention or (tracker.latest_message or {}).get("text") or ""
            matches = await db(find_products_by_name, query, limit=MAX_CHOICES)
            if not matches:
                dispatcher.utter_message(
                    text="抱歉，没有找到您说的这款商品。可以告诉我更完整的商品名称或型号吗？"
                )
                return []
            if len(matches) > 1 and mention is None:
                dispatcher.utter_message(
                    text="找到了几款相关商品，您想了解哪一款？",
                    buttons=buttons(
                        (f"{m.title} {money(m.price)}", intent_payload("product_inquiry", product_id=m.id))
                        for m in matches
                    ),
                )
                return []
            product_id = matches[0].id

        product = await db(get_product_detail, product_id)
        if product is None or not product.is_on_sale:
            dispatcher.utter_message(text="抱歉，这款商品已下架或不存在，需要我帮您找找类似的吗？")
            return [SlotSet("product_id", None)]
        dispatcher.utter_message(text=describe_price_and_stock(product))
        return [SlotSet("product_id", str(product.id))]
