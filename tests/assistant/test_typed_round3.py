"""Round 3 of typed answers (issue 15): hurrying an order, offers for a kind of shopper,
narrow policy questions, unknown product attributes, orders by state or category, and a
refinement after a bare detail."""
from dataclasses import dataclass
from datetime import datetime, timezone

from assistant.after_sales_dialogue import route_after_services, route_before_services
from assistant.faq import faq_book, focus
from assistant.follow_up import follow_up
from assistant.form_questions import AFTER_SALES, question_topics
from assistant.mood import sounds_angry
from assistant.offer_questions import has_offer_for, offer_asked_for
from assistant.order_matching import (
    WHY_CANCELLED, cancel_requested, order_clause, orders_meant, refers_to_own_order, statuses_named,
)
from assistant.order_urging import is_urging, urging_reply
from assistant.product_facts import _mentions_value
from assistant.product_questions import unknown_question
from assistant.recommendation_requests import typed_budget
from shop.domain.orders import OrderStatus

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)


@dataclass
class Item:
    title: str
    sku_name: str = ""


@dataclass
class Order:
    order_no: str
    status: str
    title: str
    shipment: object = None

    @property
    def items(self):
        return (Item(self.title),)

    @property
    def created_at(self):
        return NOW


ORDERS = [
    Order("shirt", "pending_payment", "优衣库 女士法兰绒衬衫"),
    Order("serum", "awaiting_shipment", "雅诗兰黛 小棕瓶精华液"),
    Order("kiwi", "delivered", "佳沛 阳光金果 奇异果"),
]


def test_urging_is_told_from_asking_where():
    assert is_urging("能不能快点发") and is_urging("急用，能加急吗") and is_urging("催一下")
    assert not is_urging("我的快递到哪了")


def test_urging_reply_follows_the_order_state():
    assert "还没有付款" in urging_reply("1", OrderStatus.PENDING_PAYMENT.value, None)
    assert "48 小时内发出" in urging_reply("1", OrderStatus.AWAITING_SHIPMENT.value, None)
    assert "已经发货" in urging_reply("1", OrderStatus.IN_TRANSIT.value, "预计12月7日送达")
    assert "已经签收" in urging_reply("1", OrderStatus.DELIVERED.value, None)


def test_an_order_named_by_its_state():
    assert statuses_named("那个没付款的订单") == {OrderStatus.PENDING_PAYMENT}
    assert [o.order_no for o in orders_meant("我想取消那个没付款的订单", ORDERS, NOW).orders] == ["shirt"]
    assert [o.order_no for o in orders_meant("没发货的那单帮我取消了", ORDERS, NOW).orders] == ["serum"]


def test_an_order_named_by_its_category():
    assert orders_meant("护肤品那单", ORDERS, NOW).orders == []
    categories = {"kiwi": "食品生鲜 新鲜水果", "serum": "美妆护肤 面部护肤", "shirt": "服饰鞋包 女装"}
    meant = orders_meant("查一下护肤品那单", ORDERS, NOW, categories=categories)
    assert [o.order_no for o in meant.orders] == ["serum"]


def test_cancelling_an_order_is_read_from_the_words():
    assert cancel_requested("我想取消那个没付款的订单") and cancel_requested("这单不要了")
    assert not cancel_requested("取消售后申请") and not cancel_requested("我要退货")


def test_an_offer_for_a_kind_of_shopper():
    assert offer_asked_for("有没有学生优惠") == ("学生", "优惠")
    assert offer_asked_for("新用户有折扣吗") == ("新用户", "折扣")
    assert offer_asked_for("有没有什么优惠") is None and offer_asked_for("有优惠吗") is None
    assert not has_offer_for("学生", ["数码狂欢 每满1000减100"])
    assert has_offer_for("母婴", ["母婴囤货 买奶粉送湿巾"])


def test_a_narrow_policy_question_gets_its_part():
    invoice = faq_book().answer("invoice")
    part = invoice.for_question("公司抬头怎么开")
    assert "公司名称+税号" in part and "冲红" not in part
    # One shared word is not enough to cut: the whole answer.
    assert invoice.for_question("发票能开专票吗") == focus(invoice.answers[0], "发票能开专票吗", invoice.title)
    assert "冲红" in invoice.for_question("发票能开专票吗")
    assert focus("一行。", "公司抬头") == "一行。"


