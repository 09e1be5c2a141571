import os
import time

from assistant import after_sales as vocabulary
from assistant.faq import DEFAULT_FAQ_PATH, FaqBook
from assistant.handoff_summary import Turn, summarise
from shop.domain.after_sales import AfterSalesReason, ServiceType


def write(path, text):
    path.write_text(text, encoding="utf-8")
    # Make sure the mtime moves even on coarse-grained file systems.
    stamp = time.time() + (1 if path.exists() else 0)
    os.utime(path, (stamp, stamp))


def test_shipped_faq_answers_every_purchase_topic_the_menu_offers():
    book = FaqBook(DEFAULT_FAQ_PATH)
    for topic in ("payment", "instalment", "invoice", "shipping_fee", "delivery_time", "coupon", "return_policy", "warranty"):
        answer = book.answer(topic)
        assert answer is not None, topic
        assert answer.title and answer.pick()


def test_faq_edits_are_picked_up_without_restart(tmp_path):
    faq = tmp_path / "faq.yml"
    write(faq, "topics:\n  invoice:\n    title: 发票\n    answer: 可以开电子发票。\n")
    book = FaqBook(faq)
    assert book.answer("invoice").pick() == "可以开电子发票。"
    write(faq, "topics:\n  invoice:\n    title: 发票\n    answer: [可以开专票。, 专票普票都能开。]\n")
    assert set(book.answer("invoice").answers) == {"可以开专票。", "专票普票都能开。"}


def test_a_broken_edit_keeps_the_previous_answers(tmp_path):
    faq = tmp_path / "faq.yml"
    write(faq, "topics:\n  invoice:\n    title: 发票\n    answer: 可以开电子发票。\n")
    book = FaqBook(faq)
    assert book.answer("invoice")
    write(faq, "topics: [unclosed\n")
    assert book.answer("invoice").pick() == "可以开电子发票。"


def test_unknown_topic_has_no_answer():
    assert FaqBook(DEFAULT_FAQ_PATH).answer("weather") is None


def test_nlu_service_types_map_onto_the_domain():
    assert vocabulary.service_type("退货") is ServiceType.RETURN
    assert vocabulary.service_type("换货") is ServiceType.EXCHANGE
    assert vocabulary.service_type("退款") is ServiceType.REFUND_ONLY
    assert vocabulary.service_type("维修") is ServiceType.REPAIR
    assert vocabulary.service_type("补发") is ServiceType.RESEND
    assert vocabulary.service_type("repair") is ServiceType.REPAIR
    assert vocabulary.service_type("洗车") is None
    assert vocabulary.service_type(None) is None


def test_nlu_reasons_map_onto_the_domain():
    assert vocabulary.reason("quality_issue") is AfterSalesReason.QUALITY
    assert vocabulary.reason("missing_item") is AfterSalesReason.MISSING_PARTS
    assert vocabulary.reason("quality") is AfterSalesReason.QUALITY
    assert vocabulary.reason("七天无理由") is AfterSalesReason.NO_REASON
    assert vocabulary.reason("<script>") is None


def test_every_reason_choice_and_service_has_next_steps_or_label():
    for reason in vocabulary.REASON_CHOICES:
        assert reason.label
    for service in ServiceType:
        assert vocabulary.NEXT_STEPS[service]


def test_handoff_summary_tells_an_agent_what_happened():
    turns = [
        Turn("你好", "greet", ["utter_greet"]),
        Turn("我要退货", "after_sales", ["action_after_sales_route", "after_sales_form"]),
        Turn("转人工", "human_handoff", []),
    ]
    summary = summarise(turns, "202611201234567890", "小米14 12GB+256GB 白色", signed_in=True)
    assert "诉求：售后" in summary
    assert "订单：202611201234567890" in summary
    assert "商品：小米14" in summary
    assert "售后申请表单" in summary
    assert "已登录顾客" in summary
    assert "我要退货" in summary


def test_handoff_summary_for_a_guest_with_nothing_tried():
    summary = summarise([Turn("转人工", "human_handoff", [])], None, None, signed_in=False)
    assert "游客" in summary and "已尝试：无" in summary
