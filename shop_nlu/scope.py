"""Out of scope must not swallow shop questions.

Real shoppers ask about services the training data barely covers (价保, 纠纷单, 自提 …); a
classifier that has not seen the words often calls such a message ``out_of_scope`` with
high confidence, and the shopper hears "that is beyond me" about a plain shop question. A
message that carries a *shop signal* — a vocabulary topic, an after-sales service or reason,
an order number, a phone suffix, a catalogue product, brand or category — is therefore
answered out of scope only when the classifier is confident of it and an off-topic word
stands beside the signal (issue 14 item 3, round 23); otherwise the best shop intent of the
ranking takes its place with its own (low) confidence, so the fallback classifier asks back.

Pure functions, no Rasa: unit-tested in tests/shop_nlu/test_scope.py.
"""
from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Tuple

OUT_OF_SCOPE = "out_of_scope"
# The intents a shop signal can stand for (small talk is not a shop meaning).
SHOP_INTENTS = ("purchase", "product_inquiry", "after_sales", "order_status",
                "ask_recommendation", "human_handoff", "inform")
_SIGNAL_PREFIXES = ("topic=", "service_type=", "reason=")
_SIGNAL_FACTS = {"has=order_no", "has=phone_suffix", "has=product", "has=brand", "has=category",
                 # cue words of an order placed or about to be, and plain shop words (贵, 购物,
                 # 发货 …: the vocabulary's `shop` cue) — real shoppers' questions often carry
                 # nothing else (issue 14); `desk`: the words of a big shop's whole desk (快递,
                 # 扣款, 取消, 配件 …, issue 14 round 7)
                 "cue=placed", "cue=prospective", "cue=shop", "cue=desk",
                 # the shapes of a shop question with no shop word: a measure of goods, a model
                 # code, goods received or used, a delivery to a place (issue 14 round 23)
                 "cue=shop_forms"}
# Beside a world word (WORLD_CUE) an out-of-scope guess at least this sure stays out of scope
# however strong the shop word: "珠穆朗玛峰有多高" (spec), "学钢琴一年多少钱" (price),
# "考试报名费能退吗" (a return word). Measured with bench/real_cv.py (issue 14 round 3: 0.9 as the
# level of sure guesses; round 23: without a world or off-topic word beside it a shop word now
# always makes the guard ask back, however sure the classifier is).
SURE_OUT_OF_SCOPE = 0.9
# Words of another world's business (other platforms, other services' orders and accounts, money
# products, a parcel of one's own: the vocabulary's off_topic cue) outweigh a shop word where the
# classifier is confident (CONFIDENT_BESIDE_OFF_TOPIC): "拼多多的订单怎么退" stays out of scope, as
# the labelling guide says; an unsure guess asks back (round 23). The world around the
# shopper (weather, holidays, health, school, entertainment: the vocabulary's `world` cue) does
# not: "过年放假还发货吗", "翻译笔能翻日语吗", "我的电影会员优惠券怎么没了" are shop questions whose
# shop words still count (issue 14 round 13; before, one off_topic list vetoed both). Such a
# message is still out of scope where the classifier is sure of it (SURE_OUT_OF_SCOPE).
OFF_TOPIC_CUE = "cue=off_topic"
# A world word comes back with the signals it stands beside, as a qualifier: then even order or
# after-sales evidence no longer overrules a sure out-of-scope guess ("考试报名费能退吗": 退 is a
# return word, the exam is the subject). Not a signal on its own.
WORLD_CUE = "cue=world"
# Beside another world's business (OFF_TOPIC_CUE) a guess at least this sure stays out of scope
# ("拼多多的订单怎么退"); a less sure one gives way and the fallback asks back (issue 14 round 23).
CONFIDENT_BESIDE_OFF_TOPIC = 0.5


def shop_signals(feature_names: Iterable[str], keep_vetoed: bool = False) -> List[str]:
    """The shop signals among a message's features (see ShopEntityFinder.features).

    Beside an off-topic cue (another world's business) none — unless ``keep_vetoed``, the
    guard's view since issue 14 round 23: then the signals come back with OFF_TOPIC_CUE as a
    qualifier, so only a confident out-of-scope guess keeps them out. With a world cue (and some
    signal) the list also holds WORLD_CUE."""
    feature_names = list(feature_names)
    signals = sorted({name for name in feature_names
                      if name.startswith(_SIGNAL_PREFIXES) or name in _SIGNAL_FACTS})
    if OFF_TOPIC_CUE in feature_names:
        if not keep_vetoed or not signals:
            return []
        signals.append(OFF_TOPIC_CUE)
    if signals and WORLD_CUE in feature_names:
        signals.append(WORLD_CUE)
    return signals


def guard_out_of_scope(
    ranking: Sequence[dict], signals: Sequence[str], sure: float = SURE_OUT_OF_SCOPE,
    confident: float = CONFIDENT_BESIDE_OFF_TOPIC,
) -> Optional[Tuple[dict, List[dict]]]:
    """(new intent, new ranking) when an out-of-scope guess must give way, else None.

    Issue 14 item 3 (round 23): a message with a shop signal is answered out of scope only when
    the classifier is confident of it AND an off-topic cue stands beside the signal — another
    world's business (OFF_TOPIC_CUE, confidence >= ``confident``) or the world around the
    shopper (WORLD_CUE, confidence >= ``sure``, SURE_OUT_OF_SCOPE unless a benchmark's grid
    varies it); otherwise the best shop intent takes its place with its own (low) confidence
    and the fallback asks back. (Before round 23 a sure guess also kept out of scope a message
    whose only shop word was weak — a topic, a category, a plain shop word — with no cue at all.)

    ``ranking`` is Rasa's intent_ranking (dicts with name and confidence, best first). The
    replacement is the highest-ranked shop intent; out_of_scope moves below it, so the
    clarifying question (if the fallback asks one) offers shop meanings first."""
    world = WORLD_CUE in signals
    off_topic = OFF_TOPIC_CUE in signals
    signals = [s for s in signals if s not in (WORLD_CUE, OFF_TOPIC_CUE)]
    if not ranking or ranking[0].get("name") != OUT_OF_SCOPE or not signals:
        return None
    confidence = float(ranking[0].get("confidence") or 0.0)
    if off_topic and confidence >= confident:
        return None
    if world and confidence >= sure:
        return None
    shop = [r for r in ranking if r.get("name") in SHOP_INTENTS]
    if not shop:
        return None
    best = shop[0]
    rest = [r for r in ranking if r is not best]
    return dict(best), [dict(best)] + [dict(r) for r in rest]