def test_an_attribute_the_catalogue_has_no_record_of():
    entities = [{"entity": "reference", "start": 0, "end": 2}, {"entity": "category", "start": 2, "end": 4}]
    assert unknown_question("这个鞋子会不会磨脚", entities, [], False) == "会不会磨脚"
    assert unknown_question("这个怎么样", [], [], False) is None
    assert unknown_question("续航多久", [], [], True) is None
    assert unknown_question("这个多少钱", [], ["price"], False) is None


def test_refund_timing_answers_the_policy_first():
    route = route_before_services("退款多久能到", ["refund_progress"], True)
    assert route.kind == "status" and route.policy_topics == ("refund_progress",)
    assert route_before_services("退款进度怎么样了", ["refund_progress"], True).policy_topics == ()


def test_a_problem_and_a_service_asked_about_is_a_request():
    assert route_after_services("电脑开不了机 能修吗", ["repair"], True, None, True).kind == "form"
    assert route_after_services("支持七天无理由退货吗", ["return_policy"], False, None, True).kind == "policy"


def test_a_refinement_after_a_bare_detail_continues_it():
    cheaper = follow_up("再便宜点", [{"name": "purchase", "confidence": 0.63}],
                        [{"entity": "topic", "value": "promotion"}], "inform", [])
    assert cheaper is not None and cheaper.intent == "inform" and cheaper.entities == []
    white = follow_up("有白色的吗", [{"name": "product_inquiry", "confidence": 0.97}],
                      [{"entity": "color", "value": "白色"}], "inform", [])
    assert white is not None and white.intent == "inform"


def test_the_order_question_of_a_message_with_two():
    assert order_clause("耳机到了吗？另外运费险怎么赔") == "耳机到了吗"
    assert order_clause("发票怎么开，顺便问下牛奶到哪了") == "牛奶到哪了"
    assert order_clause("牛奶到了吗") is None and order_clause("运费多少 几天到") is None


def test_a_request_already_made_is_asked_about():
    assert route_before_services("我的退货申请审核了吗", [], True).kind == "status"
    assert route_before_services("我要申请退货", [], True) is None


def test_the_return_address_is_a_question_of_its_own():
    assert question_topics("退货地址是哪里", [], AFTER_SALES) == ("return_address",)
    assert faq_book().answer("return_address") is not None


def test_a_complaint_about_the_courier_sounds_angry():
    assert sounds_angry("快递员态度很差") and sounds_angry("客服什么态度")
    assert not sounds_angry("快递员什么时候到")


def test_recently_bought_is_an_own_order():
    assert refers_to_own_order("帮我看看最近买的东西") and refers_to_own_order("上次买的电脑")
    assert not refers_to_own_order("最近有什么好手机")


def test_storage_said_without_its_unit():
    assert _mentions_value("存储容量", "256GB", "iPhone 15 Pro 256的多少钱")
    assert not _mentions_value("存储容量", "256GB", "iPhone 15 Pro 512的多少钱")
    assert not _mentions_value("存储容量", "16GB", "16的")


def test_a_price_said_bare_is_a_budget():
    assert typed_budget("推荐个2000的手机") == (1600.0, 2400.0)
    assert typed_budget("iPhone 15 Pro 256的") is None      # storage, not a price
    assert typed_budget("身高175的穿多大") is None and typed_budget("Mate60的") is None


def test_asking_why_an_order_was_cancelled_is_no_cancellation():
    assert WHY_CANCELLED.search("我的订单怎么被取消了") and not cancel_requested("我的订单怎么被取消了")
    assert not WHY_CANCELLED.search("没发货的那单帮我取消了") and cancel_requested("没发货的那单帮我取消了")
    assert statuses_named("我的订单怎么被取消了") == {OrderStatus.CANCELLED}


def test_topics_beside_the_order_clause():
    from assistant.order_matching import topics_beside_order_clause
    text = "运费多少？我的牛奶发货了吗"
    entities = [{"entity": "topic", "value": "shipping_fee", "start": 0}, {"entity": "category", "value": "牛奶乳品", "start": 7},
                {"entity": "topic", "value": "shipping_status", "start": 9}]
    assert topics_beside_order_clause(text, entities) == ["shipping_fee"]
    assert topics_beside_order_clause("我的牛奶发货了吗", entities) == []      # one clause: nothing beside it
    assert topics_beside_order_clause(text, []) == []
