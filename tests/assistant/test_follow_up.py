"""Follow-ups read in context (assistant.follow_up)."""
from assistant.follow_up import follow_up, is_fragment, previous_user_event

UNSURE = [{"name": "purchase", "confidence": 0.31}, {"name": "order_status", "confidence": 0.29},
          {"name": "after_sales", "confidence": 0.2}]
REFUND_TOPIC = [{"entity": "topic", "value": "refund_progress", "start": 0, "end": 4}]


def test_fragments_are_short_continuations():
    assert is_fragment("那你尽快吧")
    assert is_fragment("能快点吗")
    assert is_fragment("那钱哪天退回来")
    assert is_fragment("就按你说的办吧")
    assert not is_fragment("我想买一台两千左右的手机，拍照好一点的，有推荐吗")
    assert not is_fragment("手机")          # no continuation shape: a new (bare) request
    assert not is_fragment("")


def test_an_unsure_fragment_after_a_shop_question_continues_it():
    result = follow_up("那要多久", UNSURE, [], "after_sales", REFUND_TOPIC)
    assert result is not None and result.intent == "after_sales"
    assert result.entities == REFUND_TOPIC          # the previous topic is carried


def test_the_fragments_own_topic_wins_over_the_previous_one():
    own = [{"entity": "topic", "value": "invoice", "start": 1, "end": 3}]
    result = follow_up("那发票呢", UNSURE, own, "after_sales", REFUND_TOPIC)
    assert result.entities == own


def test_small_talk_or_no_previous_question_is_not_continued():
    assert follow_up("那要多久", UNSURE, [], "greet", []) is None
    assert follow_up("那要多久", UNSURE, [], None, []) is None


def test_a_longer_message_not_among_the_likely_meanings_is_a_new_question():
    ranking = [{"name": "purchase", "confidence": 0.4}, {"name": "product_inquiry", "confidence": 0.3}]
    assert follow_up("这个什么时候能有货呢", ranking, [], "after_sales", []) is None
    assert follow_up("这个什么时候能有货呢", ranking, [], "product_inquiry", []).intent == "product_inquiry"


def test_previous_user_event_is_the_last_one_before_the_new_message_and_stops_at_a_restart():
    events = [{"event": "user", "text": "a"}, {"event": "bot"}, {"event": "user", "text": "b"}, {"event": "bot"}]
    assert previous_user_event(events)["text"] == "b"
    assert previous_user_event([{"event": "user", "text": "a"}, {"event": "restart"}]) is None
    assert previous_user_event([]) is None


def test_a_fragment_already_read_as_the_previous_intent_is_left_alone():
    ranking = [{"name": "after_sales", "confidence": 0.8}]
    assert follow_up("那要几天", ranking, [], "after_sales", REFUND_TOPIC) is None


def test_a_topic_of_another_intent_gives_way_to_the_previous_topic():
    delivery = [{"entity": "topic", "value": "delivery_time", "start": 1, "end": 5}]
    intents = {"delivery_time": "purchase", "refund_progress": "after_sales", "invoice": "purchase"}.get
    ranking = [{"name": "purchase", "confidence": 0.76}, {"name": "after_sales", "confidence": 0.05}]
    result = follow_up("那多久能到", ranking, delivery, "after_sales", REFUND_TOPIC, topic_intent=intents)
    assert result.intent == "after_sales" and result.entities == REFUND_TOPIC


def test_the_channel_patch_rereads_a_parse_with_the_conversation():
    from shop_channels.rasa_follow_ups import reread

    events = [{"event": "user", "text": "我的退款到哪了",
               "parse_data": {"intent": {"name": "after_sales"}, "entities": REFUND_TOPIC}},
              {"event": "bot", "text": "…"}]
    parse = {"text": "那要几天", "intent": {"name": "nlu_fallback", "confidence": 0.5}, "entities": [],
             "intent_ranking": [{"name": "nlu_fallback"}] + UNSURE}
    out = reread(parse, events)
    assert out["intent"]["name"] == "after_sales" and out["entities"] == REFUND_TOPIC
    assert out["follow_up_of"]["name"] == "nlu_fallback"
    assert reread(parse, [])["intent"]["name"] == "nlu_fallback"     # no previous question


