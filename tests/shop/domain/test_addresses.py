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
