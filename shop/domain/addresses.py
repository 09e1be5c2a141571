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


@dataclass(frozen=True)
class TypedAddress:
    province: str
    city: str
    district: str
    detail: str

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
    text = re.sub(r"\s+", "", text or "")
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
    return TypedAddress(province, city, match.group("district"), detail)
