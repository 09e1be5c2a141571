"""An answer said about an order the shopper already named ("水果那单显示签收了 可我没收到啊")
does not ask for its number (round 20)."""
from assistant.faq import faq_book, order_known


def test_the_not_received_answer_about_a_named_order_asks_no_order_number():
    said = order_known(faq_book().answer("not_received").for_question("水果那单显示签收了 可我没收到啊"))
    assert "订单号" not in said
    assert "我帮您联系快递核实" in said and "48 小时内" in said


def test_an_answer_without_the_invitation_is_unchanged():
    text = "一个订单里的商品如果在不同仓库，会分成几个包裹发货。"
    assert order_known(text) == text
