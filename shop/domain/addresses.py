"""Delivery addresses typed by a shopper ("改到上海市浦东新区世纪大道88号"): pure parsing into
the parts an order's address snapshot keeps (province, city, district, street address)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
# Words around an address that are not part of it ("改到…", "新地址是…").
LEAD_IN = re.compile(r"^.*?(改成|改为|改到|换成|换到|送到|寄到|地址是|地址为|新地址[:：]?)")
_PROVINCE = r"(?P<province>[\u4e00-\u9fa5]{2,7}?(?:省|自治区))"
_CITY = r"(?P<city>[\u4e00-\u9fa5]{2,7}?(?:市|自治州|州|盟))"
_DISTRICT = r"(?P<district>[\u4e00-\u9fa5]{1,7}?(?:新区|区|县|市|旗))"
_MUNICIPALITY = rf"(?P<muni>(?:{'|'.join(MUNICIPALITIES)})市?)"
ADDRESS = re.compile(rf"^(?:{_MUNICIPALITY}|{_PROVINCE}?{_CITY}){_DISTRICT}(?P<detail>.+)$")
# A street address names at least a number or a building.
DETAIL = re.compile(r"\d|号|路|街|道|村|幢|栋|楼|室|单元|小区|大厦|广场|园")


# A mainland mobile number pasted with an address, in groups or not ("138 0013 8000").
MOBILE = re.compile(r"(?<![\d])(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
# An order's recipient mobile as stored.
MOBILE_NUMBER = re.compile(r"1[3-9]\d{9}")
# The labels of a pasted address card ("收货人：李雷 手机号码：138… 所在地区：…").
CARD_LABELS = re.compile(r"(收货人|收件人|联系人|姓名|手机号码|手机号|手机|电话号码|电话|联系电话|联系方式|所在地区|"
                         r"详细地址|收货地址|地址)\s*[:：]")
# A recipient's name pasted beside the address: two to four Chinese characters on their own.
NAME = re.compile(r"^[\u4e00-\u9fa5]{2,4}$")
NOT_A_NAME = re.compile(r"[省市区县镇乡村路街道号楼室栋幢园苑府城湾门店厦场]|小区|公寓|中心|单元")


@dataclass(frozen=True)
class TypedAddress:
    province: str
    city: str
    district: str
    detail: str
    # A recipient and mobile pasted with the address ("… 李雷 13800138000"); None: the order's.
    recipient: Optional[str] = None
    phone: Optional[str] = None

    @property
    def one_line(self) -> str:
        return one_line(self.province, self.city, self.district, self.detail)


def one_line(province: str, city: str, district: str, detail: str) -> str:
    """An address as written on a parcel (a municipality's name once: 上海市浦东新区…)."""
    return f"{'' if province == city else province}{city}{district}{detail}"


def same_place(one: str, other: str) -> bool:
    """Whether two addresses written on a parcel name the same place (spaces and the case of
    Latin letters aside): changing an order to the address it already has changes nothing."""
    def plain(text: str) -> str:
        return re.sub(r"\s+", "", text or "").casefold()
    return plain(one) == plain(other)


def parse_address(text: str) -> Optional[TypedAddress]:
    """The address a message gives, or None unless it has a city, a district and a street
    address (a parcel cannot be sent to "上海")."""
    text, recipient, phone = _recipient_apart(text or "")
    text = re.sub(r"\s+", "", text)
    text = LEAD_IN.sub("", text).strip("，,。.！!")
    match = ADDRESS.match(text)
    if not match:
        return None
    detail = match.group("detail").strip("，,。. ")
    if len(detail) < 4 or not DETAIL.search(detail):
        return None
    if match.group("muni"):
        city = match.group("muni").rstrip("市") + "市"
        province = city
    else:
        city = match.group("city")
        # "杭州市西湖区…" without 浙江省 is still a deliverable address.
        province = match.group("province") or ""
    return TypedAddress(province, city, match.group("district"), detail, recipient, phone)


def _recipient_apart(text: str) -> tuple[str, Optional[str], Optional[str]]:
    """An address card pasted whole ("北京市朝阳区建国路88号 李雷 13800138000", "收货人：李雷
    电话：138… 地址：…"): the text without the recipient's mobile number and name, and those.
    A name is taken only beside a mobile number, as a part of its own (two to four Chinese
    characters that name no place), so "改到北京市朝阳区 建国路88号" keeps every word."""
    numbers = MOBILE.findall(text)
    if len(numbers) != 1:
        return text, None, None
    phone = "".join(numbers[0])
    rest = CARD_LABELS.sub(" ", MOBILE.sub(" ", text))
    parts = [p for p in re.split(r"[\s,，;；、]+", rest) if p]
    names = [p for p in parts if NAME.match(p) and not NOT_A_NAME.search(p)]
    if len(names) == 1:
        parts.remove(names[0])
    return " ".join(parts), names[0] if len(names) == 1 else None, phone
