"""购买咨询: payment, instalments, invoices, shipping, coupons and promotions (answers from
content/faq.yml plus live promotions and coupons), stock for a quantity, and "I want to
buy X" (matching products)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons, intent_payload, money, month_day
from actions.orders import VERIFIED_SLOT, ActionOrderStatus, answer_order_clause, own_order
from actions.product import (
    BEYOND_LIST, ActionProductInquiry, ask_which_on_screen, buy_from_screen, buys_in_view, how_many_left,
    picked_on_screen,
    products_on_screen,
    variant_stock,
)
from actions.recommend import ActionRecommend, say_not_carried, typed_category_word
from actions.continuation import last_flow
from assistant.recommendation_requests import asks_for_more, haggles
from assistant.order_matching import GUEST_LOOKUP_YES, ORDER_CARD_TOPICS, asks_arrival, asks_guest_lookup, order_clause
from actions.clarify import owns_order_of
from assistant.typed_answers import asks_how_many, buys_by_place, buys_it, has_ordinal
from actions.support import ShopAction, as_product_id, current_customer_id, db, entity_values, first_entity
from actions.catalogue_cards import show_cards
from assistant.experiment_picks import experiment_variants
from actions.services import SERVICE_TOPICS, answer_service_topics
from assistant import product_facts
from assistant.delivery_quotes import delivery_quote
from assistant.faq import asked_topics, faq_book
from assistant.form_questions import ANYWHERE, question_topics
from assistant.invoices import PROGRESS, asks_invoice_of_order, invoice_question
from assistant.membership import asks_own_level, level_text
from assistant.offer_questions import coupon_unusable, has_offer_for, offer_asked_for
from assistant.purchase_search import listing_with_variant, purchase_search
from shop.db.catalogue import (
    current_promotions, find_products_by_name, get_product_detail, list_customer_coupons,
)
from shop.domain.assortment import gift_recipient
from shop.db.customers import get_customer
from shop.db.orders import get_order_for_guest
from shop.domain.clock import utc_now
from shop.domain.orders import AWAITED
from shop.domain.invoices import invoice_progress, where_to_see
from shop.domain.numbers import whole_number

LIVE_TOPICS = {"coupon", "promotion"}
MENU_TOPICS = ("payment", "instalment", "invoice", "shipping_fee", "delivery_time", "coupon")


def _quantity(tracker: Tracker) -> Optional[int]:
    return whole_number(first_entity(tracker, "quantity"), high=99_999)


async def buy_product(dispatcher: CollectingDispatcher, product_id: int, quantity: int = 1) -> List[Dict[str, Any]]:
    """How to buy this product: its price, whether it is in stock (for ``quantity`` pieces:
    "拍两件"), the ordering steps."""
    product = await db(get_product_detail, product_id)
    if product is None or not product.is_on_sale:
        dispatcher.utter_message(text="抱歉，这款商品已下架或不存在。")
        return []
    how = faq_book().answer("how_to_order")
    stock = "有现货" if product.in_stock else "暂时缺货，可以点「到货通知」"
    if quantity > 1 and product.in_stock:
        stock = (f"有现货，拍 {quantity} 件没问题" if product.total_stock >= quantity else
                 f"目前只剩 {product.total_stock} 件，不够 {quantity} 件，可以先拍 {product.total_stock} 件或换个颜色/规格")
    dispatcher.utter_message(text=f"【{product.title}】{money(product.price)}，{stock}。")
    if how and product.in_stock:
        dispatcher.utter_message(text=how.pick())
    return [SlotSet("product_id", str(product.id))]


async def categories_in_view(tracker: Tracker) -> tuple:
    """The categories of the product just shown ("能自提吗" after an air conditioner: 空调, for
    the policy's yes/no on that case), else ()."""
    in_view = as_product_id(tracker.get_slot("product_id"))
    if in_view is None or last_flow(tracker) != "action_product_inquiry":
        return ()
    product = await db(get_product_detail, in_view)
    return tuple(product.category_path) if product is not None else ()


HAGGLE_REPLY = "价格是系统统一定的，客服这边没法单独改价哦～不过下单时这些优惠可以用上："


async def answer_haggle(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """"能便宜点吗" about a product: the price is not negotiated; the offers that lower it."""
    dispatcher.utter_message(text=HAGGLE_REPLY)
    await ActionPurchaseHelp().live_offers(dispatcher, tracker)
    return []


class ActionPurchaseHelp(ShopAction):
    def name(self) -> str:
        return "action_purchase_help"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        topics = asked_topics(text, entity_values(tracker, "topic"))
        quantity = _quantity(tracker)
        book = faq_book()
        if asks_for_more(text) and not first_entity(tracker, "product") and last_flow(tracker) == "action_recommend":
            # "还有吗" right after a list of recommendations: the next page, not stock.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if product_facts.size_step(text) and last_flow(tracker) == "action_product_inquiry":
            # "大一码的有吗" / "大半码的呢" right after a size's stock (read as a purchase question):
            # the next size of that product.
            return await ActionProductInquiry().handle(dispatcher, tracker, domain)
        if haggles(text) and not first_entity(tracker, "category") and last_flow(tracker) == "action_product_inquiry":
            # "可以打折吗" about the product in view (read as a promotion question): its price is
            # not negotiated, and the offers that lower it — the recommend flow's haggle answer.
            return await answer_haggle(dispatcher, tracker)
        if buys_by_place(text) and not first_entity(tracker, "product"):
            # "第二个怎么买" after a list: that product's price and ordering steps, not only the
            # general how-to-order answer its topic would give.
            bought = await buy_from_screen(dispatcher, tracker)
            if bought is not None:
                return bought
        if asks_guest_lookup(text):
            # "没登录能查订单吗": yes — and the look-up asks for what it needs (signed in: the orders).
            dispatcher.utter_message(text=GUEST_LOOKUP_YES)
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if asks_invoice_of_order(text, topics, bool(first_entity(tracker, "order_no"))):
            # "订单X能开发票吗": that order (the shopper's own), then how its invoice is had.
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if asks_arrival(text) and await owns_order_of(tracker, text, AWAITED):
            # "牛奶今天能到吗" read as a delivery question before buying: a signed-in shopper with
            # a milk order still on its way asks about that order (the labelling guide's "has the
            # shopper already ordered?", answered from the orders instead of the words).
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        bought = await buys_in_view(dispatcher, tracker)
        if bought is not None:
            # "那就买这个" / "改成两件" after a product's details: how to buy that product, named.
            return bought
        answered = services_answered = await answer_service_topics(dispatcher, tracker, topics)
        slot_events: List[Dict[str, Any]] = []
        progress = False

        if "stock" in topics or quantity or first_entity(tracker, "size"):
            # "Pegasus 40 有42码吗": a size (storage) asked for is a stock question too.
            stocked = await self._stock(dispatcher, tracker, quantity)
            if stocked is not None:
                answered, slot_events = True, stocked
        asked_for = offer_asked_for(text) if LIVE_TOPICS & set(topics) else None
        if asked_for is not None:
            # "有没有学生优惠": whether there is one, said plainly, then what everyone gets.
            await self._offer_for(dispatcher, tracker, *asked_for)
            topics = [t for t in topics if t not in LIVE_TOPICS]
            answered = True
        if "coupon" in topics and coupon_unusable(text):
            # "优惠券怎么用不了": why a coupon is refused, and the shopper's own coupons to check
            # against it — not the general coupon text, the promotions, nor a product's manual.
            reasons = book.answer("coupon_unusable")
            if reasons:
                dispatcher.utter_message(text=reasons.pick())
            await self._own_coupons(dispatcher, tracker)
            topics = [t for t in topics if t not in LIVE_TOPICS and t != "usage"]
            answered = True
        # "耳机到哪了 顺便问下能开发票吗": the order clause is answered with the order itself, so
        # the general text of where a parcel is ("告诉我订单号…") is not said before it.
        carded = ORDER_CARD_TOPICS | {"delivery_time"} if order_clause(text) is not None else frozenset()
        for topic in topics:
            if topic in carded:
                answered = True         # by the order's card, below
                continue
            if topic == "stock" or (services_answered and topic in SERVICE_TOPICS):
                continue
            if topic == "invoice" and invoice_question(text) == PROGRESS:
                progress = answered = True      # answered below, after the order asked about
                continue
            quote = delivery_quote(text, utc_now()) if topic == "delivery_time" else None
            if quote:
                # "今天下单明天能到上海吗": the estimate to that city, not only the general rule.
                dispatcher.utter_message(text=quote)
                answered = True
                continue
            if topic == "membership" and asks_own_level(text):
                # "我现在是什么会员啊": whose level it is, then the levels' rules.
                customer_id = current_customer_id(tracker)
                customer = await db(get_customer, customer_id) if customer_id is not None else None
                dispatcher.utter_message(text=level_text(customer.member_level if customer else None,
                                                         customer_id is not None))
            policy = book.answer(topic)
            if policy:
                about = await categories_in_view(tracker) if policy.verdicts else ()
                dispatcher.utter_message(text=policy.for_question(text, about=about))
                answered = True
            if topic in LIVE_TOPICS:
                await self.live_offers(dispatcher, tracker)
                answered = True
        if answered:
            # "运费多少？我的耳机发货了吗": the order question too.
            events = slot_events + await answer_order_clause(dispatcher, tracker)
            if progress:
                # "耳机到了吗？另外发票开好了吗": the invoice of the order just shown.
                shown = next((e.get("value") for e in events if e.get("name") == "order_no" and e.get("value")), None)
                await self._invoice_progress(dispatcher, tracker, shown or tracker.get_slot("order_no"))
            return events
        if say_not_carried(dispatcher, text, {"category": first_entity(tracker, "category"),
                                              "product": first_entity(tracker, "product")}):
            return []

        bought = await buy_from_screen(dispatcher, tracker)
        if bought is not None:
            # "那就买华为吧" after a comparison or a list: that product's ordering steps.
            return bought
        # "我想买X": no policy topic, but a product, brand or category → matching products.
        mention = first_entity(tracker, "product")
        brand, category = first_entity(tracker, "brand"), first_entity(tracker, "category")
        if (category or brand) and not mention and gift_recipient(text):
            # "想买个手机送爸妈": a gift for someone is a recommendation (its list is refined by
            # "要大屏的" next), not a plain search.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if category and not (mention or brand) and typed_category_word(tracker.latest_message or {}, category):
            # "我想买个眉笔": a kind narrower than the category read; what the shop has of that
            # kind, or plainly that it has none (the recommendation's rule).
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if mention or brand or category:
            colour, size = first_entity(tracker, "color"), first_entity(tracker, "size")
            products, reasons, title = await db(purchase_search, mention, brand, category, colour, size, text=text)
            if products:
                # Cards shown like a recommendation's: logged as exposures of the shopper's
                # variants (the experiments and the funnel count them; buying names them).
                customer_id = current_customer_id(tracker)
                variants = await db(experiment_variants, customer_id, tracker.sender_id)
                await show_cards(dispatcher, tracker, variants, customer_id, products, title, reasons)
                return [SlotSet("product_id", str(products[0].id))] if len(products) == 1 else []
            dispatcher.utter_message(text="暂时没有找到相关商品，可以换个说法或告诉我品牌和型号吗？")
            return []

        in_view = as_product_id(tracker.get_slot("product_id"))
        if in_view is not None and last_flow(tracker) == "action_product_inquiry":
            product = await db(get_product_detail, in_view)
            asked = product_facts.variant_fragment(product, text) if product is not None else None
            if asked:
                # "那42呢" after the stock of a size (a colour, a storage): that one's stock, on
                # the same model's listing that has it when the one in view does not.
                siblings = await db(find_products_by_name, product.model, limit=10)
                other = await db(listing_with_variant, [product.id] + [m.id for m in siblings if m.id != product.id], asked)
                product = other[0] if other else product
                wanted = product_facts.wanted_variant(product, asked)
                dispatcher.utter_message(text=variant_stock(product, product_facts.match_variant(product, wanted)))
                return [SlotSet("product_id", str(product.id))]

        product_id = as_product_id(first_entity(tracker, "product_id"))
        if product_id is None and buys_it(text):
            # "我要买" with a product in view: that product.
            product_id = as_product_id(tracker.get_slot("product_id"))
        if product_id is not None:
            return await buy_product(dispatcher, product_id)

        named = [a for a in (book.answer(t) for t in question_topics(text, (), ANYWHERE)) if a is not None]
        if named:
            # "周末发货吗": the words name the topic the NLU left untagged.
            for answer in named:
                dispatcher.utter_message(text=answer.for_question(text))
            return []
        dispatcher.utter_message(
            text="购买相关的问题我都可以解答，您想了解哪一项？",
            buttons=buttons(
                (book.answer(t).title, intent_payload("purchase", topic=t)) for t in MENU_TOPICS if book.answer(t)
            ),
        )
        return []

    async def _invoice_progress(self, dispatcher: CollectingDispatcher, tracker: Tracker, order_no: Any) -> None:
        """"发票开好了吗": where the invoice of the signed-in shopper's order in view stands, by the
        order's state (the shop keeps no invoice records, so never "it was issued"); with no
        order in view (a guest, or nothing shown yet), where to see it and how to ask."""
        customer_id = current_customer_id(tracker)
        order = await own_order(customer_id, order_no)
        proved_no, _, suffix = str(tracker.get_slot(VERIFIED_SLOT) or "").partition(":")
        if customer_id is None and proved_no and suffix and str(order_no or proved_no) == proved_no:
            # A guest's order proved in this conversation (number + phone digits): read again.
            order = await db(get_order_for_guest, proved_no, suffix)
        if order is None:
            dispatcher.utter_message(text=where_to_see(customer_id is not None))
        else:
            dispatcher.utter_message(text=invoice_progress(order.order_no, order.status))

    async def _stock(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     quantity: Optional[int]) -> Optional[List[Dict[str, Any]]]:
        """The stock answer's events (the product answered about comes into view, so "有几个颜色"
        next is about it); None when no product is known to answer about."""
        product_id = as_product_id(first_entity(tracker, "product_id"))
        mention = first_entity(tracker, "product")
        text = (tracker.latest_message or {}).get("text") or ""
        if product_id is None and not mention and has_ordinal(text):
            # "第二个有货吗" (also after a goodbye: "刚才第二个耳机还有货吗"): the product picked
            # from the list on screen.
            product_id = picked_on_screen(dispatcher, tracker, text)
            if product_id == BEYOND_LIST:
                return []
        if product_id is None and not mention and last_flow(tracker) == "action_recommend":
            on_screen = products_on_screen(tracker)
            if len(on_screen) > 1:
                # "有货吗" right after a list: which of those shown, not the product seen before it.
                return ask_which_on_screen(dispatcher, on_screen)
        if product_id is None and mention:
            matches = await db(find_products_by_name, mention, limit=5)
            if len({m.model for m in matches}) == 1 and len(matches) > 1:
                # One model sold as several listings: the one that has the variant asked for.
                matches = await db(listing_with_variant, [m.id for m in matches], text) or matches
            product_id = matches[0].id if matches else None
        if product_id is None:
            product_id = as_product_id(tracker.get_slot("product_id"))
        if product_id is None:
            return None
        product = await db(get_product_detail, product_id)
        if product is None:
            return None
        in_view = [SlotSet("product_id", str(product.id))]
        variant = product_facts.wanted_variant(product, text)
        if variant and not quantity:
            # "iPhone 15 Pro Max 256GB 有货吗": the stock of that variant, not of the product.
            dispatcher.utter_message(text=variant_stock(product, product_facts.match_variant(product, variant)))
            return in_view
        if not quantity and asks_how_many(text):
            dispatcher.utter_message(text=how_many_left(product, _variant_asked_before(product, tracker)))
            return in_view
        wanted = quantity or 1
        available = product.total_stock
        if available >= wanted:
            text = f"【{product.title}】目前有货，买 {wanted} 件没问题。"
        elif available > 0:
            text = f"【{product.title}】目前只剩 {available} 件，不够 {wanted} 件哦，可以先拍 {available} 件或换个颜色/规格。"
        else:
            text = f"【{product.title}】暂时缺货，到货后可以第一时间通知您。"
        dispatcher.utter_message(text=text)
        return in_view

    async def _offer_for(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: str, noun: str) -> None:
        now = utc_now()
        promotions = await db(current_promotions, now, limit=5)
        customer_id = current_customer_id(tracker)
        coupons = await db(list_customer_coupons, customer_id, now) if customer_id is not None else []
        policies = [faq_book().answer(t) for t in ("promotion", "coupon", "membership")]
        words = [f"{p.title} {p.description}" for p in promotions] + [c.title for c in coupons]
        matching = [p for p in promotions if has_offer_for(who, [f"{p.title} {p.description}"])]
        if matching:
            lines = [f"· {p.title}（{month_day(p.ends_at)}截止）：{p.description}" for p in matching]
            dispatcher.utter_message(text=f"有的，和“{who}”相关的活动：\n" + "\n".join(lines))
            return
        if has_offer_for(who, words + [a.pick() for a in policies if a]):
            await self.live_offers(dispatcher, tracker)
            return
        brief = "\n".join(f"· {p.title}（{month_day(p.ends_at)}截止）" for p in promotions)
        text = f"目前本店没有{who}专属的{noun}。"
        if brief:
            text += f"现在人人都能参加的活动有：\n{brief}"
        if coupons:
            text += f"\n您的账户里还有 {len(coupons)} 张可用优惠券，下单时满足门槛会自动抵扣。"
        dispatcher.utter_message(text=text)

    async def live_offers(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        now = utc_now()
        promotions = await db(current_promotions, now, limit=5)
        if promotions:
            lines = [f"· {p.title}（{month_day(p.ends_at)}截止）：{p.description}" for p in promotions]
            dispatcher.utter_message(text="正在进行的活动：\n" + "\n".join(lines))
        await self._own_coupons(dispatcher, tracker)

    async def _own_coupons(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """The signed-in shopper's usable coupons, with threshold and expiry (nothing for a guest)."""
        customer_id = current_customer_id(tracker)
        if customer_id is not None:
            coupons = await db(list_customer_coupons, customer_id, utc_now())
            if coupons:
                lines = [f"· {c.title}：满{money(c.threshold)}减{money(c.discount)}，{month_day(c.valid_to)}前有效" for c in coupons[:5]]
                dispatcher.utter_message(text="您账户里可用的优惠券：\n" + "\n".join(lines))
            else:
                dispatcher.utter_message(text="您的账户里暂时没有可用的优惠券。")


# How far back "还有几件" looks for the variant it is about ("雪山粉的有货吗" just before).
VARIANT_LOOKBACK = 3


def _variant_asked_before(product: Any, tracker: Tracker) -> Optional[product_facts.VariantMatch]:
    """The variant of ``product`` named in one of the shopper's last messages, if any."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-1 - VARIANT_LOOKBACK:-1]
    for text in reversed(said):
        wanted = product_facts.wanted_variant(product, text)
        if wanted:
            return product_facts.match_variant(product, wanted)
    return None