def test_a_confident_other_meaning_is_believed():
    ranking = [{"name": "after_sales", "confidence": 0.97}]
    assert follow_up("那钱多久退回来", ranking, [], "order_status", []) is None
    ranking = [{"name": "purchase", "confidence": 0.85}, {"name": "ask_recommendation", "confidence": 0.1}]
    assert follow_up("那我想买个手机", ranking, [], "order_status", []) is None


def test_after_recommendations_cheaper_or_another_colour_refines_the_request():
    haggling = [{"name": "purchase", "confidence": 0.85}]
    promo = [{"entity": "topic", "value": "promotion", "start": 1, "end": 3}]
    result = follow_up("再便宜点", haggling, promo, "ask_recommendation", [])
    assert result.intent == "ask_recommendation" and result.entities == []
    assert follow_up("有没有便宜一点的", UNSURE, [], "ask_recommendation", []).intent == "ask_recommendation"
    assert follow_up("换个颜色", UNSURE, [], "ask_recommendation", []).intent == "ask_recommendation"
    # without recommendations before, "再便宜点" stays what the classifier said
    assert follow_up("再便宜点", haggling, promo, "order_status", []) is None

def test_the_channel_patch_reads_only_the_tail_of_the_tracker_with_the_same_answer():
    from rasa.shared.core.events import ActionExecuted, BotUttered, Restarted, SessionStarted, UserUttered

    from shop_channels.rasa_follow_ups import events_since_last_message

    def user(text, intent):
        return UserUttered(text, {"name": intent, "confidence": 0.9})

    long_talk = [SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(200):
        long_talk += [user(f"问题{turn}", "purchase"), BotUttered("好的"), ActionExecuted("action_listen")]
    cases = [
        long_talk,
        long_talk + [Restarted(), ActionExecuted("action_listen")],          # a restart ends the context
        long_talk + [SessionStarted(), ActionExecuted("action_listen")],     # so does a new session
        [ActionExecuted("action_listen")],                                    # nothing said yet
        [],
    ]
    for events in cases:
        full = [event.as_dict() for event in events]
        tail = events_since_last_message(events)
        assert previous_user_event(tail) == previous_user_event(full)
        assert len(tail) <= 3
    assert previous_user_event(events_since_last_message(long_talk))["text"] == "问题199"


def test_a_price_move_after_a_product_question_asks_for_other_products():
    sure_purchase = [{"name": "purchase", "confidence": 0.9}]
    promo = [{"entity": "topic", "value": "promotion"}]
    result = follow_up("有没有便宜一点的", sure_purchase, promo, "product_inquiry", [])
    assert result is not None and result.intent == "ask_recommendation" and result.entities == []
    assert follow_up("贵一点的呢", sure_purchase, [], "product_inquiry", []).intent == "ask_recommendation"
    # Other product follow-ups stay product questions.
    assert follow_up("有什么颜色", sure_purchase, [], "product_inquiry", []) is None


def test_a_pick_from_the_list_on_screen_is_a_product_question():
    for text in ("第二个", "充电器那个", "最后那个", "就第一个吧", "要黑色那款"):
        result = follow_up(text, UNSURE, [], "product_inquiry", [])
        assert result is not None and result.intent == "product_inquiry", text
    assert follow_up("第二个", UNSURE, [], "ask_recommendation", []).intent == "product_inquiry"
    # an order list is not a product list
    assert follow_up("第二个", UNSURE, [], "order_status", []) is None


def test_a_comparison_after_a_product_question_compares_with_it():
    named = [{"entity": "product", "value": "荣耀X50", "start": 1, "end": 6}]
    fallback = [{"name": "nlu_fallback", "confidence": 0.5}]
    result = follow_up("跟荣耀X50比哪个好", fallback, named, "product_inquiry", [])
    assert result.intent == "product_inquiry"
    assert {"entity": "topic", "value": "compare"} in result.entities and named[0] in result.entities


def test_brand_refinements_after_recommendations_stay_recommendations():
    deny = [{"name": "deny", "confidence": 0.87}]
    for text in ("不要苹果的", "换个牌子", "别的品牌有吗", "除了华为还有吗", "再贵点"):
        result = follow_up(text, deny, [], "ask_recommendation", [])
        assert result is not None and result.intent == "ask_recommendation", text


def test_an_unsure_message_naming_a_category_after_recommendations_is_a_new_need():
    buds = [{"entity": "category", "value": "耳机耳麦", "start": 5, "end": 7}]
    fallback = [{"name": "nlu_fallback", "confidence": 0.5}]
    assert follow_up("算了 看看耳机吧", fallback, buds, "ask_recommendation", []).intent == "ask_recommendation"
    sure = [{"name": "after_sales", "confidence": 0.95}]
    assert follow_up("耳机坏了要退货", sure, buds, "ask_recommendation", []) is None


def test_a_second_bare_detail_is_a_detail_too():
    size = [{"entity": "size", "value": "L", "start": 3, "end": 4}]
    unsure = [{"name": "nlu_fallback", "confidence": 0.5}]
    assert follow_up("有没有L码的", unsure, size, "inform", []).intent == "inform"


def test_a_request_for_cheaper_products_is_a_recommendation_request_in_any_context():
    """"有没有便宜点的" with nothing shown yet: not the promotions list (the recommendation
    asks which kind of product); "能便宜点吗" still haggles."""
    promo = [{"entity": "topic", "value": "promotion"}]
    sure_purchase = [{"name": "purchase", "confidence": 0.95}]
    result = follow_up("有没有便宜点的", sure_purchase, promo, None, [])
    assert result.intent == "ask_recommendation" and result.entities == []
    assert follow_up("能便宜点吗", sure_purchase, promo, None, []) is None


def test_a_colour_after_recommendations_narrows_them_however_sure_the_classifier_is():
    sure_product = [{"name": "product_inquiry", "confidence": 0.97}]
    colour = [{"entity": "color", "value": "黑色"}]
    assert follow_up("有黑色的吗", sure_product, colour, "ask_recommendation", []).intent == "ask_recommendation"
    assert follow_up("有黑色的吗", sure_product, colour, "order_status", []) is None


def test_a_fault_with_goods_received_is_an_after_sales_request_not_an_order_look_up():
    sure_order = [{"name": "order_status", "confidence": 0.93}]
    assert follow_up("我买的衣服有个洞", sure_order, [], None, []).intent == "after_sales"
    assert follow_up("收到的杯子碎了", sure_order, [], None, []).intent == "after_sales"
    unsure = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "order_status", "confidence": 0.3}]
    assert follow_up("我买的衣服有个洞", unsure, [], None, []).intent == "after_sales"
    assert follow_up("我买的耳机什么时候到", sure_order, [], None, []) is None
    assert follow_up("我买的衣服有个洞", [{"name": "after_sales", "confidence": 0.9}], [], None, []) is None


