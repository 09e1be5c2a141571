"""Colour families: shoppers ask for 黑色, listings say 曜石黑 or 黑色钛金属.

Used by the seed (to describe SKUs) and by the search index (a 曜石黑 SKU is also found
under 黑色), so it lives here rather than in either.
"""
from __future__ import annotations

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "黑色": ("黑色", "黑白", "曜石黑", "雅丹黑", "黑色钛金属", "午夜色", "深空灰", "星际黑", "经典黑", "幻夜黑", "曜金黑"),
    "白色": ("白色", "白色钛金属", "珍珠白", "月光白", "星光色", "象牙白", "云白", "晶釉白", "米白色", "奶白色"),
    "灰色": ("灰色", "白沙银", "深灰色", "浅灰色", "星蕴银", "银色", "原色钛金属", "钛空银", "雾霾灰"),
    "蓝色": ("蓝色", "蓝色钛金属", "岩石青", "天青蓝", "冰川蓝", "海军蓝", "宝石蓝", "雾蓝", "藏青色"),
    "绿色": ("绿色", "雅川青", "松针绿", "薄荷绿", "墨绿色", "橄榄绿"),
    "紫色": ("紫色", "南糯紫", "罗兰紫", "丁香紫", "浅紫色"),
    "粉色": ("粉色", "雪山粉", "紫红色", "樱花粉", "樱粉金", "蜜桃粉", "玫瑰粉"),
    "红色": ("红色", "中国红", "酒红色", "珊瑚红"),
    "金色": ("金色", "流光金", "香槟金", "沙漠金"),
    "黄色": ("黄色", "柠檬黄", "姜黄色"),
    "棕色": ("棕色", "卡其色", "驼色", "咖啡色"),
}
COLOUR_FAMILY_OF = {shade: family for family, shades in COLOUR_FAMILIES.items() for shade in shades}


def colour_family(shade: str) -> str:
    """The family a shopper would name (曜石黑 -> 黑色); an unknown colour is its own family."""
    return COLOUR_FAMILY_OF.get(shade, shade)


def same_colour(wanted: str, shade: str) -> bool:
    """Does a listing's ``shade`` answer a shopper who asked for ``wanted`` (a family or a shade)?"""
    return shade == wanted or COLOUR_FAMILY_OF.get(shade) == colour_family(wanted)


def shades_answering(wanted: str) -> tuple[str, ...]:
    """Every shade ``same_colour(wanted, shade)`` accepts, ``wanted`` first: the recommender,
    which imports nothing of the shop, filters by this list instead of a rule of its own."""
    return (wanted,) + tuple(s for s in COLOUR_FAMILIES.get(colour_family(wanted), ()) if s != wanted)

