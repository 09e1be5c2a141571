"""产品咨询: price, stock, colours and sizes, specs, size advice and comparisons, read from
the catalogue at the time of asking. The product comes from the message, from a button, or
from the conversation's context ("这款", "它")."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import buttons, intent_payload, join_values, money, stock_phrase
from actions.offers import OFFER_HANDOFF, OFFER_RECOMMEND, offer
from actions.orders import ActionOrderStatus
from assistant.order_matching import ORDER_ONLY_TOPICS
from actions.recommend import ActionRecommend, list_refinement, say_not_carried, screen_size_typed
from actions.support import ShopAction, as_product_id, db, entity_values, first_entity
from assistant import product_facts as facts
from assistant.faq import answers_asked_together, faq_book
from assistant.bought import changes_quantity, decides_to_buy, quantity_decided
from assistant.follow_up import is_choice
from assistant.product_questions import (
    asks_colour_options, compared_name, compares_with_in_view, weighs_two, fit_unknown_reply, fits_with_asked, is_bare_question, unknown_question, unknown_reply,
)
from assistant.purchase_search import listing_with_variant
from assistant.typed_answers import (
    asks_about_two_unnamed, asks_these_two, buys_by_place, buys_it, buys_named, choice_index, has_ordinal, ordinal_beyond, these_two,
    two_choices, two_in_play,
)
from assistant.typed_answers import products_on_screen as listed_products
from shop.db.catalogue import find_products_by_name, get_product_detail
from shop.db.records import ProductDetail

MAX_CHOICES = 5
FAQ_TOPICS = ("authenticity", "warranty", "usage")


def price_and_stock(product: ProductDetail) -> str:
    price = f"现价 {money(product.price)}"
    if product.original_price and product.original_price > product.price:
        price += f"（原价 {money(product.original_price)}）"
    lines = [f"【{product.title}】", price + f"，{stock_phrase(product.total_stock)}。"]
    colours = facts.in_stock_values(product, facts.COLOUR)
    if colours:
        lines.append(f"有货颜色：{join_values(colours)}。")
    sizes = facts.in_stock_values(product, facts.SIZE)
    if sizes:
        lines.append(f"有货尺码：{join_values(sizes, limit=10)}。")
    return "\n".join(lines)


def how_many_left(product: ProductDetail, match: Optional[facts.VariantMatch]) -> str:
    """"还有几件" (after "雪山粉的有货吗": of that variant): the count as the stock wording
    gives it (a figure only when few are left, else 现货充足), never a made-up number."""
    if match is None or not match.skus:
        return f"【{product.title}】{stock_phrase(product.total_stock)}。"
    left = sum(s.stock for s in match.skus if s.in_stock)
    return f"【{product.model} {match.asked}】{stock_phrase(left)}。"


def variant_stock(product: ProductDetail, match: facts.VariantMatch) -> str:
    """"iPhone 15 Pro Max 256GB 有货吗": price and stock of that variant, not of the product."""
    if not match.skus:
        listed = "；".join(f"{name}：{'、'.join(values)}" for name, values in match.offered.items() if values)
        return f"【{product.title}】没有 {match.asked} 的款式。这款可选 {listed}。"
    prices = sorted({s.price for s in match.skus})
    price = money(prices[0]) if len(prices) == 1 else f"{money(prices[0])}起"
    head = f"【{product.model} {match.asked}】{price}"
    in_stock = [s.name for s in match.skus if s.in_stock]
    sold_out = [s.name for s in match.skus if not s.in_stock]
    if not in_stock:
        return f"{head}，目前缺货，可以点到货通知，或看看其他规格。"
    if len(match.skus) == 1:
        return f"{head}，{stock_phrase(match.skus[0].stock)}。"
    line = f"{head}。有货：{join_values(in_stock, limit=10)}"
    if sold_out:
        line += f"；暂时缺货：{join_values(sold_out, limit=10)}"
    return line + "。"


def answer(product: ProductDetail, topics: List[str], text: str) -> List[str]:
    """The replies for a product question about ``topics`` (price and stock by default):
    for the variant the shopper named (storage, size, colour) when they named one, and the
    aspect they asked about ("续航多久") when the catalogue has it."""
    replies: List[str] = []
    aspect_lines, missing = facts.aspect_answers(product, text)
    if aspect_lines:
        replies.append(f"【{product.title}】" + "；".join(aspect_lines) + "。")
    wanted = facts.wanted_variant(product, text)
    if facts.asks_size_advice(text, topics):
        replies.append(f"【{product.title}】" + facts.size_advice(product, text).text)
    if ("spec" in topics or "material" in topics or "compatibility" in topics) and not (aspect_lines or missing):
        replies.append(f"【{product.title}】参数：\n" + "\n".join(facts.spec_lines(product)))
    if "color_options" in topics and facts.COLOUR not in (wanted or {}):
        # "有白色吗": the variant answer below already says which colours there are.
        colours = facts.options(product, facts.COLOUR)
        listed = "、".join(f"{c}{'' if n > 0 else '(缺货)'}" for c, n in colours) or "只有一种颜色"
        replies.append(f"【{product.title}】颜色：{listed}。")
    for topic in FAQ_TOPICS:
        policy = faq_book().answer(topic) if topic in topics else None
        if policy:
            replies.append(policy.for_question(text))
    if wanted:
        replies.insert(0, variant_stock(product, facts.match_variant(product, wanted)))
    elif (not replies and not missing) or "price" in topics or "stock" in topics:
        replies.insert(0, price_and_stock(product))
    if missing:
        replies.append(missing_aspects_reply(missing))
    return replies


def earlier_texts(tracker: Tracker) -> List[str]:
    """The shopper's earlier messages, latest first, since the conversation (re)started."""
    said = [event.get("text") or "" for event in _since_start(tracker.events or []) if event.get("event") == "user"]
    return [text for text in reversed(said[:-1]) if text]


