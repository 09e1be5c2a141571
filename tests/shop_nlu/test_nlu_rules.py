"""Fixed-shape entities: order numbers, phone suffixes, quantities, sizes, colours."""
import pytest

from shop_nlu.normalize import normalize_text
from shop_nlu.rules import ColourMatcher, find_order_numbers, find_phone_suffix, find_quantities, find_sizes


def values(entities):
    return [e.value for e in entities]


@pytest.mark.parametrize("text", [
    "订单号：２０２６１１２０１２３４５６７８９０",
    "单号 2026 1120 1234 5678 90 帮我查下",
    "订单号是202611-2012345678-90",
    "202611201234567890到哪了",
    "帮我查下订单#202611201234567890",
])
def test_order_number_any_way_it_is_typed(text):
    assert values(find_order_numbers(normalize_text(text))) == ["202611201234567890"]


def test_order_number_next_to_a_phone_suffix():
    text = "202611201234567890 尾号1234"
    assert values(find_order_numbers(text)) == ["202611201234567890"]
    assert values(find_phone_suffix(text)) == ["1234"]


def test_short_number_after_an_order_keyword_is_kept_as_typed():
    # not a valid order number, but the shopper meant one: the action can say so
    assert values(find_order_numbers("我的订单1234567890123到哪了")) == ["1234567890123"]


def test_no_order_number_in_other_numbers():
    assert find_order_numbers("手机号13812345678") == []
    assert find_order_numbers("预算3000") == []


@pytest.mark.parametrize("text,suffix", [
    ("手机尾号是5678", "5678"), ("尾号：0521", "0521"), ("后四位 6789", "6789"),
    ("我手机号13812345678", "5678"), ("138-1234-5678", "5678"), ("尾号幺二三四", "1234"),
])
def test_phone_suffix(text, suffix):
    assert values(find_phone_suffix(normalize_text(text))) == [suffix]


@pytest.mark.parametrize("text,qty", [
    ("买2件白色的", "2"), ("来三双42码的", "3"), ("要一个黑的", "1"), ("两台一起拍", "2"),
    ("x2", "2"), ("一打袜子", "12"), ("我要订20件", "20"), ("数量：10", "10"), ("买三包纸巾", "3"),
])
def test_quantity(text, qty):
    assert values(find_quantities(normalize_text(text))) == [qty]


@pytest.mark.parametrize("text", [
    "这两个有什么区别", "3个月能到吗", "推荐一个", "问一个问题", "两个颜色哪个好", "这款有几种",
    "满99包邮吗", "88包邮不",
    # issue 14, real-message entity check: invoices are no goods, nor a discount for so many
    "开两张票可以吗", "空调能分出三张发票开吗", "两件八折的活动到什么时候", "3件7.5折",
    # issue 14 round 17: 三包 is the statutory warranty
    "三包期内坏了怎么办", "三包是怎么规定的",
])
def test_not_a_quantity(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize("text,size", [
    ("要M码", "M"), ("XL的有吗", "XL"), ("3XL", "XXXL"), ("2xl", "XXL"),
    ("均码吗", "均码"), ("42码还有吗", "42"), ("穿42的", "42"), ("38号鞋", "38"), ("37.5码", "37.5"),
    ("256G的多少钱", "256GB"), ("1TB", "1TB"), ("12+256的有货吗", "12GB+256GB"), ("55寸电视", "55英寸"),
    ("175/92A", "175/92A"), ("要170 / 88a的", "170/88A"), ("165/84", "165/84"),
])
def test_size(text, size):
    assert values(find_sizes(normalize_text(text))) == [size]


@pytest.mark.parametrize("text", ["15号能发货吗", "小孩3岁穿多大码", "S24 Ultra", "iPhone 15 Pro Max",
                                  "11/20能到吗", "1/2", "2026/11/20"])
def test_not_a_size(text):
    assert find_sizes(text) == []


COLOURS = ColourMatcher(["远峰蓝", "黑色钛金属", "星光色", "雪山粉"])


@pytest.mark.parametrize("text,colour", [
    ("有白色的吗", "白色"), ("要黑的", "黑色"), ("远峰蓝有货吗", "远峰蓝"), ("黑色钛金属", "黑色钛金属"),
    ("藏青的有吗", "藏青色"), ("black的", "黑色"), ("雪山粉", "雪山粉"),
])
def test_colour(text, colour):
    assert values(COLOURS.find(text)) == [colour]


@pytest.mark.parametrize("text", ["明白的", "口红色号", "小米的手机", "奶粉的段数", "现金的"])
def test_not_a_colour(text):
    assert COLOURS.find(text) == []
