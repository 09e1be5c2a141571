"""The installation promise (shop.domain.installation), what a service question asks and where
(assistant.services), and the operator's answers for every service topic."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from assistant.faq import DEFAULT_FAQ_PATH, FaqBook
from assistant.services import ServiceAsk, find_place, other_place, what_is_asked, window_text
from shop.db.records import InstallableOrder, ServiceCity
from shop.domain.clock import CHINA_TZ
from shop.domain.installation import (
    CALL_WITHIN_HOURS, FOLLOW_UP_DAYS, INSTALL_WITHIN_HOURS, InstallationStage, installation_window, moment_text,
)
from shop.settings import REPO_ROOT

DELIVERED = datetime(2024, 6, 20, 14, 30, tzinfo=CHINA_TZ)


@pytest.mark.parametrize("hours_after, stage", [
    (1, InstallationStage.AWAITING_CALL),
    (CALL_WITHIN_HOURS - 0.01, InstallationStage.AWAITING_CALL),
    (CALL_WITHIN_HOURS, InstallationStage.AWAITING_VISIT),
    (INSTALL_WITHIN_HOURS - 0.01, InstallationStage.AWAITING_VISIT),
    (INSTALL_WITHIN_HOURS, InstallationStage.OVERDUE),
    (FOLLOW_UP_DAYS * 24 - 1, InstallationStage.OVERDUE),
    (FOLLOW_UP_DAYS * 24, InstallationStage.CLOSED),
])
def test_installation_window_of_a_delivered_order(hours_after, stage):
    window = installation_window("delivered", DELIVERED, DELIVERED + timedelta(hours=hours_after))
    assert window.stage is stage
    assert window.call_by == DELIVERED + timedelta(hours=24) and window.install_by == DELIVERED + timedelta(hours=48)
    assert window.pending is (stage is not InstallationStage.CLOSED)


def test_installation_window_before_delivery_and_after_cancellation():
    now = datetime(2024, 6, 21, tzinfo=timezone.utc)
    for status in ("awaiting_shipment", "shipped", "in_transit", "out_for_delivery"):
        assert installation_window(status, None, now).stage is InstallationStage.NOT_DELIVERED
    for status in ("cancelled", "refunding", "refunded", "pending_payment"):
        assert installation_window(status, None, now).stage is InstallationStage.CLOSED
    assert installation_window("completed", DELIVERED, DELIVERED + timedelta(hours=30)).stage is InstallationStage.AWAITING_VISIT
    with pytest.raises(ValueError):
        installation_window("delivered", DELIVERED, datetime(2024, 6, 21))          # naive now
    with pytest.raises(ValueError):
        installation_window("teleported", DELIVERED, now)


def test_moment_text_is_china_time_with_the_weekday():
    assert moment_text(datetime(2024, 6, 22, 6, 30, tzinfo=timezone.utc)) == "6月22日（周六）14:30"


def test_window_text_by_stage():
    order = InstallableOrder("202406200000000015", "delivered", "已签收", DELIVERED - timedelta(days=2), DELIVERED,
                             ("格力 云佳 空调",), ("空调",))
    soon, follow = window_text(order, DELIVERED + timedelta(hours=2))
    assert "6月21日（周五）14:30 前电话联系您预约" in soon and "6月22日（周六）14:30 前上门安装" in soon and not follow
    late, follow = window_text(order, DELIVERED + timedelta(hours=50))
    assert "已超过承诺的上门时间" in late and follow
    assert window_text(order, DELIVERED + timedelta(days=FOLLOW_UP_DAYS)) == (None, False)
    moving = InstallableOrder(order.order_no, "in_transit", "运输中", order.created_at, None, order.items, order.categories)
    text, follow = window_text(moving, DELIVERED)
    assert "目前运输中" in text and f"{INSTALL_WITHIN_HOURS} 小时内上门安装" in text and not follow


@pytest.mark.parametrize("text, topics, asks", [
    ("附近的维修点", ("repair",), (ServiceAsk.SERVICE_POINTS,)),
    ("有售后网点吗", (), (ServiceAsk.SERVICE_POINTS,)),
    ("手机坏了去哪修", ("repair",), (ServiceAsk.SERVICE_POINTS,)),
    ("空调坏了，上海哪里可以修", ("damaged",), (ServiceAsk.SERVICE_POINTS,)),
    ("修手机去哪里", (), (ServiceAsk.SERVICE_POINTS,)),
    ("手机坏了能修吗", ("repair",), ()),
    ("快递网点在哪", ("logistics",), ()),
    ("空调安装收费吗", ("installation",), (ServiceAsk.INSTALLATION_FEE,)),
    ("师傅什么时候上门", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("装空调的师傅怎么还没来", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("安装要钱吗，什么时候来装", ("installation",), (ServiceAsk.INSTALLATION_FEE, ServiceAsk.INSTALLATION_TIME)),
    ("包安装吗", ("installation",), (ServiceAsk.INSTALLATION,)),
    # Said right after the installation's answer (the follow-up carries its topic): the visit.
    ("能快点吗", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("师傅大约多久联系我呀", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("早上之前务必联系我", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("什么时候能给我打呢", ("installation",), (ServiceAsk.INSTALLATION_TIME,)),
    ("安装费能给我打个折吗", ("installation",), (ServiceAsk.INSTALLATION_FEE,)),
    ("怎么追评", ("review",), (ServiceAsk.POLICY,)),
    ("能开发票吗", ("invoice",), ()),
])
def test_what_a_service_question_asks(text, topics, asks):
    assert what_is_asked(text, topics) == asks


CITIES = (
    ServiceCity("北京市", "北京市", ("朝阳区", "海淀区")),
    ServiceCity("上海市", "上海市", ("浦东新区", "徐汇区")),
    ServiceCity("四川省", "成都市", ("高新区", "武侯区")),
    ServiceCity("江苏省", "南京市", ("鼓楼区",)),
    ServiceCity("福建省", "厦门市", ("鼓楼区",)),       # made up: a district name two cities share
)


@pytest.mark.parametrize("text, city, district", [
    ("杭州附近的维修点", None, None),
    ("北京有维修点吗", "北京市", None),
    ("北京市海淀区的网点", "北京市", "海淀区"),
    ("浦东哪里可以修", "上海市", "浦东新区"),
    ("我在高新区", "成都市", "高新区"),
    ("鼓楼区的维修点", None, None),                     # shared by two cities: not a guess
    ("南京鼓楼的维修点", "南京市", "鼓楼区"),
    ("先去上海再回北京", "上海市", None),               # the first place named
])
def test_find_place(text, city, district):
    place = find_place(text, CITIES)
    assert (place.city if place else None, place.district if place else None) == (city, district)


@pytest.mark.parametrize("text, place", [
    ("我在拉萨市，有售后网点吗", "拉萨市"), ("拉萨市有维修点吗", "拉萨市"), ("我住在丽江县", "丽江县"),
    ("我在乌鲁木齐市", "乌鲁木齐市"), ("附近有没有超市", None), ("城市里有网点吗", None),
    # A city the shop delivers to, typed without 市 (typed round 22: "拉萨有吗" after a list of
    # points was read as no place, and a signed-in shopper got the home city's points instead).
    ("拉萨有维修点吗", "拉萨市"), ("我在丽江", None),
])
def test_other_place(text, place):
    assert other_place(text) == place


def _big_shop_topics() -> set[str]:
    """The topics of the table "What a big shop's desk is asked about" in shop_nlu/README.md."""
    readme = (REPO_ROOT / "shop_nlu" / "README.md").read_text(encoding="utf-8")
    table = readme.split("### What a big shop's desk is asked about", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    return {topic for row in table.splitlines()[2:] for topic in re.findall(r"`([a-z_]+)`", row.split("|")[3])}


def test_every_topic_a_big_shop_is_asked_about_has_an_answer():
    topics = _big_shop_topics()
    assert {"installation", "repair", "pickup", "refuse_delivery", "split_shipment"} <= topics
    book = FaqBook(DEFAULT_FAQ_PATH)
    missing = sorted(t for t in topics if book.answer(t) is None)
    assert not missing, missing


def test_the_installation_answer_states_the_domain_promise():
    answer = FaqBook(DEFAULT_FAQ_PATH).answer("installation").pick()
    assert f"{CALL_WITHIN_HOURS} 小时内" in answer and f"{INSTALL_WITHIN_HOURS} 小时内上门安装" in answer
