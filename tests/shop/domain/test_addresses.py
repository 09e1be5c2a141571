"""Typed delivery addresses parsed into the parts an order keeps."""
import pytest

from shop.domain.addresses import one_line, parse_address


@pytest.mark.parametrize("text,parts", [
    ("改到上海市浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("北京朝阳区建国路88号SOHO现代城", ("北京市", "北京市", "朝阳区", "建国路88号SOHO现代城")),
    ("新地址：广东省深圳市南山区科技园路1号", ("广东省", "深圳市", "南山区", "科技园路1号")),
    ("帮我改成江苏省苏州市工业园区星湖街328号", ("江苏省", "苏州市", "工业园区", "星湖街328号")),
    ("杭州市西湖区文三路90号", ("", "杭州市", "西湖区", "文三路90号")),
])
def test_full_addresses(text, parts):
    parsed = parse_address(text)
    assert (parsed.province, parsed.city, parsed.district, parsed.detail) == parts


@pytest.mark.parametrize("text", ["杭州", "上海浦东新区", "公司那个", "第二个", "改到我家", ""])
def test_not_an_address(text):
    assert parse_address(text) is None


def test_one_line_names_a_municipality_once():
    assert one_line("上海市", "上海市", "浦东新区", "世纪大道1号") == "上海市浦东新区世纪大道1号"
    assert one_line("浙江省", "杭州市", "西湖区", "文三路90号") == "浙江省杭州市西湖区文三路90号"


@pytest.mark.parametrize("text,parts", [
    # An address card pasted whole: the recipient and mobile are taken apart from the street.
    ("北京市朝阳区建国路88号SOHO现代城5号楼1201 李雷 13800138000",
     ("北京市", "朝阳区", "建国路88号SOHO现代城5号楼1201", "李雷", "13800138000")),
    ("收货人：李雷 手机号码：138 0013 8000 所在地区：北京市朝阳区 详细地址：建国路88号SOHO现代城",
     ("北京市", "朝阳区", "建国路88号SOHO现代城", "李雷", "13800138000")),
    ("王小明，139-1234-5678，浙江省杭州市西湖区文三路100号",
     ("杭州市", "西湖区", "文三路100号", "王小明", "13912345678")),
    # A mobile with no name beside it: the phone only.
    ("上海市浦东新区世纪大道88号金茂大厦 13800138000", ("上海市", "浦东新区", "世纪大道88号金茂大厦", None, "13800138000")),
    # No mobile: no word is taken for a name ("金茂大厦" names a building).
    ("改到上海市浦东新区 世纪大道88号 金茂大厦", ("上海市", "浦东新区", "世纪大道88号金茂大厦", None, None)),
])
def test_a_pasted_address_card_gives_the_recipient_and_mobile(text, parts):
    parsed = parse_address(text)
    assert (parsed.city, parsed.district, parsed.detail, parsed.recipient, parsed.phone) == parts
