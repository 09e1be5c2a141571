"""商品推荐: product cards from what the shopper said (category, budget, colour, "like this
one"), from their history, and from what similar shoppers bought."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue_cards import show_cards
from actions.formatting import buttons, intent_payload, money
from actions.support import ShopAction, as_product_id, current_customer_id, db, entity_values, first_entity
from assistant.order_matching import mentions_own_purchase
from assistant.product_facts import screen_inches
from assistant.recommendation_requests import (
    BIG_SCREEN, UNLISTED, asks_bigger, asks_other_brand, title_names_inches, category_spelt_out, screens_in_listings, size_facet, size_words, WORD, RecommendationRequest, asks_cheapest_shown, haggles, another_name_for, asked_kind,
    kind_of_list_in_play, unlisted_kind_text, feature_unknown_text, gift_title, kind_missing_text, moves_price_only,
    narrower_word, nearest_priced, nearest_priced_text, negated, next_request, not_carried_text, ranking_asked,
    leaves_out_brand, refinement_words, turned_down_unseen, turns_down_shown, typed_budget, understand,
    word_in_listings,
)
from assistant.experiment_picks import recommend_in_experiments
from assistant.typed_answers import buys_by_place
from shop.domain.assortment import GIFT_IDEAS, not_carried
from shop.domain.colours import same_colour
from shop.db.catalogue import get_product_detail, list_categories

PAGE_SIZE = 5
# Departments offered when "便宜点的" comes with nothing to be cheaper than.
CATEGORY_CHOICES = 6
ENTITY_NAMES = ("category", "brand", "budget_min", "budget_max", "color", "size", "reference")


def _category_typed(message: Dict[str, Any]) -> Optional[str]:
    """The words the shopper typed where the NLU found the category ("卫衣", "跑步鞋"), or None."""
    text = message.get("text") or ""
    span = next((e for e in message.get("entities") or [] if e.get("entity") == "category"
                 and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)), None)
    return text[span["start"]:span["end"]] if span is not None else None


def typed_category_word(message: Dict[str, Any], category: Any) -> Any:
    """"卫衣" read as the 服饰鞋包 department, "口红" read as 彩妆 (see ``narrower_word``)."""
    typed = _category_typed(message)
    if not category or typed is None:
        return None
    return narrower_word(typed, str(category))


async def list_refinement(tracker: Tracker) -> Any:
    """The ranking a short message right after a list of recommendations asks for: a
    quality ("要续航好的") or a word some listing of the category holds ("幼猫吃的"); a kind
    asked for that no listing holds ("要头戴式的": ``UNLISTED`` + the kind); None when the
    message refines no list on screen (whatever the NLU made of it)."""
    from actions.continuation import last_flow  # it routes to this module's action

    request = RecommendationRequest.from_slot(tracker.get_slot("recommendation"))
    if request is None or last_flow(tracker) != "action_recommend":
        return None
    text = (tracker.latest_message or {}).get("text") or ""
    asked = ranking_asked(text)
    if asked:
        return asked
    if asks_bigger(text) and await db(screens_in_listings, request):
        # "要大一点的" after a list of tablets: the bigger screens first.
        return BIG_SCREEN.label
    word = await db(word_in_listings, request, refinement_words(text))
    if word:
        return negated(text[:text.find(word)], WORD + word)
    # "要头戴式的" where no listing says so: said plainly, never a clarifying question or a reset.
    kind = asked_kind(text)
    return UNLISTED + kind if kind else None


def reacts_to_list(tracker: Tracker) -> bool:
    """"第一个不要" / "不要这个牌子" / "太贵了" right after a list of recommendations: the list
    goes on (without what was turned down, or cheaper), whatever the NLU made of the words
    (a "no", an unsure guess)."""
    from actions.continuation import last_flow  # it routes to this module's action

    text = (tracker.latest_message or {}).get("text") or ""
    brands = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "brand"]
    return ((turns_down_shown(text) or moves_price_only(text) or leaves_out_brand(text, brands))
            and last_flow(tracker) == "action_recommend"
            and RecommendationRequest.from_slot(tracker.get_slot("recommendation")) is not None)


def turns_down_brand_in_view(tracker: Tracker) -> bool:
    """"不要这个牌子" / "换个牌子" right after one product was shown (no list): other brands'
    products of its kind, whatever the NLU made of the words (a "no")."""
    from actions.continuation import last_flow  # it routes to this module's action

    text = (tracker.latest_message or {}).get("text") or ""
    return (turns_down_shown(text) and asks_other_brand(text)
            and as_product_id(tracker.get_slot("product_id")) is not None
            and last_flow(tracker) == "action_product_inquiry")


def listed_category(tracker: Tracker) -> Any:
    """The category of the list of recommendations on screen (the last answer), else None."""
    from actions.continuation import last_flow  # it routes to this module's action

    request = RecommendationRequest.from_slot(tracker.get_slot("recommendation"))
    return request.category if request is not None and last_flow(tracker) == "action_recommend" else None


async def spelt_out_category(message: Dict[str, Any], category: Any) -> Any:
    """The category "适合跑步的鞋" spells out around the word typed for ``category`` (跑步鞋),
    else None (see ``category_spelt_out``)."""
    typed = _category_typed(message)
    if not category or typed is None:
        return None
    names = [c.name for c in await db(list_categories)]
    return category_spelt_out(message.get("text") or "", typed, names)


def size_reason(product: Any, size: Any) -> Any:
    """"有43码可选": a listing titled in another size ("安踏 马赫4 黑色 39") that sells the size
    asked for says so on its card."""
    if not size or not getattr(product, "skus", None):
        return None
    facet = size_facet(str(size))
    if not any(s.in_stock and s.attributes.get(facet) == size for s in product.skus):
        return None
    return f"有{size_words(str(size))}可选"


def screen_size_typed(tracker: Tracker) -> Any:
    """"有55的吗" / "要65寸的" right after a list of TVs (titles that name their screen size):
    the screen size typed ("55英寸"), which the NLU leaves untagged without its unit; else None."""
    from actions.product import products_on_screen  # actions.product builds on this module

    if not any(title_names_inches(title) for title, _ in products_on_screen(tracker)):
        return None
    return screen_inches((tracker.latest_message or {}).get("text") or "")


def typed_names(message: Dict[str, Any]) -> List[str]:
    """The words typed for a category or product ("运动鞋"), as the NLU's spans give them."""
    text = message.get("text") or ""
    return [text[e["start"]:e["end"]] for e in message.get("entities") or []
            if e.get("entity") in ("category", "product") and isinstance(e.get("start"), int)
            and isinstance(e.get("end"), int)]