def test_a_bare_how_long_continues_the_process_just_discussed_unless_the_classifier_is_very_sure():
    delivery = [{"entity": "topic", "value": "delivery_time", "start": 1, "end": 5}]
    refund = [{"entity": "topic", "value": "refund_progress"}]
    fairly_sure = [{"name": "purchase", "confidence": 0.85}, {"name": "after_sales", "confidence": 0.1}]
    topic_intent = {"delivery_time": "purchase", "refund_progress": "after_sales"}.get
    result = follow_up("那多久能到", fairly_sure, delivery, "after_sales", refund, topic_intent)
    assert result is not None and result.intent == "after_sales"
    assert {"entity": "topic", "value": "refund_progress"} in result.entities
    very_sure = [{"name": "purchase", "confidence": 0.95}]
    assert follow_up("那多久能到", very_sure, delivery, "after_sales", refund, topic_intent) is None


def test_an_unsure_fragment_of_the_same_intent_keeps_the_previous_topic():
    """"那电子的还是纸质的" after "我想开个发票": the classifier reads a purchase question (as the
    previous one) but finds no topic; the invoice topic carries over. Sure of itself, or with
    a topic of its own, it is left as parsed."""
    invoice = [{"entity": "topic", "value": "invoice"}]
    unsure = [{"name": "purchase", "confidence": 0.7}, {"name": "product_inquiry", "confidence": 0.19}]
    found = follow_up("那电子的还是纸质的", unsure, [], "purchase", invoice)
    assert found is not None and found.intent == "purchase" and found.entities == invoice
    sure = [{"name": "purchase", "confidence": 0.95}]
    assert follow_up("那电子的还是纸质的", sure, [], "purchase", invoice) is None
    own = [{"entity": "topic", "value": "payment"}]
    assert follow_up("那怎么付款", unsure, own, "purchase", invoice) is None
    assert follow_up("那电子的还是纸质的", unsure, [], "purchase", []) is None


