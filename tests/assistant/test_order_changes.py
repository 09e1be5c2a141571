"""Which order change a message asks for, and the address change's confirmation read
(assistant/order_changes.py)."""
import pytest

from assistant.order_changes import address_confirmation, change_topic, keeps_address


@pytest.mark.parametrize("topics, text, topic", [
    (["cancel_order"], "帮我取消订单", "cancel_order"),
    (["restore_order", "cancel_order"], "订单取消了还能恢复吗", None),
    (["address_change"], "发票抬头写错了 要改成公司的", None),
    (["cancel_order", "address_change"], "精华液那单先别发 我地址写错了", "address_change"),
    (["cancel_order", "address_change"], "地址写错了 取消订单吧", "cancel_order"),
    (["cancel_order"], "我的订单怎么被取消了", None),
    ([], "订单改到公司地址", "address_change"),
    (["payment"], "我想取消那个没付款的订单", "cancel_order"),
    ([], "我的订单到哪了", None),
])
def test_the_change_asked_for(topics, text, topic):
    assert change_topic(topics, text) == topic


@pytest.mark.parametrize("text", ["取消", "算了", "不改了", "先不用改了"])
def test_the_address_kept(text):
    assert keeps_address(text)


@pytest.mark.parametrize("text", ["改吧", "确认修改", "改成公司那个"])
def test_the_address_not_kept(text):
    assert not keeps_address(text)


@pytest.mark.parametrize("text, affirmed, kind", [
    ("改吧", False, "yes"), ("嗯 改吧", False, "yes"), ("不改了", False, "cancel"),
    ("好的", True, "yes"), ("嗯嗯", True, "yes"), ("哈哈", False, None),
])
def test_the_confirmation_read(text, affirmed, kind):
    assert address_confirmation(text, affirmed) == kind
