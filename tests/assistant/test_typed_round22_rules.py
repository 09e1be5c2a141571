"""Rules behind typed round 22 (tests/conversations/typed_round22.yml): the warranty of a kind
of goods and of an order, the question a guest's look-up was opened for, an invoice title that
is no address change, the shopper's own membership level, and the policy file's verdicts on a
gift card's expiry and deleting a review."""
from datetime import datetime, timedelta, timezone

from assistant.address_choice import address_wished
from assistant.after_sales_dialogue import route_before_services
from assistant.faq import faq_book
from assistant.invoices import changes_invoice_not_address
from assistant.membership import asks_own_level, level_text
from assistant.price_protection import asks_price_protection, lookup_texts
from assistant.warranty import category_warranty_text, order_warranty_text, span_text

NOW = datetime(2026, 12, 8, 4, 0, tzinfo=timezone.utc)
ASK_SUFFIX = "为了保护您的隐私，请提供该订单收货手机号的后四位。"


# --- warranty ------------------------------------------------------------------------------

def test_a_category_warranty_is_said_in_years_or_months():
    assert span_text(12) == "1 年" and span_text(72) == "6 年" and span_text(6) == "6 个月"
    assert category_warranty_text("耳机耳麦", 12).startswith("保修期：耳机耳麦 1 年")
    assert "没有保修期" in category_warranty_text("男装", 0)


def test_an_order_warranty_runs_from_delivery_until_a_day():
    delivered = NOW - timedelta(days=200)
    text = order_warranty_text("202605229005786290", "联想 拯救者Y9000P", "笔记本电脑", 24, delivered, NOW)
    assert "保修 2 年" in text and "还在保修期内" in text
    until = delivered.replace(year=delivered.year + 2)
    assert f"保修到{until.year}年" in text


def test_an_order_out_of_warranty_offers_paid_repair():
    delivered = NOW - timedelta(days=800)
    text = order_warranty_text("202605229005786290", "联想 拯救者Y9000P", "笔记本电脑", 24, delivered, NOW)
    assert "已经过了保修期" in text and "先报价" in text


def test_an_order_not_yet_delivered_says_the_warranty_starts_on_delivery():
    text = order_warranty_text("202612079409591205", "Apple AirPods Pro 2", "耳机耳麦", 12, None, NOW)
    assert "还没签收" in text and "从签收日开始算" in text


# --- price protection after a guest's look-up ----------------------------------------------------

def _user(text):
    return {"event": "user", "text": text}


def _bot(text):
    return {"event": "bot", "text": text}


def test_the_look_up_reaches_back_to_the_question_it_was_opened_for():
    events = [_user("你好"), _bot("您好"), _user("手机降价了能价保不"), _bot("付款后到签收后 7 天内……告诉我订单号"),
              _user("202612041490352188"), _bot(ASK_SUFFIX), _user("3949")]
    texts = lookup_texts(events, lambda said: said == ASK_SUFFIX)
    assert texts == ["3949", "202612041490352188", "手机降价了能价保不"]
    assert any(asks_price_protection(t) for t in texts)


def test_a_plain_status_look_up_asked_no_price_protection():
    events = [_user("查下订单202612041490352188"), _bot(ASK_SUFFIX), _user("3949")]
    assert not any(asks_price_protection(t) for t in lookup_texts(events, lambda said: said == ASK_SUFFIX))


# --- an invoice's title is no address ------------------------------------------------------

def test_an_invoice_title_changed_to_the_company_is_no_address_change():
    assert changes_invoice_not_address("精华液那单发票抬头写错了 要改成公司的")
    assert address_wished("精华液那单发票抬头写错了 要改成公司的") is None
    assert address_wished("精华液那单地址改成公司那个") == "公司那个"
    assert not changes_invoice_not_address("发票寄到的收货地址改成公司的")


# --- membership, reviews, gift cards -------------------------------------------------------

def test_the_shoppers_own_level_is_asked_and_said():
    assert asks_own_level("我现在是什么会员啊") and asks_own_level("我是几级会员")
    assert not asks_own_level("会员有什么好处")
    assert level_text("金卡会员", True).startswith("您现在是金卡会员")
    assert "登录" in level_text(None, False)


def test_a_bad_review_to_delete_is_the_review_rule_not_a_complaint():
    route = route_before_services("给了差评能删吗", ["complaint"], False)
    assert route is not None and route.kind == "policy" and route.policy_topics == ("review",)
    assert route_before_services("你们服务太差了我要投诉", ["complaint"], False).kind == "complaint"
    assert faq_book().answer("review").for_question("给了差评能删吗").startswith("评价发布后不能删除")


def test_an_expired_gift_card_is_answered_first():
    answer = faq_book().answer("gift_card").for_question("礼品卡过期了还能用不")
    assert answer.startswith("礼品卡有效期 3 年") and "过期后卡里的余额就不能再用了" in answer


# --- service points and the installer's visit ----------------------------------------------

def test_a_place_that_repairs_asked_by_what_it_repairs_is_a_service_points_question():
    from assistant.services import ServiceAsk, what_is_asked

    assert what_is_asked("杭州有修手机的地方没", ()) == (ServiceAsk.SERVICE_POINTS,)
    assert what_is_asked("南京哪有修电脑的地方", ()) == (ServiceAsk.SERVICE_POINTS,)
    assert what_is_asked("修好的地方还会坏吗", ()) == ()


def test_a_city_typed_without_its_shi_is_still_a_place_we_may_not_serve():
    from assistant.services import other_place

    assert other_place("拉萨有吗") == "拉萨市"
    assert other_place("我在拉萨市") == "拉萨市"
    assert other_place("能修吗") is None and other_place("楼下超市") is None


def test_the_time_a_shopper_wants_the_installer_is_read():
    from assistant.services import wished_time

    assert wished_time("我想约师傅明天下午来装空调 行不") == "明天下午"
    assert wished_time("周六能来装吗") == "周六"
    assert wished_time("空调啥时候来装啊 都签收了") is None
