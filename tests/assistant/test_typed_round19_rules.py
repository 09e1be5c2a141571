"""Rules behind typed round 19 (tests/conversations/typed_round19.yml): a lost invoice, a
screen size, a place named after a question for service points, a quantity bought."""
import pytest

from assistant.bought import decides_to_buy, quantity_decided
from assistant.faq import asked_topics, faq_book
from assistant.follow_up import answers_where_for_points, follow_up, invoice_kind
from assistant.invoices import COPY, REISSUE, invoice_question
from assistant.recommendation_requests import RecommendationRequest, size_facet, size_words
from assistant.services import may_name_a_place

REPAIR_TOPIC = [{"entity": "topic", "value": "repair"}]
UNSURE = [{"name": "inform", "confidence": 0.55}]


@pytest.mark.parametrize("text", ["发票丢了 能重新开一张吗", "电子发票找不到了", "能再发一份发票吗", "发票删了怎么办"])
def test_a_lost_invoice_is_a_copy(text):
    assert invoice_question(text) == COPY


def test_a_wrong_title_is_still_the_reissue():
    assert invoice_question("发票抬头写错了咋办") == REISSUE


def test_a_lost_invoice_is_answered_whole_and_not_as_a_lost_parcel():
    answer = faq_book().answer("invoice").for_question("发票丢了 能重新开一张吗")
    assert "重新下载" in answer and "纸质增值税专用发票" in answer
    assert asked_topics("发票丢了 能重新开一张吗", ["invoice", "not_received"]) == ["invoice"]


def test_a_lost_e_invoice_after_the_invoice_answer_is_no_kind_of_invoice():
    assert invoice_kind("电子发票找不到了", "purchase", [{"entity": "topic", "value": "invoice"}]) is None
    assert invoice_kind("电子的", "purchase", [{"entity": "topic", "value": "invoice"}]) == "invoice_electronic"


def test_a_screen_size_filters_the_screen_facet_and_is_said_as_it_is():
    assert size_facet("55英寸") == "屏幕尺寸" and size_facet("42") == "尺码"
    assert size_words("55英寸") == "55英寸" and size_words("42") == "42码"
    request = RecommendationRequest(category="电视", size="55英寸")
    assert request.attributes() == {"屏幕尺寸": "55英寸"}
    assert "55英寸码" not in request.describe()


@pytest.mark.parametrize("text", ["我在杭州", "杭州", "西湖区那边有吗", "上海呢", "北京海淀的呢"])
def test_a_place_after_a_question_for_points_asks_for_the_points_there(text):
    assert answers_where_for_points(text, UNSURE, [], "after_sales", "手机屏幕坏了 哪里能修", REPAIR_TOPIC)
    parsed = follow_up(text, UNSURE, [], "after_sales", REPAIR_TOPIC, previous_text="手机屏幕坏了 哪里能修")
    assert parsed is not None and parsed.intent == "after_sales"
    assert {"entity": "topic", "value": "repair"} in parsed.entities


def test_a_place_elsewhere_or_a_yes_is_no_answer_for_points():
    assert not answers_where_for_points("我在杭州", UNSURE, [], "purchase", "发票怎么开", [])
    assert not answers_where_for_points("好的", [{"name": "affirm", "confidence": 0.98}], [], "after_sales",
                                        "手机屏幕坏了 哪里能修", REPAIR_TOPIC)
    assert not answers_where_for_points("杭州发货吗", UNSURE, [{"entity": "topic", "value": "shipping_status"}],
                                        "after_sales", "附近有维修点吗", [])


def test_only_a_repair_message_that_may_name_a_place_is_read_against_the_cities():
    assert may_name_a_place("我在杭州", ["repair"])
    assert not may_name_a_place("我在杭州", [])
    assert not may_name_a_place("屏幕碎了 保修期内能免费修吗 多久能修好 要寄到哪里去", ["repair"])


@pytest.mark.parametrize("text, count", [("拍两件", 2), ("要2个", 2), ("那就来三台吧", 3), ("就要这个", 1)])
def test_a_quantity_bought(text, count):
    assert decides_to_buy(text)
    assert quantity_decided(text) == count


def test_a_quantity_asked_is_no_purchase_decision():
    assert not decides_to_buy("两件有优惠吗")


def test_a_quantity_bought_after_a_product_named_alone_is_a_purchase():
    parsed = follow_up("拍两件", [{"name": "nlu_fallback", "confidence": 0.4}], [], "inform", [])
    assert parsed is not None and parsed.intent == "purchase"