def test_an_action_reads_the_question_before_the_message_it_answers():
    # An action's tracker ends with the message it answers ("买了"); the question before it is
    # the one the shopper's previous message was answered as, as the Rasa server read it.
    from assistant.follow_up import before_latest_message, previous_question

    def said(text, intent):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}

    asked = said("推荐个耳机", "ask_recommendation")
    events = [{"event": "session_started"}, asked, {"event": "action", "name": "action_recommend"},
              {"event": "bot", "text": "为您找到这几款"}, said("买了", "nlu_fallback"), {"event": "action", "name": "action_clarify"}]
    assert before_latest_message(events) == events[:4]
    assert previous_question(before_latest_message(events)) == "ask_recommendation"
    assert previous_question(events) == "nlu_fallback"
    assert before_latest_message([{"event": "session_started"}]) == [{"event": "session_started"}]


# Issue 14 item 5: real fragments read against the answer before them.
INSTALLATION_TOPIC = [{"entity": "topic", "value": "installation", "start": 2, "end": 4}]
SHIPPING = [{"entity": "topic", "value": "shipping_status", "start": 0, "end": 4}]
TOPIC_INTENTS = {"shipping_status": "order_status", "not_received": "order_status", "installation": "after_sales",
                 "refund_progress": "after_sales"}.get


def test_hurrying_after_the_installers_visit_hurries_the_installation_not_shipping():
    ranking = [{"name": "order_status", "confidence": 0.79}, {"name": "out_of_scope", "confidence": 0.11}]
    result = follow_up("能快点吗", ranking, SHIPPING, "after_sales", INSTALLATION_TOPIC, topic_intent=TOPIC_INTENTS)
    assert result.intent == "after_sales" and result.entities == INSTALLATION_TOPIC


def test_not_arrived_yet_after_a_refund_is_the_refund_not_a_parcel():
    ranking = [{"name": "order_status", "confidence": 0.89}, {"name": "out_of_scope", "confidence": 0.1}]
    not_received = [{"entity": "topic", "value": "not_received", "start": 0, "end": 5}]
    result = follow_up("怎么还没到", ranking, not_received, "after_sales", REFUND_TOPIC, topic_intent=TOPIC_INTENTS)
    assert result.intent == "after_sales" and result.entities == REFUND_TOPIC
    # After an order's card the same words are that order's question, as the classifier said.
    assert follow_up("怎么还没到", ranking, not_received, "order_status", []) is None


def test_when_will_you_call_me_after_the_installers_visit_asks_about_that_call():
    for text, ranking in (("师傅大约多久联系我呀", [{"name": "after_sales", "confidence": 0.75}]),
                          ("现在就联系我还是怎么样?", [{"name": "product_inquiry", "confidence": 0.78}]),
                          ("早上之前务必联系我", [{"name": "nlu_fallback", "confidence": 0.5}])):
        result = follow_up(text, ranking, [], "after_sales", INSTALLATION_TOPIC)
        assert result is not None and result.intent == "after_sales", text
        assert result.entities == INSTALLATION_TOPIC, text
    # After a refund's progress nobody is to call: left as parsed.
    assert follow_up("早上之前务必联系我", [{"name": "human_handoff", "confidence": 0.9}], [],
                     "after_sales", REFUND_TOPIC) is None


def test_asking_for_a_person_is_never_the_previous_question_again():
    ranking = [{"name": "human_handoff", "confidence": 0.7}, {"name": "order_status", "confidence": 0.27}]
    for previous in ("order_status", "after_sales", "ask_recommendation"):
        assert follow_up("不等了 人呢", ranking, [], previous, REFUND_TOPIC) is None


def test_a_bare_yes_with_no_offer_open_is_an_acknowledgement_not_the_question_again():
    ranking = [{"name": "order_status", "confidence": 0.5}, {"name": "affirm", "confidence": 0.3}]
    for text in ("行 那就这样", "就按你说的办吧", "那就这么办吧"):
        result = follow_up(text, ranking, [], "order_status", SHIPPING)
        assert result is not None and result.intent == "affirm" and result.entities == [], text


