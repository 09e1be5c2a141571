"""Round 9's rules, pure: a kind asked for after a list stays with the list, the contact
question while waiting for a person, the invoice questions (title change, progress), an item
by its place, a reason typed at the after-sales summary, an order named by state in a request
to cancel it (typed conversations: typed_round9.yml)."""
import pytest

from assistant.after_sales_dialogue import CONFIRM_SLOT, kept_at_summary
from assistant.faq import DEFAULT_FAQ_PATH, FaqBook
from assistant.handoff_queue import QueuePlace, queue_message, waiting_answer
from assistant.invoices import PROGRESS, REISSUE, invoice_question
from assistant.order_matching import product_words
from assistant.recommendation_requests import kind_of_list_in_play
from assistant.typed_answers import has_ordinal, names_an_item


@pytest.mark.parametrize("text", ["有没有气垫的", "有气垫的吗", "要气垫的", "气垫的呢"])
def test_a_kind_asked_for_after_a_list_of_another_category_refines_that_list(text):
    assert kind_of_list_in_play(text, "气垫", "彩妆", "跑步鞋") == "气垫"


def test_a_category_named_outright_or_the_same_category_is_no_refinement():
    assert kind_of_list_in_play("有没有气垫", "气垫", "彩妆", "跑步鞋") is None       # not asked as a kind
    assert kind_of_list_in_play("有没有男装的", None, "男装", "跑步鞋") is None        # the category's own name
    assert kind_of_list_in_play("有没有气垫的", "气垫", "彩妆", "彩妆") is None        # the list in play's own
    assert kind_of_list_in_play("有没有气垫的", "气垫", "彩妆", None) is None          # no list on screen


def test_a_waiting_shopper_asking_for_a_phone_or_the_hours_is_answered_before_the_queue():
    place = QueuePlace("RG1", 2, 4)
    assert waiting_answer("客服电话多少", place).startswith("本店没有另外的客服电话")
    assert waiting_answer("客服电话多少", place).endswith(queue_message(place))
    assert "人工客服每天" in waiting_answer("你们几点下班", place)
    assert waiting_answer("人呢？", place) == queue_message(place)
    assert waiting_answer("京东客服电话多少", place).startswith("本店没有另外的客服电话")
    assert waiting_answer("顺丰电话多少", place) == queue_message(place)


@pytest.mark.parametrize("text, kind", [
    ("抬头写错了能改吗", REISSUE), ("税号填错了怎么办", REISSUE), ("能换开吗", REISSUE), ("我想改一下发票抬头", REISSUE),
    ("发票开好了吗", PROGRESS), ("发票开了没", PROGRESS), ("怎么还没收到发票", PROGRESS),
    ("你们发票怎么开", None), ("能开发票吗", None), ("那发票呢", None), ("公司抬头怎么开", None),
])
def test_which_part_of_the_invoice_a_question_is_about(text, kind):
    assert invoice_question(text) == kind


def test_a_title_to_correct_gets_the_reissue_answer_and_other_questions_the_invoice_answer():
    invoice = FaqBook(DEFAULT_FAQ_PATH).answer("invoice")
    assert invoice.for_question("抬头写错了能改吗").startswith("发票抬头或税号填错了可以换开")
    assert "增值税专用发票" in invoice.for_question("你们发票怎么开")


def test_an_ordinal_counting_goods_names_an_item():
    assert names_an_item("第二件") and names_an_item("是第1件")
    assert not names_an_item("第二个") and has_ordinal("第二个")


def test_a_reason_typed_at_the_summary_may_replace_the_reason_but_a_question_may_not():
    events = [{"event": "slot", "name": "reason", "value": "changed_mind"}, {"event": "user", "text": "…"}]
    assert kept_at_summary(events, CONFIRM_SLOT, "屏幕有问题", "reason") is None
    assert kept_at_summary(events, CONFIRM_SLOT, "退款多久到账", "reason") == "changed_mind"


def test_an_order_named_by_state_in_a_request_leaves_no_product_word():
    assert product_words("帮我把没付款那单取消了") == []
    assert product_words("把耳机那单取消") == ["耳机"]


def test_hurrying_after_an_after_sales_answer_is_that_request_hurried():
    from assistant.after_sales_dialogue import route_before_services
    from assistant.follow_up import follow_up

    ranking = [{"name": "out_of_scope", "confidence": 0.9}]
    assert follow_up("怎么这么慢", ranking, [], "after_sales", []).intent == "after_sales"
    assert route_before_services("怎么这么慢", [], False).kind == "hurry"
    assert route_before_services("退款能快点吗", ["refund_progress"], False).kind == "hurry"
    assert route_before_services("能快点给我换吗", [], True) is None     # a request, the form


def test_an_order_by_its_place_is_read_only_with_an_order_word():
    from assistant.order_matching import nth_recent_order

    assert nth_recent_order("帮我看看第二个订单") == "第二个订单"
    assert nth_recent_order("第2单到哪了") == "第2单"
    assert nth_recent_order("第二个") is None


def test_a_cancel_word_that_leads_to_another_service_switches_the_service():
    from assistant.after_sales_dialogue import switches_service

    assert switches_service("算了 我想换货") == "exchange"
    assert switches_service("算了，还是退货吧") == "return"
    assert switches_service("算了不退了") is None
    assert switches_service("算了 不用退款了") is None
    assert switches_service("不用了，运费谁出？") is None
    events = [{"event": "slot", "name": "service_type", "value": "return"}, {"event": "user", "text": "…"}]
    assert kept_at_summary(events, CONFIRM_SLOT, "算了 还是换货吧", "service_type") is None
    assert kept_at_summary(events, CONFIRM_SLOT, "退款多久到账", "service_type") == "return"
