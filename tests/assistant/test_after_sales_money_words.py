"""Whose money a refund question asks about, in its words (assistant/after_sales_dialogue.py)."""
import pytest

from assistant.after_sales_dialogue import names_a_request, names_something_bought, request_number_in


@pytest.mark.parametrize("text", ["SH20240503004211 的退款呢", "退货的钱到哪了", "换货的运费退了吗", "维修的钱", "售后退款多久到"])
def test_a_request_named(text):
    assert names_a_request(text)


@pytest.mark.parametrize("text", ["钱退到哪", "退款多久能到账", ""])
def test_a_refund_alone_names_no_request(text):
    assert not names_a_request(text)


def test_the_service_number_quoted():
    assert request_number_in("帮我查下SH20240503004211进度") == "SH20240503004211"
    assert request_number_in("查下我的售后") is None
    assert request_number_in(None) is None


@pytest.mark.parametrize("text", ["上周买的跑鞋退款到账没", "我下单的耳机退款呢", "之前买过的那个"])
def test_a_refund_asked_by_what_was_bought(text):
    assert names_something_bought(text)


@pytest.mark.parametrize("text", ["退款到账没", "我要买跑鞋", ""])
def test_no_purchase_named(text):
    assert not names_something_bought(text)
