"""shop.domain.assortment: gift recipients and what the shop does not carry."""
import pytest

from shop.domain.assortment import gift_recipient, not_carried


@pytest.mark.parametrize("text,recipient", [
    ("有没有适合送女朋友的礼物", "女朋友"), ("送男朋友 500以内", "男朋友"), ("送同事 200以内", "朋友"),
    ("想给我妈买个按摩仪", "长辈"), ("送老婆什么好", "女朋友"), ("给儿子买个礼物", "孩子"), ("买个礼物", "朋友"),
])
def test_gift_requests_name_their_recipient(text, recipient):
    assert gift_recipient(text) == recipient


@pytest.mark.parametrize("text", ["送货要多久", "什么时候送达", "送到我妈家", "送货上门吗", "我要买手机", ""])
def test_delivery_words_are_not_gift_requests(text):
    assert gift_recipient(text) is None


def test_not_carried_names_the_nearest_categories():
    thing, nearest = not_carried("你们有卖自行车吗")
    assert thing == "自行车" and nearest
    assert not_carried("我要买手机") is None