def colour_reason(product: Any, colour: Any) -> Any:
    """"有酒红色": a listing titled in another shade ("…墨绿色 M") that also comes in the colour
    asked for says so on its card."""
    if not colour or not getattr(product, "skus", None):
        return None
    shades = [s.attributes.get("颜色") for s in product.skus if s.in_stock and s.attributes.get("颜色")]
    matching = next((shade for shade in shades if same_colour(str(colour), shade)), None)
    return f"有{matching}可选" if matching else None


def other_colour_reason(product: Any, excluded: Any) -> Any:
    """"有白色可选": a listing titled in a colour turned down ("不要黑色") that also comes in
    another says which, so the card does not look like the colour refused."""
    if not excluded or not getattr(product, "skus", None):
        return None
    title = getattr(product, "title", "") or ""
    if not any(c in title or f"{c[0]}色" in title for c in excluded):
        return None
    shades = [s.attributes.get("颜色") for s in product.skus if s.in_stock and s.attributes.get("颜色")]
    other = next((shade for shade in shades if not any(same_colour(c, shade) for c in excluded)), None)
    return f"有{other}可选" if other else None


def say_not_carried(dispatcher: CollectingDispatcher, text: str, entities: Dict[str, Any]) -> bool:
    """"有卖自行车吗" asked as a purchase or product question: the shop does not sell it, said
    plainly with the nearest categories it does sell. False when the message names no such thing."""
    found = not_carried(text or "")
    if found is None or entities.get("category") or entities.get("product"):
        return False
    dispatcher.utter_message(text=not_carried_text(*found))
    return True


