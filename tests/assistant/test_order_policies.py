"""The order policies a message asks about in its own words (assistant/order_policies.py)."""
import pytest

from assistant.order_policies import asks_to_modify_order, policies_asked, signed_but_not_received, tracking_stalled


@pytest.mark.parametrize("text", ["下单了能改颜色吗", "买错尺码了 还没发货", "能帮我换个型号吗", "拍错了"])
def test_changing_what_was_ordered(text):
    assert asks_to_modify_order(text)


@pytest.mark.parametrize("text", ["我的订单到哪了", "能改地址吗", "颜色好看吗", ""])
def test_other_order_questions_are_no_modification(text):
    assert not asks_to_modify_order(text)


@pytest.mark.parametrize("text", ["物流怎么一直不更新", "好几天没动了", "物流停在上海三天了"])
def test_tracking_that_stopped_moving(text):
    assert tracking_stalled(text)


@pytest.mark.parametrize("text", ["快递到哪了", "物流更新了吗", None])
def test_tracking_asked_about_is_not_stalled(text):
    assert not tracking_stalled(text)


@pytest.mark.parametrize("text", ["还没收到货 但是显示签收了", "签收了但我没收到", "没收到货怎么就签收了", "明明签收了"])
def test_marked_delivered_but_not_received(text):
    assert signed_but_not_received(text)


@pytest.mark.parametrize("text", ["还没收到货", "签收了，谢谢", "什么时候签收"])
def test_not_received_alone_or_signed_alone(text):
    assert not signed_but_not_received(text)


def test_a_remark_about_where_to_leave_the_parcel_is_no_refusal():
    assert policies_asked(["order_remark", "refuse_delivery"], "备注下 放快递柜") == ["order_remark"]
    assert policies_asked(["order_remark", "refuse_delivery"], "备注一下 我要拒收") == ["order_remark", "refuse_delivery"]
