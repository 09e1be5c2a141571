"""Picking a delivery address by typing: ordinal, label, city, or a new address in full."""
import pytest

from assistant.address_choice import address_meant, from_slot
from shop.db.records import SavedAddress


def saved(id_, label, province, city, district, detail, recipient="张伟"):
    return SavedAddress(id=id_, label=label, recipient=recipient, masked_phone="152****3949", province=province,
                        city=city, district=district, detail=detail, is_default=id_ == 1)


BOOK = [saved(1, "家", "浙江省", "杭州市", "余杭区", "望京街547号碧桂园9幢4单元3003室"),
        saved(2, None, "天津市", "天津市", "滨海新区", "星光大道949号碧桂园7幢3单元1103室", recipient="宋红轩"),
        saved(90, "公司", "上海市", "上海市", "浦东新区", "世纪大道88号金茂大厦12楼")]


@pytest.mark.parametrize("text,wanted", [
    ("第二个", 2), ("公司那个", 90), ("改到公司", 90), ("上海那个", 90), ("上海", 90), ("天津的", 2),
    ("家里那个", 1), ("第一个", 1), ("最后那个", 90), ("杭州", 1), ("宋红轩那个", 2),
])
def test_saved_address_by_typed_choice(text, wanted):
    meant = address_meant(text, BOOK)
    assert meant is not None and meant.saved_id == wanted
    assert from_slot(meant.slot_value()) == meant


def test_a_new_address_typed_in_full():
    meant = address_meant("改到北京市朝阳区建国路88号SOHO现代城", BOOK)
    assert meant.saved_id is None and meant.typed.city == "北京市" and meant.typed.detail == "建国路88号SOHO现代城"
    assert from_slot(meant.slot_value()) == meant


def test_a_pasted_address_card_keeps_its_recipient_through_the_slot():
    meant = address_meant("北京市朝阳区建国路88号SOHO现代城5号楼1201 李雷 13800138000", BOOK)
    assert (meant.typed.detail, meant.typed.recipient, meant.typed.phone) == (
        "建国路88号SOHO现代城5号楼1201", "李雷", "13800138000")
    assert from_slot(meant.slot_value()) == meant


@pytest.mark.parametrize("text", ["嗯", "不知道", "第五个", "北京"])
def test_nothing_picked(text):
    assert address_meant(text, BOOK) is None


@pytest.mark.parametrize("value", [None, "", "saved:x", "typed:a|b", "typed:||区|路1号", "typed:a|市|区|路1号||", 3])
def test_malformed_slot_values(value):
    assert from_slot(value) is None