class ActionRecommend(ShopAction):
    def name(self) -> str:
        return "action_recommend"

    async def handle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        message = tracker.latest_message or {}
        if current_customer_id(tracker) is not None and mentions_own_purchase(message.get("text") or ""):
            # "上周买的鞋": an order already placed, not a wish to buy shoes.
            from actions.orders import ActionOrderStatus  # actions.orders imports this module's users

            return await ActionOrderStatus().handle(dispatcher, tracker, domain)
        if haggles(message.get("text") or "") and not entity_values(tracker, "category"):
            from actions.continuation import last_flow  # it routes to this module's action

            if last_flow(tracker) == "action_product_inquiry":
                # "能便宜点吗" about the product in view: no price of its own, the shop's offers.
                from actions.purchase import answer_haggle  # actions.purchase builds on this module

                return await answer_haggle(dispatcher, tracker)
        if buys_by_place(message.get("text") or "") and not entity_values(tracker, "product"):
            # "就第二个吧 怎么买" after a list (read as a wish for recommendations): that product.
            from actions.product import buy_from_screen  # actions.product builds on this module

            bought = await buy_from_screen(dispatcher, tracker)
            if bought is not None:
                return bought
        products_named = entity_values(tracker, "product")
        if "compare" in entity_values(tracker, "topic") and len(products_named) >= 2:
            # "小米14和iphone15哪个好": a comparison of the two named, not a list of anything.
            from actions.product import compare_named  # actions.product builds on this module

            return await compare_named(dispatcher, products_named[:2])
        if "compare" in entity_values(tracker, "topic") and not products_named and not first_entity(tracker, "category"):
            # "哪个好" after a list: which of those shown, not a fresh list of anything.
            from actions.product import cards_on_screen, compare_two_in_play, which_is_better

            compared = await compare_two_in_play(dispatcher, tracker)
            if compared is not None:
                # "这两个哪个好" after looking at two of them: those two.
                return compared

            cards = cards_on_screen(tracker)
            if cards:
                return which_is_better(dispatcher, cards)
        if asks_cheapest_shown(message.get("text") or "") and not first_entity(tracker, "category"):
            # "最便宜的是哪个" after a list: the cheapest of those shown, not a new list.
            from actions.product import cards_on_screen, cheapest_shown

            cards = cards_on_screen(tracker)
            if cards:
                return cheapest_shown(dispatcher, cards)
        entities = {name: first_entity(tracker, name) for name in ENTITY_NAMES}
        keyword = typed_category_word(message, entities.get("category"))
        spelt = await spelt_out_category(message, entities.get("category"))
        if spelt:
            # "有没有适合跑步的鞋": running shoes, not every shoe (high heels among them).
            entities["category"], keyword = spelt, None
        if entities["category"] and kind_of_list_in_play(message.get("text") or "", keyword, entities["category"],
                                                         listed_category(tracker)):
            # "有没有气垫的" after running shoes: a kind of the shoes, not cosmetics.
            entities["category"], keyword = None, None
        if not entities["size"] and listed_category(tracker):
            entities["size"] = screen_size_typed(tracker)
        bare = typed_budget(message.get("text") or "") if not (entities["budget_min"] or entities["budget_max"]) else None
        if bare is not None:
            # "推荐个2000的手机": the NLU tags "2000左右", not a price said bare.
            entities["budget_min"], entities["budget_max"] = bare
        in_context = as_product_id(first_entity(tracker, "product_id")) or as_product_id(tracker.get_slot("product_id"))
        said = understand(message.get("text") or "", entities, in_context,
                          keyword=keyword,
                          brands=entity_values(tracker, "brand"), named=typed_names(message))
        unlisted = None
        if (said.order_by is None and not any(entities.values()) and not (
                said.cheaper or said.pricier or said.more or said.personal or said.gift_for or said.similar_to
                or said.other_brand or said.excluded_brand or said.any_budget)):
            # "幼猫吃的" after a list of cat food: the listings that say so first.
            refinement = await list_refinement(tracker)
            if refinement and refinement.startswith(UNLISTED):
                unlisted = refinement[len(UNLISTED):]
            elif refinement:
                said = replace(said, order_by=refinement)
        if said.not_carried is not None and said.category is None:
            # Say plainly that the shop does not sell it; the old request (phones, say) is over.
            dispatcher.utter_message(text=not_carried_text(*said.not_carried))
            return [SlotSet("recommendation", None)]
        previous = RecommendationRequest.from_slot(tracker.get_slot("recommendation"))
        if ((said.cheaper or said.pricier or said.other_brand) and in_context is not None
                and (previous is None or not (previous.shown_prices or previous.max_price))):
            # "便宜点的" / "换个牌子" before anything was recommended: cheaper (dearer, another
            # brand) than the product in view, in its category.
            product = await db(get_product_detail, in_context)
            if product is not None:
                said = replace(said, reference_price=float(product.price) if (said.cheaper or said.pricier) else None,
                               excluded_brand=product.brand if said.other_brand else said.excluded_brand,
                               other_brand=False,
                               category=said.category or (product.category_path[-1] if product.category_path else None))
        if (said.cheaper or said.pricier or said.other_brand) and said.reference_price is None and not said.category and (
                previous is None or not (previous.shown_prices or previous.max_price)):
            # Nothing to be cheaper than: which kind of product, with a few to choose from.
            departments = [c.name for c in await db(list_categories) if c.level == 1][:CATEGORY_CHOICES]
            dispatcher.utter_message(
                text="还没给您推荐过商品呢～想看哪类商品、预算大概多少？比如“一千以内的耳机”，我按价格帮您挑。",
                buttons=buttons((name, intent_payload("ask_recommendation", category=name)) for name in departments),
            )
            return []
        request = next_request(previous, said)
        unseen = turned_down_unseen(previous, said)
        if unseen:
            # "不要耐克" with no Nike on screen: the list already meets it; the next cards, not
            # the same ones again.
            request = replace(request, shown=previous.shown, shown_prices=previous.shown_prices,
                              shown_brands=previous.shown_brands)
        customer_id = current_customer_id(tracker)

        outcome = await db(recommend_in_experiments, customer_id, tracker.sender_id, request, PAGE_SIZE)
        if not outcome.picks and (said.cheaper or said.pricier) and previous is not None and previous.shown_prices:
            # Nothing cheaper (dearer) than everything shown: below (above) the middle of it.
            request = next_request(previous, said, relaxed=True)
            outcome = await db(recommend_in_experiments, customer_id, tracker.sender_id, request, PAGE_SIZE)
        if not outcome.picks and request.gift_for and not request.shown and not entities["category"]:
            # A gift within a budget: the next idea for the recipient that has something in it
            # (never in place of a kind the shopper named: "送男朋友 买个耳机" stays earphones).
            for category in GIFT_IDEAS.get(request.gift_for, ())[1:]:
                request = replace(request, category=category)
                outcome = await db(recommend_in_experiments, customer_id, tracker.sender_id, request, PAGE_SIZE)
                if outcome.picks:
                    break
        note = None
        other_brand_asked = bool(said.other_brand or said.excluded_brand)
        if (not outcome.picks and request.keyword and request.category and not request.shown
                and not (other_brand_asked and previous is not None and previous.keyword == request.keyword)):
            # (Not when "不要这个牌子" leaves no other brand of the word's kind: rice cookers stay
            # rice cookers, and that there is no other brand is said below.)
            # "口红" / "睫毛膏": nothing titled so; the category's own best, and said plainly
            # when the word was a kind the shop lacks rather than another name of the category.
            broader = replace(request, keyword=None)
            wider = await db(recommend_in_experiments, customer_id, tracker.sender_id, broader, PAGE_SIZE)
            if wider.picks:
                if not another_name_for(request.keyword, request.category):
                    note = kind_missing_text(request.keyword, request.category)
                request, outcome = broader, wider
        unseen_again = bool(unseen and not outcome.picks and request.shown)
        if unseen_again:
            # Nothing else meets it: the list shown is what there is, shown again as such.
            request = replace(request, shown=(), shown_prices=(), shown_brands=())
            outcome = await db(recommend_in_experiments, customer_id, tracker.sender_id, request, PAGE_SIZE)
        if unlisted and not outcome.picks and request.shown:
            # Every listing was shown already: the best of them again, below the plain answer.
            request = replace(request, shown=(), shown_prices=(), shown_brands=())
            outcome = await db(recommend_in_experiments, customer_id, tracker.sender_id, request, PAGE_SIZE)
        if unlisted:
            note = unlisted_kind_text(unlisted, request.keyword or request.category)
        elif outcome.picks and not outcome.ranking_known and request.order_by:
            # "拍照好的手机" where no listing says a word about its camera: said, not guessed.
            note = feature_unknown_text(request.order_by, request.keyword or request.category)
        picks, nearest = outcome.picks, False
        other_brand_in_budget = other_brand_asked and (
            request.min_price is not None or request.max_price is not None)
        if not picks and not request.shown and (said.min_price is not None or said.max_price is not None
                                                or other_brand_in_budget):
            # "一千出头的耳机" where none costs that, or "换个牌子" when no other brand is in the
            # budget: said, with the closest prices of that kind (the brands left out stay out).
            picks = await db(nearest_priced, request, PAGE_SIZE)
            if picks:
                note = nearest_priced_text(request, [product for product, _ in picks])
                nearest = True
        seen_note = f"刚才推荐的几款都不是{'/'.join(unseen)}的～之后也不给您推荐{'/'.join(unseen)}了。" if unseen else ""
        if not picks:
            if unseen:
                text = seen_note + "符合条件的其他商品都已经为您展示过啦，可以换个预算、颜色或品类再看看～"
            elif said.cheaper and previous is not None and previous.shown_prices:
                # "再便宜点" after the cheapest were shown: they are the cheapest, said so.
                text = (f"刚才那几款已经是最实惠的了（最低{money(min(previous.shown_prices))}），"
                        "可以换个品牌、颜色或品类再看看～")
            elif other_brand_asked and request.exclude_brands and not request.shown:
                text = (f"除了{'、'.join(request.exclude_brands)}，店里暂时没有其他牌子的{request.keyword or request.category}了。"
                        "可以再看看刚才那几款，或者换个品类～")
            elif request.shown:
                text = "符合条件的商品都已经为您展示过啦，可以换个预算、颜色或品类再看看～"
            else:
                wanted = request.describe()
                text = f"暂时没有找到{('“' + wanted + '”的') if wanted else ''}在售商品，要不要放宽一下预算或换个品类？"
            dispatcher.utter_message(text=text)
            return [SlotSet("recommendation", request.to_slot())]

        described = request.describe()
        title = f"为您推荐{('（' + described + '）') if described else ''}："
        if nearest:
            title = f"价格最接近的{request.keyword or request.category}："

        if request.gift_for and not nearest:
            title = gift_title(request) + title
        products = [product for product, _ in picks]
        reasons = {p.id: colour_reason(p, request.colour) or other_colour_reason(p, request.exclude_colours)
                   or size_reason(p, request.size) or reason for p, reason in picks}
        if unseen and not note:
            note = seen_note + ("符合条件的就是这几款：" if unseen_again else "再给您看几款：")
        if note:
            dispatcher.utter_message(text=note)
        # Whichever search found them (the nearest prices too), these cards are what the
        # experiments showed: logged once.
        await show_cards(dispatcher, tracker, outcome, customer_id, products, title, reasons)
        return [SlotSet("recommendation", request.with_shown(products).to_slot())]
