"""Round 7's rules, pure: the shop's phone asked for, "买了" after recommendations, a kind the
shop lacks, the gift title under a named category (typed conversations: typed_round7.yml)."""
import pytest

from assistant.bought import says_bought
from assistant.contact import asks_for_contact_means
from assistant.recommendation_requests import RecommendationRequest, another_name_for, gift_title


@pytest.mark.parametrize("text, means", [
    ("有没有客服电话", True), ("客服电话多少", True), ("人工客服电话是多少", True), ("商家联系方式", True),
    ("我要转人工", False), ("我想找人工客服", False), ("怎么联系商家", False), ("京东客服电话多少", True), ("顺丰电话多少", False),
    ("手机号码怎么改", False),
])
def test_a_question_about_the_shops_phone_is_not_a_request_for_a_person(text, means):
    assert asks_for_contact_means(text) is means


@pytest.mark.parametrize("text", ["买了", "已经买了", "下单了", "我已经下单了", "刚下单了！", "好的 买了", "拍下了"])
def test_bought_after_recommendations(text):
    assert says_bought(text, "ask_recommendation")
    assert says_bought(text, "product_inquiry")


@pytest.mark.parametrize("text", ["买了怎么还没发货", "下单了能改地址吗", "买了吗", "买什么好", "我要买"])
def test_questions_about_a_purchase_are_not_news(text):
    assert not says_bought(text, "ask_recommendation")


def test_bought_means_nothing_without_products_shown():
    assert not says_bought("买了", None)
    assert not says_bought("买了", "order_status")


def test_a_word_sharing_only_the_qualifier_of_a_category_is_a_kind_it_lacks():
    assert not another_name_for("洗面奶", "面部护肤")
    assert another_name_for("鞋子", "鞋靴") and another_name_for("尿不湿", "纸尿裤")


def test_the_gift_title_follows_a_named_category():
    assert gift_title(RecommendationRequest(category="手机", gift_for="长辈")) == ""
    assert gift_title(RecommendationRequest(category="个护电器", gift_for="长辈")) == "送长辈，可以考虑个护电器、智能手表、黄金首饰、牛奶乳品。"
    # the idea shown comes first (after a budget moved the list on to the next idea)
    assert gift_title(RecommendationRequest(category="黄金首饰", gift_for="长辈")).startswith("送长辈，可以考虑黄金首饰、个护电器")
