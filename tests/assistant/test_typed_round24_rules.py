"""Round 24 (fix1): what the typed rounds left short."""
from datetime import datetime, timezone

from assistant.faq import FaqBook
from assistant.price_protection import how_to_apply, price_protection_text


def test_one_orders_price_protection_says_the_faqs_exclusions():
    # content/faq.yml is the one copy of what price protection leaves out (以旧换新补贴, 赠品).
    now = datetime(2026, 12, 7, 4, tzinfo=timezone.utc)
    delivered = datetime(2026, 12, 5, 4, tzinfo=timezone.utc)
    text = price_protection_text("1", "手机", delivered, delivered, now)
    assert "以旧换新补贴" in text and "赠品" in text
    assert "告诉我订单号" not in text and "付款后到签收后" not in text


def test_an_operators_edit_of_the_faq_reaches_the_orders_answer(tmp_path):
    faq = tmp_path / "faq.yml"
    faq.write_text("topics:\n  price_protection:\n    title: 价保\n    answer: |\n"
                   "      付款后到签收后 7 天内，降价可申请价保。\n      预售商品不在价保范围内。\n"
                   "      告诉我订单号，我帮您看看能不能价保。\n", encoding="utf-8")
    assert how_to_apply(FaqBook(faq)) == "降价可申请价保。预售商品不在价保范围内。"
