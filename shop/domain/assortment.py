"""What the shop carries, for shoppers who ask for something it does not, or for a gift.

Pure rules over the shop's leaf category names (``shop.seed.vocabulary``): a thing the shop
does not sell maps to the nearest categories it does sell, and a gift recipient maps to the
categories that make sense for them. Never a category that has nothing to do with the need:
a gift for one's mother is never engine oil.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

# Things shoppers ask for that the shop does not sell -> the nearest categories it does sell.
NOT_CARRIED: dict[str, Tuple[str, ...]] = {
    "按摩仪": ("个护电器", "健身器材"),
    "按摩椅": ("个护电器", "健身器材"),
    "按摩器": ("个护电器", "健身器材"),
    "足浴盆": ("个护电器", "床上用品"),
    "保健品": ("牛奶乳品", "粮油调味"),
    "药": ("个护电器", "口腔护理"),
    "沙发": ("床上用品", "收纳整理", "灯具照明"),
    "自行车": ("户外装备", "运动服饰"),
    "电动车": ("车载电器", "户外装备"),
    "游戏机": ("显示器", "耳机耳麦", "键盘鼠标"),
    "无人机": ("数码相机", "户外装备"),
    "投影仪": ("电视", "显示器"),
    "鲜花": ("香水", "黄金首饰", "休闲零食"),
    "蛋糕": ("休闲零食", "牛奶乳品"),
}
_NOT_CARRIED_RE = re.compile("|".join(sorted(map(re.escape, NOT_CARRIED), key=len, reverse=True)))
# "药" alone is too short to trust inside other words (芍药, 火药...): only as a thing bought.
_DRUG_RE = re.compile(r"(买|要|有|卖)(点|些)?(感冒|退烧|止痛)?药")

# Gift recipients -> categories worth giving them, best first.
GIFT_IDEAS: dict[str, Tuple[str, ...]] = {
    "女朋友": ("香水", "彩妆", "黄金首饰", "面部护肤"),
    "男朋友": ("手表", "智能手表", "耳机耳麦", "香水"),
    "长辈": ("个护电器", "智能手表", "黄金首饰", "牛奶乳品"),
    # A baby (a newborn, a 满月 or 百天 gift) needs baby things, not picture books and snacks.
    "宝宝": ("喂养用品", "纸尿裤", "童车童床", "奶粉"),
    "孩子": ("童书", "文具", "休闲零食"),
    "朋友": ("耳机耳麦", "香水", "休闲零食", "智能手表"),
}
_RECIPIENTS: Tuple[Tuple[str, re.Pattern], ...] = (
    ("女朋友", re.compile(r"女朋友|女友|老婆|媳妇|对象|闺蜜|女生")),
    ("男朋友", re.compile(r"男朋友|男友|老公|男生")),
    ("长辈", re.compile(r"妈|母亲|爸|父亲|爷爷|奶奶|外公|外婆|姥姥|姥爷|长辈|老人")),
    ("宝宝", re.compile(r"刚出生|新生儿|婴儿|满月|百天|小宝宝")),
    ("孩子", re.compile(r"孩子|小孩|儿子|女儿|宝宝|侄子|外甥")),
    ("朋友", re.compile(r"朋友|同事|领导|老师|同学")),
)
_GIFT_RE = re.compile(r"礼物|送给|送人|送我|送他|送她|给.{1,6}买|送.{1,4}(什么|啥)")
# "送男朋友 500以内", "送同事": a recipient right after 送 is a gift request too (送货, 送达 and
# 送到 are not followed by one).
_SEND_TO_RECIPIENT_RE = re.compile("送(?:" + "|".join(pattern.pattern for _, pattern in _RECIPIENTS) + ")")


def not_carried(text: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """``(thing, nearest categories)`` when the shopper asks for something the shop does not sell."""
    match = _NOT_CARRIED_RE.search(text or "")
    if match is None:
        return None
    thing = match.group(0)
    if thing == "药" and not _DRUG_RE.search(text):
        return None
    return thing, NOT_CARRIED[thing]


def gift_recipient(text: str) -> Optional[str]:
    """The recipient group of a gift request ("送女朋友的礼物" -> 女朋友), else None."""
    text = text or ""
    if not (_GIFT_RE.search(text) or _SEND_TO_RECIPIENT_RE.search(text)):
        return None
    for recipient, pattern in _RECIPIENTS:
        if pattern.search(text):
            return recipient
    return "朋友" if "礼物" in text else None
