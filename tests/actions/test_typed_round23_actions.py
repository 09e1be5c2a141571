"""Round 23 (typed23), the actions' side: "哪个好" after a list whose best-rated card is also
its cheapest says both of it."""
from rasa_sdk.executor import CollectingDispatcher

from actions.product import which_is_better


def card(title, price, rating):
    return {"title": title, "price": price, "price_text": f"¥{price:,.2f}", "rating": rating}


def test_the_best_rated_that_is_also_the_cheapest_is_said_to_be_both():
    dispatcher = CollectingDispatcher()
    which_is_better(dispatcher, [card("华为 Pura 70 Pro", 8479, 4.8), card("vivo iQOO 12", 4599, 5.0)])
    (message,) = dispatcher.messages
    assert "评分最高、也最实惠的是【vivo iQOO 12】" in message["text"]


def test_otherwise_the_best_rated_and_the_cheapest_are_named_apart():
    dispatcher = CollectingDispatcher()
    which_is_better(dispatcher, [card("华为 Pura 70 Pro", 8479, 4.9), card("vivo iQOO 12", 4599, 4.7)])
    text = dispatcher.messages[0]["text"]
    assert "评分最高的是【华为 Pura 70 Pro】" in text and "最实惠的是【vivo iQOO 12】" in text
