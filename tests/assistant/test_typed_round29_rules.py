"""Round 29 (typed29): the rules behind tests/conversations/typed_round29.yml."""
import pytest

from assistant.follow_up import describes_a_problem, picks_offered_change
from assistant.invoices import asks_invoice_of_order
from assistant.price_protection import asked_number_for_price_protection

NUMBER = "202612041490352188"


@pytest.mark.parametrize("text, topics, typed, meant", [
    (f"订单{NUMBER}能开发票吗", ["invoice"], True, True),
    (f"{NUMBER}能开发票吗", ["invoice"], True, True),
    ("能开发票吗", ["invoice"], False, False),                 # no order typed: the policy
    (f"{NUMBER}发票开了吗", ["invoice"], True, False),          # progress: its own answer
    (f"{NUMBER}发票抬头写错了", ["invoice"], True, False),       # a re-issue
    (f"{NUMBER}发票丢了", ["invoice"], True, False),            # a copy
    (f"{NUMBER}有货吗", ["stock"], True, False),
])
def test_an_invoice_asked_of_a_typed_order(text, topics, typed, meant):
    assert asks_invoice_of_order(text, topics, typed) is meant


def _user(text):
    return {"event": "user", "text": text}


def _bot(text, buttons=None):
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []}}


def test_the_number_after_the_price_protection_rules_is_for_price_protection():
    asked = [_user("刚买的降价了"), _bot("……每笔订单每件商品可申请一次。\n告诉我订单号，我帮您看看能不能价保。"), _user(NUMBER)]
    assert asked_number_for_price_protection(asked)
    # another question before, or no number asked for: only the order
    assert not asked_number_for_price_protection([_user("怎么开发票"), _bot("告诉我订单号"), _user(NUMBER)])
    assert not asked_number_for_price_protection([_user("刚买的降价了"), _bot("价保期到12月13日"), _user(NUMBER)])
    assert not asked_number_for_price_protection([_user(NUMBER)])


@pytest.mark.parametrize("text, problem", [
    ("少发了一个", True), ("漏发了", True), ("发错货了", True), ("寄错了 我要的是黑色", True),
    ("什么时候发货", False), ("少了一个", False),   # no goods said to be received or sent
    ("精华液寄错地址了 改成公司那个", False), ("发错地址了", False),   # an address, not the goods
])
def test_goods_sent_short_or_wrong_are_a_problem(text, problem):
    assert describes_a_problem(text) is problem


def _listed(topic):
    payload = '/order_status{"order_no": "%s", "topic": "%s"}'
    return _bot("您目前可以办理的订单：…", [{"title": "待发货 · 精华液", "payload": payload % (NUMBER, topic)},
                                      {"title": "待付款 · 衬衫", "payload": payload % ("202612071086547273", topic)}])


def test_a_pick_from_the_orders_offered_for_an_address_change():
    events = [_user("昨天下的单能改地址吗"), _listed("address_change")]
    assert picks_offered_change("第二个", events)
    assert picks_offered_change("精华液那个", events)
    assert not picks_offered_change("精华液到哪了", events)
    # the cancel list keeps its own path; a list shown turns ago offers nothing now
    assert not picks_offered_change("第二个", [_user("取消订单"), _listed("cancel_order")])
    assert not picks_offered_change("第二个", [_user("昨天下的单能改地址吗"), _listed("address_change"),
                                              _user("好的"), _bot("还有什么可以帮您？")])


@pytest.mark.parametrize("text, other", [
    ("不对 是另一个", True), ("不是这个 是另外一件", True), ("不对，是另一个吧", True),
    ("另一个", False),                   # no correction said
    ("不对 是手机那单", False), ("换一个订单", False), ("不对 是另一个订单", False),
])
def test_the_other_one_named_in_a_correction(text, other):
    from assistant.typed_answers import names_the_other
    assert names_the_other(text) is other
