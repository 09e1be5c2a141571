"""Orders named by product, category or time resolve to the order meant."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from assistant.order_matching import orders_meant, product_words

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)   # a Sunday, 12:00 in China


@dataclass
class Item:
    title: str
    sku_name: str = ""


@dataclass
class FakeOrder:
    order_no: str
    titles: tuple
    days_ago: int
    shipment: Optional[object] = None
    items: tuple = field(default=())

    def __post_init__(self):
        self.items = tuple(Item(t) for t in self.titles)
        self.created_at = NOW - timedelta(days=self.days_ago)


ORDERS = [  # newest first, as recent_orders returns them
    FakeOrder("shirt", ("优衣库 女士法兰绒衬衫",), 0),
    FakeOrder("earbuds", ("Apple AirPods Pro 2 蓝牙耳机",), 1, shipment=object()),
    FakeOrder("milk", ("特仑苏 纯牛奶 250ml*16盒",), 3, shipment=object()),
    FakeOrder("shoes", ("耐克 Air Zoom Pegasus 40 男子跑步鞋",), 40, shipment=object()),
    FakeOrder("tshirt", ("优衣库 男士圆领短袖T恤",), 14, shipment=object()),
]


def numbers(text):
    return [o.order_no for o in orders_meant(text, ORDERS, NOW).orders]


def test_product_named():
    assert numbers("我买的耳机什么时候能到") == ["earbuds"]
    assert numbers("牛奶送到哪了") == ["milk"]


def test_logistics_means_the_latest_order_with_logistics():
    assert numbers("查一下物流") == ["earbuds"]
    assert numbers("我的快递到哪了") == ["earbuds"]


def test_category_and_time():
    assert numbers("上周买的鞋") == ["shoes"]
    assert numbers("昨天买的东西") == ["earbuds"]


def test_a_noun_said_with_its_suffix_matches_by_its_stem():
    # "鞋子" is said, the title says 跑步鞋; the date is misremembered (bought 40 days ago).
    assert numbers("上周买的鞋子到哪了") == ["shoes"]
    assert numbers("我上周买的鞋子") == ["shoes"]


def test_several_matches_are_all_returned_for_a_choice():
    assert numbers("优衣库的衣服到哪了") == ["shirt", "tshirt"]
    assert orders_meant("优衣库的衣服到哪了", ORDERS, NOW).described


def test_asking_words_are_not_descriptions():
    assert product_words("帮我查下订单到哪了") == []


def test_waiting_words_and_emoji_do_not_describe_an_order():
    from assistant.order_matching import LOGISTICS, product_words

    assert product_words("等了五天了还没到😤") == []
    assert product_words("等了好几天还没收到") == []
    assert product_words("我买的耳机什么时候能到") == ["耳机"]
    assert LOGISTICS.search("等了五天了还没到😤")       # the latest order with logistics


def test_an_earlier_order_is_the_one_before_the_order_in_view():
    from assistant.order_matching import EARLIER_ORDER, earlier_order

    assert EARLIER_ORDER.search("不对，是上一个订单") and EARLIER_ORDER.search("前一单")
    assert earlier_order(ORDERS, "earbuds").order_no == "milk"
    assert earlier_order(ORDERS, None).order_no == "shirt"          # none in view: the newest
    assert earlier_order(ORDERS, "tshirt") is None                  # the oldest listed
    assert earlier_order(ORDERS, "unknown") is None


def test_orders_on_screen_are_those_of_the_last_list_of_orders():
    from assistant.order_matching import Listed, orders_on_screen, picks_an_order

    listed = {"event": "bot", "data": {"custom": {"type": "order_list", "orders": [
        {"order_no": "A", "summary": "特仑苏 纯牛奶"}, {"order_no": "B", "summary": "AirPods"}]}}}
    cards = {"event": "bot", "data": {"custom": {"type": "product_cards", "products": []}}}
    assert [(o.order_no, o.summary) for o in orders_on_screen([listed, {"event": "user"}])] == [
        ("A", "特仑苏 纯牛奶"), ("B", "AirPods")]
    assert orders_on_screen([listed, cards]) == []                  # products were shown since
    offered = {"event": "bot", "data": {"buttons": [
        {"title": "待付款 · 衬衫", "payload": '/order_status{"order_no": "C", "topic": "cancel_order"}'}]}}
    assert orders_on_screen([listed, offered]) == [Listed("C", "待付款 · 衬衫", "cancel_order")]
    assert picks_an_order("第二个") and picks_an_order("牛奶那单") and picks_an_order("最后一单")
    assert not picks_an_order("我的牛奶到哪了")
    assert picks_an_order("2") and picks_an_order("选2")       # a number typed alone (guard)
    assert not picks_an_order("1234") and not picks_an_order("202611201234567890")


def test_a_change_verb_names_no_order():
    # "修改" once left "修", which the T-shirt's 修身版型 holds (typed5).
    assert product_words("我要修改收货地址") == [] and product_words("更改一下地址") == []
