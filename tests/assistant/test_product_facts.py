from types import SimpleNamespace
from decimal import Decimal

import pytest

from assistant.product_facts import (
    comparison, in_stock_values, measurements, shoe_size, size_advice, spec_lines,
)
from shop.db.records import ProductDetail, SkuInfo


def sku(i, stock, **attributes):
    return SkuInfo(id=i, sku_code=f"S{i}", name="", attributes=attributes, price=Decimal("99"),
                   original_price=Decimal("129"), stock=stock, is_active=True)


def product(skus, **attributes):
    return ProductDetail(
        id=1, title="优衣库 男士圆领短袖T恤", model="T恤", brand="优衣库", brand_en="UNIQLO", category_id=1,
        category_path=("服饰鞋包", "男装"), price=Decimal("99"), original_price=Decimal("129"), description="",
        attributes=attributes, rating=4.8, review_count=100, sales_count=1000, image_ref=None, is_on_sale=True,
        skus=tuple(skus), warranty_months=0, no_reason_return=True,
    )


TEE = product([sku(1, 5, 尺码="M", 颜色="黑色"), sku(2, 0, 尺码="L", 颜色="黑色"), sku(3, 9, 尺码="XL", 颜色="白色")],
              材质="纯棉", 版型="修身")
SHOES = product([sku(1, 3, 尺码="41", 颜色="黑色"), sku(2, 4, 尺码="42", 颜色="黑色")])


@pytest.mark.parametrize("text, height, weight", [
    ("身高175cm体重70kg", 175, 70), ("1米75 140斤", 175, 70), ("我178厘米", 178, None), ("65公斤", None, 65),
])
def test_measurements(text, height, weight):
    m = measurements(text)
    assert (m.height_cm, m.weight_kg) == (height, weight)


def test_foot_length_to_shoe_size():
    assert shoe_size(measurements("脚长26厘米")) == 40
    assert shoe_size(measurements("平时穿42码")) == 42


def test_size_advice_uses_the_chart_and_the_stock():
    assert size_advice(TEE, "身高165 体重55kg").size == "M"
    advice = size_advice(TEE, "身高172 体重68公斤")
    assert advice.size == "L" and not advice.available and "缺货" in advice.text
    assert "身高" in size_advice(TEE, "什么码合适").text


def test_slim_fit_sizes_up_for_a_solid_build():
    regular = product(TEE.skus, 版型="宽松")
    assert size_advice(regular, "身高183 体重81kg").size == "XL"
    assert size_advice(TEE, "身高183 体重81kg").size == "XXL"


def test_shoe_advice():
    assert size_advice(SHOES, "平时穿42码").available
    assert "没有这个尺码" in size_advice(SHOES, "我穿45码").text


def test_colours_in_stock_only():
    assert in_stock_values(TEE, "颜色") == ["黑色", "白色"]


def test_specs_and_comparison():
    assert "材质：纯棉" in spec_lines(TEE)
    rows = comparison(TEE, SHOES)
    assert rows[0] == ("价格", "¥99.00", "¥99.00")


# --- variants and aspects (issue 15, deliverable 6) ---------------------------------------

def _variant_product():
    from decimal import Decimal

    from shop.db.records import SkuInfo
    skus = [
        SkuInfo(i, f"S{i}", f"{storage} {colour}", {"存储容量": storage, "颜色": colour},
                Decimal(price), Decimal(price), stock, True)
        for i, (storage, colour, price, stock) in enumerate([
            ("128GB", "原色钛金属", "9999", 0), ("128GB", "午夜色", "9999", 5),
            ("256GB", "原色钛金属", "11499", 0), ("256GB", "午夜色", "11499", 40)], start=1)
    ]
    return skus


def test_wanted_variant_reads_storage_colour_and_shoe_sizes():
    from types import SimpleNamespace

    from assistant.product_facts import match_variant, wanted_variant
    phone = SimpleNamespace(skus=_variant_product(), attributes={})
    assert wanted_variant(phone, "iPhone 15 Pro Max 256GB 有货吗") == {"存储容量": "256GB"}
    assert wanted_variant(phone, "256g黑色的还有吗") == {"存储容量": "256GB", "颜色": "黑色"}
    assert wanted_variant(phone, "有1TB的吗") == {"存储容量": "1TB"}
    assert wanted_variant(phone, "多少钱") == {}
    match = match_variant(phone, {"存储容量": "256GB", "颜色": "黑色"})
    assert [s.name for s in match.skus] == ["256GB 午夜色"]        # 午夜色 is a black
    assert match_variant(phone, {"存储容量": "1TB"}).offered == {"存储容量": ["128GB", "256GB"]}


def test_shoe_sizes_need_ma_so_a_model_number_is_not_a_size():
    from decimal import Decimal
    from types import SimpleNamespace

    from assistant.product_facts import wanted_variant
    from shop.db.records import SkuInfo
    skus = [SkuInfo(i, f"N{i}", f"灰色 {size}", {"尺码": str(size), "颜色": "灰色"}, Decimal(899), Decimal(899), 3, True)
            for i, size in enumerate((39, 40, 41, 42))]
    shoe = SimpleNamespace(skus=skus, attributes={})
    assert wanted_variant(shoe, "耐克 Pegasus 40 有42码吗") == {"尺码": "42"}
    assert wanted_variant(shoe, "Pegasus 40 有45码吗") == {"尺码": "45"}
    assert wanted_variant(shoe, "Pegasus 40 怎么样") == {}


def test_aspects_answer_from_attributes_or_are_reported_missing():
    from types import SimpleNamespace

    from assistant.product_facts import aspect_answers
    phone = SimpleNamespace(skus=[], attributes={"电池容量": "4422mAh", "屏幕尺寸": "6.7英寸"})
    lines, missing = aspect_answers(phone, "续航多久，屏幕多大")
    assert lines == ["电池容量：4422mAh（实际续航因使用习惯而异）", "屏幕尺寸：6.7英寸"] and missing == []
    lines, missing = aspect_answers(phone, "防水吗")
    assert lines == [] and [a.label for a in missing] == ["防水"]
    assert aspect_answers(phone, "多少钱") == ([], [])


def test_a_typed_name_names_the_product_only_when_its_model_is_in_the_listing():
    from assistant.product_facts import names_the_product

    honor = SimpleNamespace(brand="荣耀", brand_en="HONOR", title="荣耀X50 16GB+1TB 黑色 5G手机", model="荣耀X50")
    iphone = SimpleNamespace(brand="Apple", brand_en="Apple", title="Apple iPhone 15 128GB 黑色", model="iPhone 15")
    assert names_the_product("荣耀X50", honor)
    assert names_the_product("iphone15", iphone)
    assert not names_the_product("诺基亚N95", honor)
    assert not names_the_product("小米14", iphone)