def _since_start(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events after the last restart or new session."""
    starts = [i for i, event in enumerate(events) if event.get("event") in ("restart", "session_started")]
    return events[starts[-1] + 1:] if starts else events


def size_step_reply(product: ProductDetail, step: float, earlier: List[str]) -> Optional[str]:
    """"有没有大一码的" after "有41码吗": the next size up (or down) from the size in play named
    with its stock, not the list of every size; None when no earlier message named a size of
    this product."""
    asked = facts.size_in_play(product, earlier)
    if asked is None:
        return None
    way = "大" if step > 0 else "小"
    half = abs(step) < 1
    target = facts.stepped_size(product, asked, step)
    if target is None:
        listed = "、".join(value for value, _ in facts.options(product, facts.SIZE))
        return f"【{product.title}】{asked}码已经是这款{'最大' if step > 0 else '最小'}的尺码了，没有再{way}{'半' if half else '一'}码的。可选尺码：{listed}。"
    stock = variant_stock(product, facts.match_variant(product, {facts.SIZE: target}))
    if half and not target.endswith(".5"):
        # No half sizes in this listing: the nearest whole size that way, said as such.
        return f"这款只有整码，没有半码。比 {asked}码 {way}一点的话就是{way}一码 {target}码：" + stock
    return f"比 {asked}码 {way}{'半' if half else '一'}码是 {target}码：" + stock


def say_unknown(dispatcher: CollectingDispatcher, question: str, about: str) -> List[Dict[str, Any]]:
    dispatcher.utter_message(text=unknown_reply(question, about), buttons=buttons([("转人工", "/human_handoff")]))
    return [offer(OFFER_HANDOFF)]


def missing_aspects_reply(missing: List[facts.Aspect]) -> str:
    asked = "、".join(aspect.label for aspect in missing)
    return f"商品资料里暂时没有{asked}的具体数据，我不想给您说错。需要的话我帮您转人工客服确认。"


class ActionProductInquiry(ShopAction):
    def name(self) -> str:
        return "action_product_inquiry"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        topics = entity_values(tracker, "topic")
        if asks_colour_options(text) and "color_options" not in topics:
            topics = [*topics, "color_options"]        # "还有别的颜色吗": the NLU may tag no topic
        mentions = entity_values(tracker, "product")

        if "compare" in topics and len(mentions) >= 2:
            return await self._compare(dispatcher, mentions[:2])
        shown_count = len(products_on_screen(tracker))
        pair = (two_choices(text, shown_count) or these_two(text, shown_count)) if (
            weighs_two(text, topics)) else None
        compared = await compare_two_in_play(dispatcher, tracker) if pair is None else None
        if compared is not None:
            return compared
        if pair is None and asks_about_two_unnamed(text, shown_count):
            # "这两个哪个好" after five cards: which two is the shopper's to say, not a guess.
            dispatcher.utter_message(text=which_two_text(products_on_screen(tracker)))
            return []
        if pair is not None:
            # "第二个和第三个哪个好" after a list: those two of the products shown.
            on_screen = products_on_screen(tracker)
            first = await db(get_product_detail, on_screen[pair[0]][1])
            second = await db(get_product_detail, on_screen[pair[1]][1])
            if first is not None and second is not None:
                say_comparison(dispatcher, first, second)
                return []
        in_view = as_product_id(tracker.get_slot("product_id"))
        if in_view is not None and compares_with_in_view(text, topics):
            # "跟荣耀X50比哪个好" with a product on screen: that product against the one named.
            named = mentions[0] if mentions else compared_name(text)
            if named:
                return await compare_in_view(dispatcher, in_view, named)

        product_id = as_product_id(first_entity(tracker, "product_id"))
        fitted = await fit_with_in_view(dispatcher, tracker) if product_id is None else None
        if fitted is not None:
            return fitted
        bought = await buys_in_view(dispatcher, tracker) if product_id is None else None
        if bought is not None:
            # "买两个" after the product's details: how to buy two of it, not its card again.
            return bought
        if product_id is None and ORDER_ONLY_TOPICS & set(topics):
            # "手机和充电器是分开发的吗": how the shopper's order ships (the order named by its
            # goods, and the split-parcel rule), not a list of phones.
            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if product_id is None:
            bought = await buy_from_screen(dispatcher, tracker)
            if bought is not None:
                return bought
        if product_id is None and (is_choice(text) or (has_ordinal(text) and not mentions)):
            # (Also "第二个色号有哪些": a place in the list with a question about it.)
            # "第二个" / "充电器那个": the product picked from the list on screen.
            product_id = picked_on_screen(dispatcher, tracker, text)
            if product_id == BEYOND_LIST:
                return []
        together = answers_asked_together(text, topics) if product_id is None else []
        if together:
            # "你们是正品吗？另外多久发货": the shop's policies, each question answered (the
            # second may be a purchase one), as the clarifying action answers them.
            for policy in together:
                dispatcher.utter_message(text=policy.for_question(text))
            return []
        only_policy = bool(topics) and set(topics) <= set(FAQ_TOPICS)
        if product_id is None and (not mentions and in_view is None or only_policy):
            # "你们是正品吗", "你们这个AirPods是正品吗": the shop's policy, the same for every
            # listing (no choice of listings first).
            policies = [faq_book().answer(t) for t in FAQ_TOPICS if t in topics]
            policies = [p for p in policies if p]
            if policies:
                for policy in policies:
                    dispatcher.utter_message(text=policy.for_question(text))
                return []
        if product_id is None and not mentions:
            # "这款多少钱" / "它有什么颜色": the product in context.
            product_id = as_product_id(tracker.get_slot("product_id"))
        entities = (tracker.latest_message or {}).get("entities") or []
        question = unknown_question(text, entities, topics, bool(facts.asked_aspects(text)))
        on_screen = products_on_screen(tracker) if product_id is None and not mentions else []
        if on_screen and not first_entity(tracker, "reference") and await list_refinement(tracker):
            # "有没有降噪的" after a list of earphones: the list narrowed to that quality.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if on_screen and not first_entity(tracker, "size") and screen_size_typed(tracker):
            # "有55的吗" after a list of 75-inch TVs: that screen size of the list, not a question
            # the catalogue has no record of.
            return await ActionRecommend().handle(dispatcher, tracker, domain)
        if on_screen and question:
            # "这个鞋子会不会磨脚" after a list: about the list shown, which has no such record.
            return say_unknown(dispatcher, question, "刚才为您列出的这几款")
        # "多少钱" on its own after a list: a bare question about one of those shown too.
        bare_question = bool(topics) and is_bare_question(text)
        if len(on_screen) > 1 and (first_entity(tracker, "reference") or bare_question):
            # "这个能用多久" after a list: which of the products shown, not a search for the words.
            return ask_which_on_screen(dispatcher, on_screen)
        if len(on_screen) == 1 and first_entity(tracker, "reference"):
            product_id = on_screen[0][1]
        if (product_id is None and not mentions and not on_screen and first_entity(tracker, "reference")
                and not first_entity(tracker, "category") and not first_entity(tracker, "brand")):
            # "这款有黑色吗" with no product in view: which one — not products that merely say 黑色.
            dispatcher.utter_message(text="您问的是哪一款商品呢？发我商品名称或型号（比如“iPhone 15”），"
                                          "或者先让我为您推荐几款。")
            return []
        if product_id is None and not mentions:
            if say_not_carried(dispatcher, text, {"category": first_entity(tracker, "category")}):
                return []
            if first_entity(tracker, "category") and not first_entity(tracker, "reference") and any(
                    first_entity(tracker, name) for name in ("size", "color", "budget_min", "budget_max")):
                # "有没有42码的跑步鞋": a kind of product with a size (colour, budget), not one
                # product — recommendations in that category that have it.
                return await ActionRecommend().handle(dispatcher, tracker, domain)
        if product_id is None and not mentions and "size_advice" in topics:
            # "我175 140斤 穿什么码" with no product in view: sizes differ by listing — which one,
            # never "没有找到您说的这款商品" for a body measure searched as a product name.
            dispatcher.utter_message(text="不同商品的尺码不太一样，您想看哪一款呢？发我商品名称（比如“ONLY碎花连衣裙”），"
                                          "我按您说的身高体重帮您对照它的尺码。")
            return []
        if product_id is None:
            query = mentions[0] if mentions else text
            matches = await db(find_products_by_name, query, limit=MAX_CHOICES)
            if not matches and not mentions and first_entity(tracker, "category"):
                # "有没有卖猫粮的": a kind of product the shop sells — what it has of it.
                return await ActionRecommend().handle(dispatcher, tracker, domain)
            if not matches:
                dispatcher.utter_message(text="抱歉，没有找到您说的这款商品。可以告诉我更完整的商品名称或型号吗？")
                return []
            named = [m for m in matches if m.title in text]
            if named:
                matches = named[:1]
            distinct_models = {m.model for m in matches}
            if len(matches) > 1 and len(distinct_models) == 1:
                # One model sold as several listings: the one that has the variant asked for.
                matches = await db(listing_with_variant, [m.id for m in matches], text) or matches
            if len(matches) > 1 and (not mentions or len(distinct_models) > 1):
                dispatcher.utter_message(
                    text="找到了几款相关商品，您想了解哪一款？",
                    buttons=buttons(
                        (f"{m.title[:30]} {money(m.price)}", intent_payload("product_inquiry", product_id=m.id))
                        for m in matches
                    ),
                )
                return []
            product_id = matches[0].id

        product = await db(get_product_detail, product_id)
        if product is None or not product.is_on_sale:
            dispatcher.utter_message(text="抱歉，这款商品已下架或不存在，需要我帮您推荐类似的吗？")
            return [SlotSet("product_id", None), offer(OFFER_RECOMMEND)]
        step = facts.size_step(text)
        if step and facts.SIZE not in facts.wanted_variant(product, text):
            # ("大一码的有吗" before the unknown-question check: it is a size, not a fact we lack.)
            stepped = size_step_reply(product, step, earlier_texts(tracker))
            if stepped:
                dispatcher.utter_message(text=stepped)
                return [SlotSet("product_id", str(product.id))]
        if question and not facts.wanted_variant(product, text):
            return [*say_unknown(dispatcher, question, f"【{product.title}】"), SlotSet("product_id", str(product.id))]
        wanted = facts.wanted_variant(product, text)
        if wanted and not any(s.in_stock for s in facts.match_variant(product, wanted).skus):
            # "有白色吗" about a listing of iPhone 15 that has none: the same model's listing
            # that has it in stock, said as such.
            siblings = await db(find_products_by_name, product.model, limit=MAX_CHOICES * 2)
            other = await db(listing_with_variant, [m.id for m in siblings if m.id != product.id], text)
            if other:
                dispatcher.utter_message(text=f"这个链接（{product.title}）没有{facts.match_variant(product, wanted).asked}，"
                                              "同款的另一个链接有：")
                product = other[0]
        replies = answer(product, topics, text)
        for reply in replies[:-1]:
            dispatcher.utter_message(text=reply)
        if facts.aspect_answers(product, text)[1]:
            # Something the catalogue cannot answer: offer a person who can.
            dispatcher.utter_message(text=replies[-1], buttons=buttons([("转人工", "/human_handoff")]))
        else:
            dispatcher.utter_message(text=replies[-1])
        return [SlotSet("product_id", str(product.id))]

    async def _compare(self, dispatcher: CollectingDispatcher, mentions: List[str]) -> List[Dict[str, Any]]:
        return await compare_named(dispatcher, mentions)


def cards_on_screen(tracker: Tracker) -> List[Dict[str, Any]]:
    """The product cards of the assistant's last recommendation or list (title, price, rating)."""
    for event in reversed(tracker.events):
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == "product_cards":
            return [card for card in custom.get("products") or [] if isinstance(card, dict)]
    return []


def which_is_better(dispatcher: CollectingDispatcher, cards: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"哪个好" after a list: the best rated and the cheapest of what was shown, and how to pick."""
    rated = max(cards, key=lambda c: float(c.get("rating") or 0))
    cheapest = min(cards, key=lambda c: float(c.get("price") or 0))
    # The best rated may also be the cheapest: said so, not left out.
    best = "评分最高、也最实惠" if cheapest is rated else "评分最高"
    lines = [f"刚才这几款里，{best}的是【{rated.get('title')}】（{float(rated.get('rating') or 0):.1f}分，"
             f"{rated.get('price_text') or money(rated.get('price') or 0)}）"]
    if cheapest is not rated:
        lines.append(f"最实惠的是【{cheapest.get('title')}】（{cheapest.get('price_text') or money(cheapest.get('price') or 0)}）")
    dispatcher.utter_message(text="；".join(lines) + "。想细看哪一款，说“第二个”或商品名就行，也可以告诉我预算和用途，我再帮您挑。")
    return []


def viewed_since_list(tracker: Tracker) -> List[int]:
    """The products the shopper looked at one by one (the product in view, each time it was
    set) since the assistant's last list of products, in the order looked at."""
    viewed: List[int] = []
    for event in _since_start(tracker.events or []):
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == "product_cards":
            viewed = []
        elif event.get("event") == "slot" and event.get("name") == "product_id":
            product_id = as_product_id(event.get("value"))
            if product_id is not None:
                viewed.append(product_id)
    return viewed


async def compare_two_in_play(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """"这两个哪个好" after the shopper looked at two products ("第一个", then "第三个"; or
    "小米14多少钱", then "iPhone 15呢"): those two compared on price and key facts; None when
    the message does not ask so or fewer than two were looked at."""
    text = (tracker.latest_message or {}).get("text") or ""
    pair = two_in_play(viewed_since_list(tracker)) if asks_these_two(text) else None
    if pair is None:
        return None
    first, second = await db(get_product_detail, pair[0]), await db(get_product_detail, pair[1])
    if first is None or second is None:
        return None
    say_comparison(dispatcher, first, second)
    return []


def ask_which_on_screen(dispatcher: CollectingDispatcher, on_screen: List[tuple]) -> List[Dict[str, Any]]:
    """A bare question after a list ("多少钱", "有货吗"): which of the products shown."""
    dispatcher.utter_message(
        text="您问的是刚才列出的哪一款？可以说“第二个”或商品名，也可以点一下：",
        buttons=buttons((title[:30], intent_payload("product_inquiry", product_id=pid)) for title, pid in on_screen),
    )
    return []


# What ``picked_on_screen`` returns when it answered that the list has no such place.
BEYOND_LIST = -1


def picked_on_screen(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Optional[int]:
    """The product "第二个" / "充电器那个" picks from the list on screen; ``BEYOND_LIST`` when
    the place asked for is past the end of the list ("第二个多少钱" after one card: said so, with
    the list's products to pick from); None when it picks nothing."""
    on_screen = products_on_screen(tracker)
    picked = choice_index(text, [title for title, _ in on_screen])
    if picked is not None:
        return on_screen[picked][1]
    beyond = ordinal_beyond(text, len(on_screen))
    if beyond is None:
        return None
    dispatcher.utter_message(
        text=f"刚才只列出了 {len(on_screen)} 款，没有第{beyond}个哦。您问的是这{'款' if len(on_screen) == 1 else '几款'}吗？",
        buttons=buttons((title[:30], intent_payload("product_inquiry", product_id=pid)) for title, pid in on_screen),
    )
    return BEYOND_LIST


async def buy_from_screen(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """"那就买小米吧" / "第二个怎么买" after a comparison or a list: how to buy the product on
    screen that the words or the place name; None when the message buys nothing named there."""
    text = (tracker.latest_message or {}).get("text") or ""
    named = buys_named(text) if not buys_it(text) else None
    if buys_by_place(text):
        named = text        # "第二个怎么买": the place picks (choice_index reads the ordinal)
    if not named or len(named) < 2:
        return None
    on_screen = products_on_screen(tracker)
    picked = choice_index(named, [title for title, _ in on_screen]) if on_screen else None
    if picked is None:
        return None
    from actions.purchase import buy_product  # actions.purchase builds on this module

    return await buy_product(dispatcher, on_screen[picked][1])


async def fit_with_in_view(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """"能连iPhone吗" / "能用20W的充电头吗" right after a product was shown: whether that product
    goes with the thing named — which its record does not say: said so, with its specs and a
    person offered, never the named thing's listings instead. None when the message asks no such
    thing (no product or category named, or no product in view)."""
    from actions.continuation import last_flow  # it routes to this module's action

    text = (tracker.latest_message or {}).get("text") or ""
    in_view = as_product_id(tracker.get_slot("product_id"))
    named = first_entity(tracker, "product") or first_entity(tracker, "category") or first_entity(tracker, "brand")
    if in_view is None or not (named or "compatibility" in entity_values(tracker, "topic")):
        return None
    other = fits_with_asked(text)
    if other is None or last_flow(tracker) != "action_product_inquiry":
        return None
    product = await db(get_product_detail, in_view)
    if product is None:
        return None
    specs = "\n".join(facts.spec_lines(product))
    dispatcher.utter_message(text=fit_unknown_reply(product.title, other) + (f"\n它的参数：\n{specs}" if specs else ""),
                             buttons=buttons([("转人工", "/human_handoff")]))
    return [offer(OFFER_HANDOFF), SlotSet("product_id", str(product.id))]


async def buys_in_view(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """"买两个" / "算了改成一个吧" right after a product was shown or its buying steps given
    (whatever the NLU made of the words: a bare detail, an order question): how to buy that
    many of it; None when the message buys nothing or no product is in view."""
    from actions.continuation import last_flow  # it routes to this module's action
    from actions.purchase import buy_product  # actions.purchase builds on this module

    text = (tracker.latest_message or {}).get("text") or ""
    in_view = as_product_id(tracker.get_slot("product_id"))
    if (in_view is None or first_entity(tracker, "product") or not (decides_to_buy(text) or changes_quantity(text))
            or last_flow(tracker) != "action_product_inquiry"):
        return None
    quantity = quantity_decided(text)
    if changes_quantity(text):
        dispatcher.utter_message(text=f"好的，改成买 {quantity} 件，下单时在商品页把数量选成 {quantity} 就行：")
    return await buy_product(dispatcher, in_view, quantity)


def cheapest_shown(dispatcher: CollectingDispatcher, cards: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"最便宜的是哪个" after a list: the cheapest card shown, and how to look closer."""
    card = min(cards, key=lambda c: float(c.get("price") or 0))
    place = cards.index(card) + 1
    dispatcher.utter_message(
        text=f"刚才这几款里最便宜的是第{place}个【{card.get('title')}】（{card.get('price_text') or money(card.get('price') or 0)}）。"
             "想看它的详情说“第" + str(place) + "个”就行；想看更便宜的，说“再便宜点”。")
    return []


def products_on_screen(tracker: Tracker) -> List[tuple]:
    """(title, product id) of the products in the assistant's last list, in the order shown
    (``assistant.typed_answers.products_on_screen``)."""
    return listed_products(tracker.events)


def which_two_text(on_screen: List[tuple]) -> str:
    """Asks which two of the list to compare, with the list's titles numbered."""
    lines = [f"{index}. {title[:24]}" for index, (title, _) in enumerate(on_screen, start=1)]
    return ("您想比较刚才推荐的哪两款？告诉我序号就行，比如“第一个和第三个哪个好”。\n" + "\n".join(lines))


async def compare_in_view(dispatcher: CollectingDispatcher, in_view: int, mention: str) -> List[Dict[str, Any]]:
    first = await db(get_product_detail, in_view)
    matches = await db(find_products_by_name, mention, limit=1)
    second = await db(get_product_detail, matches[0].id) if matches else None
    if second is not None and not facts.names_the_product(mention, second):
        second = None   # the search's nearest title is not the product named
    if first is None:
        dispatcher.utter_message(text="您想拿哪两款比较呢？告诉我两款商品的名称或型号就行～")
        return []
    if second is None:
        dispatcher.utter_message(
            text=f"抱歉，本店没有卖“{mention}”，没法和【{first.title}】做对比。"
                 f"想看和它同类的其他商品，跟我说“推荐类似的”就行。")
        return [SlotSet("product_id", str(first.id))]
    if first.id == second.id:
        dispatcher.utter_message(text=f"您正在看的就是【{first.title}】哦，想和哪一款比较呢？")
        return []
    say_comparison(dispatcher, first, second)
    return [SlotSet("product_id", str(first.id))]


def say_comparison(dispatcher: CollectingDispatcher, first: ProductDetail, second: ProductDetail) -> None:
    rows = facts.comparison(first, second)
    lines = [f"【{first.title}】 vs 【{second.title}】"]
    lines += [f"· {aspect}：{a}  |  {b}" for aspect, a, b in rows]
    lines.append(facts.comparison_verdict(first, second))
    dispatcher.utter_message(
        text="\n".join(lines),
        buttons=buttons([
            (f"问问{first.model}", intent_payload("product_inquiry", product_id=first.id)),
            (f"问问{second.model}", intent_payload("product_inquiry", product_id=second.id)),
        ]),
    )


async def compare_named(dispatcher: CollectingDispatcher, mentions: List[str]) -> List[Dict[str, Any]]:
    found: List[Optional[ProductDetail]] = []
    for mention in mentions:
        matches = await db(find_products_by_name, mention, limit=1)
        found.append(await db(get_product_detail, matches[0].id) if matches else None)
    if any(p is None for p in found):
        missing = "、".join(m for m, p in zip(mentions, found) if p is None)
        dispatcher.utter_message(text=f"没有找到“{missing}”，可以告诉我更完整的型号吗？")
        return []
    say_comparison(dispatcher, found[0], found[1])
    return []