def test_a_case_asked_with_also_is_about_the_rule_just_given():
    """"秒杀买的也能保吗" after the price-protection answer: whether that rule covers a flash-sale
    purchase (the rule's answer), not the promotions, whichever intent the classifier leans to."""
    protection = [{"entity": "topic", "value": "price_protection", "start": 5, "end": 8}]
    flash_sale = [{"entity": "topic", "value": "promotion", "start": 0, "end": 2}]
    leaning = [{"name": "after_sales", "confidence": 0.58}, {"name": "purchase", "confidence": 0.41}]
    result = follow_up("秒杀买的也能保吗", leaning, flash_sale, "after_sales", protection)
    assert result is not None and result.intent == "after_sales" and result.entities == protection
    # Without a rule just given, or with a classifier sure of something else, it is left as parsed.
    assert follow_up("秒杀买的也能保吗", leaning, flash_sale, "after_sales", []) is None
    sure = [{"name": "purchase", "confidence": 0.93}, {"name": "after_sales", "confidence": 0.05}]
    assert follow_up("秒杀的也能用券吗", sure, flash_sale, "after_sales", protection) is None


def test_a_policy_question_of_its_own_is_not_folded_into_the_previous_one():
    # typed28: "七天无理由吗" (the classifier unsure, "a detail") right after product cards or an
    # invoice answer asks about returns: answered as the return policy's question, not as more
    # cards or the invoice once more.
    intents = {"return_policy": "after_sales", "invoice": "purchase", "shipping_fee": "purchase",
               "return_shipping": "after_sales"}.get
    unsure = [{"name": "inform", "confidence": 0.63}, {"name": "after_sales", "confidence": 0.31}]
    returns = [{"entity": "topic", "value": "return_policy", "start": 0, "end": 5}]
    invoice = [{"entity": "topic", "value": "invoice", "start": 2, "end": 4}]
    for previous, before in (("ask_recommendation", []), ("purchase", invoice), ("order_status", [])):
        result = follow_up("七天无理由吗", unsure, returns, previous, before, topic_intent=intents)
        assert result is not None and result.intent == "after_sales", previous
        assert result.entities == returns
    # In an after-sales question the fragment stays that question's ("运费谁出": the return postage).
    fee = [{"entity": "topic", "value": "shipping_fee", "start": 0, "end": 2}]
    shipping = [{"entity": "topic", "value": "return_shipping", "start": 0, "end": 2}]
    result = follow_up("运费谁出", [{"name": "purchase", "confidence": 0.71}], fee, "after_sales", shipping,
                       topic_intent=intents)
    assert result is None or result.intent == "after_sales"
    # A continuation keeps its reading ("那发票呢" after a purchase question is not re-routed here).
    assert follow_up("那退货呢", unsure, returns, "purchase", invoice, topic_intent=intents).intent == "purchase"


def test_a_pick_after_a_policy_answer_between_cards_is_a_product():
    # typed28: cards, "七天无理由吗" (answered), then "第一个": the first card, not more cards.
    returns = [{"entity": "topic", "value": "return_policy", "start": 0, "end": 5}]
    ranking = [{"name": "inform", "confidence": 0.9}]
    result = follow_up("第一个", ranking, [], "after_sales", returns)
    assert result is not None and result.intent == "product_inquiry"
    # After a request of the shopper's own (a service said), a pick is not re-read here.
    request = returns + [{"entity": "service_type", "value": "退货", "start": 5, "end": 6}]
    result = follow_up("第一个", ranking, [], "after_sales", request)
    assert result is None or result.intent != "product_inquiry"


def test_a_no_that_names_a_policy_after_cards_is_that_policy():
    # typed28: "不要二手" after product cards (heard as a "no"): whether the goods are new — the
    # authenticity rule — not the cards turned down.
    intents = {"authenticity": "product_inquiry"}.get
    deny = [{"name": "deny", "confidence": 0.89}]
    used = [{"entity": "topic", "value": "authenticity", "start": 2, "end": 4}]
    result = follow_up("不要二手", deny, used, "ask_recommendation", [], topic_intent=intents)
    assert result is not None and result.intent == "product_inquiry" and result.entities == used
    # A bare no names no policy: left as the classifier heard it.
    assert follow_up("不要", deny, [], "ask_recommendation", [], topic_intent=intents) is None
