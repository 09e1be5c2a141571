"""Service questions a real desk gets: where to get something repaired (附近的维修点), what
installation costs (空调安装收费吗), and when the installer comes (师傅什么时候上门).

Conversation rules only (no Rasa): ``answer_service_question`` takes what the shopper said
(text, NLU topics and entities, the verified customer, the product in view) and a database
session, and returns the replies, or None when the message is not one of these questions
and the caller's own flow should go on. Facts come from the data layer
(``shop.db.services``), the installation promise from ``shop.domain.installation``, policy
wording from the operator's ``content/faq.yml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Iterable, Optional, Sequence

from sqlalchemy.orm import Session

from assistant.faq import FaqBook, faq_book
from assistant.order_urging import is_urging
from shop.db.catalogue import get_product_detail
from shop.db.customers import get_customer
from shop.db.records import InstallableOrder, InstallationFeeInfo, ServiceCity, ServicePointInfo
from shop.db.services import installable_orders, installation_fee, installation_fees, service_cities, service_points
from shop.domain.delivery import REGION_OF_CITY
from shop.domain.money import money_compact
from shop.domain.installation import (
    CALL_WITHIN_HOURS, INSTALL_WITHIN_HOURS, INSTALLATION_TOPIC, InstallationStage, installation_window, moment_text,
)

INSTALLATION = INSTALLATION_TOPIC
REPAIR = "repair"
# Topics whose answer here is the operator's text as it stands.
POLICY_ONLY_TOPICS = ("review",)
SERVICE_TOPICS = frozenset({INSTALLATION, REPAIR, *POLICY_ONLY_TOPICS})

MAX_POINTS_SHOWN = 3
MAX_ORDERS_READ = 5

# Asking for a place to get something repaired. Point words count on their own ("有售后网点吗",
# but not a courier's 快递网点); "where / nearby" counts next to 修 or with the repair topic.
POINT_WORDS = re.compile(r"维修点|维修站|维修中心|修理点|修理店|服务点|(?<!快递)(?<!物流)(?<!驿站)网点|售后服务中心|维修服务中心|"
                         r"售后中心|售后点|服务站|线下售后|线下维修")
WHERE_WORDS = re.compile(r"附近|哪里|哪儿|哪有|在哪|去哪|地址|线下|门店|实体店|送修|送去")
# "Where can I get it repaired", whatever topic the NLU saw (坏了 alone reads as damaged).
# "杭州有修手机的地方没": a place that repairs, asked for by what it repairs.
REPAIR_WHERE = re.compile(r"(?:附近|哪里|哪儿|哪有|在哪|去哪)[^，。,.？?！!]{0,6}修|修[^，。,.？?！!]{0,4}(?:哪里|哪儿|在哪)|"
                          r"(?:有|能|可以|哪)[^，。,.？?！!]{0,3}修[^，。,.？?！!]{0,6}的(?:地方|店|门店|点)")
# Installation: what it costs, and when the installer comes.
FEE_WORDS = re.compile(r"收费|费用|多少钱|几块钱|要钱|给钱|付钱|花钱|免费|安装费|收钱|另收|额外|加钱|材料费|铜管|贵不贵|价格|价钱|收不收")
# "我住6楼没电梯", "要爬楼梯加钱吗": carrying the goods up the stairs, which the installation
# fee's extra charges say (the fitness equipment's "搬运上5楼以上（无电梯）每层加¥10").
# No lift: also a follow-up cue on its own after a fee (assistant.follow_up), one list for both.
NO_LIFT = re.compile(r"没电梯|没有电梯|无电梯|不带电梯")
STAIRS_WORDS = re.compile(NO_LIFT.pattern + r"|爬楼|走楼梯|楼梯|搬上楼|扛上楼|送上楼|"
                          r"\d+\s*(?:楼|层)|[一二三四五六七八九十]+(?:楼|层)|几楼|几层|高层")
# The clause of the extra charges that is about floors and lifts.
STAIRS_CLAUSE = re.compile(r"[^，；;。]*(?:楼|电梯)[^，；;。]*")
# "联系我", "给我打电话", "回电话": the installer's call that books the visit.
# ("给我打个折" is a price, not a call.)
CALL_BACK = re.compile(r"联系.{0,2}我|(?:给|跟|和)我.{0,3}(?:打(?!.{0,2}折)|联系|回)|打给我|回电话|打电话|来电话|回个电话")
WHEN_WORDS = re.compile(
    r"什么时候|啥时候|什么时间|几时|多久|何时|哪天|几天|几号|还没(?:来|有来|上门|装|安装|联系|打电话)|没人(?:来|联系|打)|"
    r"怎么还不|咋还不|上门时间|师傅.{0,4}(?:来|到|上门)|来装|上门|预约|" + CALL_BACK.pattern
)

# "约师傅明天下午来装": the day or time of day the shopper wants the installer, which is agreed
# with the installer on the booking call (no booking of a slot here).
WISHED_TIME = re.compile(r"(?:今天|明天|后天|大后天|这周末|周末|下周[一二三四五六日天]?|周[一二三四五六日天]|星期[一二三四五六日天]|"
                         r"\d{1,2}(?:号|日))(?:上午|下午|中午|晚上|傍晚|早上)?|上午|下午|中午|晚上|傍晚")


def wished_time(text: str) -> Optional[str]:
    """"明天下午" of "我想约师傅明天下午来装空调"; None when no day or time is named."""
    found = WISHED_TIME.search(text or "")
    return found.group(0) if found else None


# A place said on its own, as the answer to "请问您在哪个城市？" or as the next city after a
# list of points: "我在杭州", "杭州", "西湖区那边有吗", "北京海淀的呢". Only read so right after a
# question for service points (assistant.follow_up), which carries the repair topic over.
PLACE_ANSWER = re.compile(
    r"^(?:我|我们|人|家)?(?:现在)?(?:在|住在?|是在?|坐标)?\s*[\u4e00-\u9fff]{2,8}?"
    r"(?:这边|那边|附近|这里|那里|周边)?(?:的话)?(?:的)?(?:呢|有吗|有没有|有不|啊|哦|呀)?[?？。.!！~～\s]*$"
)


def answers_with_a_place(text: str) -> bool:
    """"我在杭州", "西湖区那边有吗": a message that only names where the shopper is."""
    return bool(PLACE_ANSWER.match((text or "").strip()))


class ServiceAsk(str, Enum):
    SERVICE_POINTS = "service_points"
    INSTALLATION = "installation"             # installation in general (booking, how it works)
    INSTALLATION_FEE = "installation_fee"
    INSTALLATION_TIME = "installation_time"
    STAIRS = "stairs"                         # carrying up the stairs (no lift): a surcharge or not
    POLICY = "policy"                         # a topic answered from the FAQ alone


@dataclass(frozen=True)
class ServiceQuestion:
    text: str
    topics: tuple[str, ...] = ()
    customer_id: Optional[int] = None         # verified, None for a guest
    category: Optional[str] = None            # the NLU's category entity
    product_id: Optional[int] = None          # a product mentioned or in view
    products_shown: tuple[int, ...] = ()      # the products of the assistant's last list
    order_no: Optional[str] = None


@dataclass(frozen=True)
class ServiceReply:
    texts: tuple[str, ...]
    asks: tuple[ServiceAsk, ...]
    offer_handoff: bool = False               # the promise was missed: a person should follow up


def may_name_a_place(text: str, topics: Sequence[str]) -> bool:
    """A repair message that may only name a place ("我在杭州" after "请问您在哪个城市？"):
    worth reading against the service cities (``names_a_service_place``)."""
    return REPAIR in topics and answers_with_a_place(text)


def names_a_service_place(text: str, topics: Sequence[str], places: Sequence[ServiceCity]) -> bool:
    """"我在杭州" / "西湖区那边有吗" with the repair topic: where to find a service point.
    "能修吗" names no place and stays the repair policy."""
    return may_name_a_place(text, topics) and (find_place(text, places) is not None or other_place(text) is not None)


def what_is_asked(text: str, topics: Sequence[str],
                  places: Optional[Sequence[ServiceCity]] = None) -> tuple[ServiceAsk, ...]:
    """The service questions in one message (several may come together), in answer order.
    With ``places`` (the service cities), a message that only names one of them, or another
    place, with the repair topic asks for the points there."""
    asks: list[ServiceAsk] = []
    if (POINT_WORDS.search(text) or REPAIR_WHERE.search(text) or (REPAIR in topics and WHERE_WORDS.search(text))
            or (places is not None and names_a_service_place(text, topics, places))):
        asks.append(ServiceAsk.SERVICE_POINTS)
    if INSTALLATION in topics and STAIRS_WORDS.search(text):
        # Said of the installation in play, floors are about the carrying charge, answered
        # alone (not the whole installation policy again).
        asks.append(ServiceAsk.STAIRS)
    elif INSTALLATION in topics:
        # "能快点吗" of an installation hurries the visit: when it comes (and who to ask).
        fee, when = FEE_WORDS.search(text), WHEN_WORDS.search(text) or is_urging(text)
        if fee:
            asks.append(ServiceAsk.INSTALLATION_FEE)
        if when:
            asks.append(ServiceAsk.INSTALLATION_TIME)
        if not fee and not when:
            asks.append(ServiceAsk.INSTALLATION)
    if any(topic in POLICY_ONLY_TOPICS for topic in topics):
        asks.append(ServiceAsk.POLICY)
    return tuple(asks)


# --- places ----------------------------------------------------------------------------

DISTRICT_SUFFIXES = ("新区", "区", "县")
# A place typed that is not one of ours ("我在拉萨市"): said plainly rather than answered for
# another city. Words that merely end in 市 are not places.
PLACE_END = re.compile(r"[市县]")
PLACE_BEFORE = "在到去是住于从，,。 "
NOT_PLACES = ("超市", "城市", "菜市", "夜市", "股市", "上市", "门市", "集市", "开市", "全市", "本市")


def _forms(name: str, suffixes: Iterable[str]) -> list[str]:
    """A place name as typed: in full, and without its suffix when two characters remain."""
    forms = [name]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    return forms


@dataclass(frozen=True)
class Place:
    city: str
    district: Optional[str] = None


def find_place(text: str, cities: Sequence[ServiceCity]) -> Optional[Place]:
    """The service city (and district) a message names first: 杭州 / 杭州市 / 西湖区 / 浦东.
    A district name found in two cities counts only together with its city."""
    owners: dict[str, int] = {}
    for city in cities:
        for district in city.districts:
            for form in _forms(district, DISTRICT_SUFFIXES):
                owners[form] = owners.get(form, 0) + 1
    found: list[tuple[int, Place]] = []
    for city in cities:
        positions = [text.find(f) for f in _forms(city.city, ("市",)) if f in text]
        district = None
        for name in city.districts:
            hits = [text.find(f) for f in _forms(name, DISTRICT_SUFFIXES)
                    if f in text and (positions or owners[f] == 1)]
            if hits:
                district, positions = name, positions + hits
                break
        if positions:
            found.append((min(positions), Place(city.city, district)))
    return min(found, key=lambda hit: hit[0])[1] if found else None


def other_place(text: str) -> Optional[str]:
    """A 2–4 character place name ending in 市 / 县, starting after a boundary ("我在拉萨市" → 拉萨市),
    or a city the shop delivers to typed without its 市 ("拉萨有吗" → 拉萨市)."""
    typed = _typed_place(text)
    if typed is not None:
        return typed
    return next((city for city in REGION_OF_CITY if city.endswith("市") and city[:-1] in text), None)


def _typed_place(text: str) -> Optional[str]:
    for end in PLACE_END.finditer(text):
        for length in (2, 3, 4):
            start = end.start() - length
            if start < 0:
                break
            name = text[start:end.end()]
            if not all("\u4e00" <= ch <= "\u9fff" for ch in name):
                break
            if start == 0 or text[start - 1] in PLACE_BEFORE:
                if not name.endswith(NOT_PLACES):
                    return name
                break
    return None


# --- wording ---------------------------------------------------------------------------

def _point_lines(points: Sequence[ServicePointInfo]) -> str:
    lines = []
    for index, point in enumerate(points, start=1):
        lines.append(f"{index}. {point.name}\n   地址：{point.full_address}\n"
                     f"   电话：{point.phone}（{point.opening_hours}）\n   维修：{'、'.join(point.categories)}")
    return "\n".join(lines)


def fee_text(fee: InstallationFeeInfo) -> str:
    head = (f"{fee.category}提供免费标准安装" if fee.is_free else f"{fee.category}安装费 {money_compact(fee.fee)}")
    text = f"{head}，包含：{fee.included}。"
    if fee.extra_charges:
        text += f"\n需另外收费的项目：{fee.extra_charges}（师傅上门前会先说明，收费请索要收据）。"
    else:
        text += "没有其他额外费用。"
    return text


def stairs_text(fee: InstallationFeeInfo) -> str:
    """The carrying charge for floors without a lift, as the fee's extra charges say it (a
    figure never made up: none listed is said as none listed)."""
    clauses = STAIRS_CLAUSE.findall(fee.extra_charges or "")
    if clauses:
        return (f"{fee.category}送装上楼：{'；'.join(c.strip() for c in clauses)}（师傅上门前会先说明，收费请索要收据）。"
                f"这是在安装费之外另收的，安装费{'免费' if fee.is_free else ' ' + money_compact(fee.fee)}。")
    return (f"{fee.category}的收费项目里没有楼层搬运费，没电梯也不因楼层另外收钱；"
            f"安装费{'免费' if fee.is_free else ' ' + money_compact(fee.fee)}。")


def fee_list_text(fees: Sequence[InstallationFeeInfo]) -> str:
    parts = [f"{f.category}{'免费' if f.is_free else money_compact(f.fee)}" for f in fees]
    return "需要安装的商品由本店安排师傅上门：" + "、".join(parts) + "（标准安装）。告诉我具体商品，我把包含的项目和另收的费用发给您。"


HURRY_INSTALLATION = "理解您着急！师傅按预约顺序上门，想早点装的话，我可以为您转人工客服联系师傅尽量提前。"


def promise_text() -> str:
    return (f"大件商品签收后 {CALL_WITHIN_HOURS} 小时内安装师傅会电话联系您预约，"
            f"{INSTALL_WITHIN_HOURS} 小时内上门安装（您也可以和师傅约更晚的时间）。")


def window_text(order: InstallableOrder, now: datetime) -> tuple[Optional[str], bool]:
    """What to tell about one order's installation, and whether a person should follow up;
    (None, False) when nothing is pending for it."""
    window = installation_window(order.status, order.delivered_at, now)
    what = f"订单 {order.order_no}（{'、'.join(order.categories)}）"
    if window.stage is InstallationStage.NOT_DELIVERED:
        return (f"{what}目前{order.status_label}，签收后 {CALL_WITHIN_HOURS} 小时内师傅会电话联系您预约，"
                f"{INSTALL_WITHIN_HOURS} 小时内上门安装。"), False
    if not window.pending:
        return None, False
    signed = f"{what}已于 {moment_text(window.delivered_at)} 签收"
    if window.stage is InstallationStage.AWAITING_CALL:
        return (f"{signed}。安装师傅会在 {moment_text(window.call_by)} 前电话联系您预约，"
                f"最晚 {moment_text(window.install_by)} 前上门安装，请保持电话畅通。"), False
    if window.stage is InstallationStage.AWAITING_VISIT:
        return (f"{signed}，按约定师傅最晚 {moment_text(window.install_by)} 前上门安装。"
                "如果还没接到预约电话，告诉我“转人工”，马上帮您催师傅。"), False
    return (f"{signed}，已超过承诺的上门时间（{moment_text(window.install_by)} 前），非常抱歉！"
            "我帮您转人工客服加急安排师傅上门。"), True


# --- answers ---------------------------------------------------------------------------

def _category_in_play(session: Session, question: ServiceQuestion) -> Optional[str]:
    if question.category:
        return question.category
    if question.product_id is not None:
        product = get_product_detail(session, question.product_id)
        if product is not None and product.category_path:
            return product.category_path[-1]
    # The list just shown ("推荐个空调" → "那安装要钱吗"): its category when all of it shares one.
    leaves = {detail.category_path[-1] for detail in (get_product_detail(session, pid) for pid in question.products_shown)
              if detail is not None and detail.category_path}
    return leaves.pop() if len(leaves) == 1 else None


def _service_points(session: Session, question: ServiceQuestion, category: Optional[str]) -> list[str]:
    cities = service_cities(session)
    place = find_place(question.text, cities)
    from_address = False
    if place is None:
        typed = other_place(question.text)
        if typed:
            return [f"抱歉，{typed}暂时没有本店的售后服务网点。保修期内的商品可以申请寄修（往返运费由本店承担），"
                    "告诉我订单号我帮您申请；也可以告诉我附近的其他城市，我再帮您查。"]
        customer = get_customer(session, question.customer_id) if question.customer_id is not None else None
        if customer is None or customer.default_address is None:
            return ["请问您在哪个城市？告诉我城市名（例如“杭州”或“北京海淀”），我帮您查附近的售后服务网点。"]
        place, from_address = Place(customer.default_address.city, customer.default_address.district), True
    points = service_points(session, place.city, category=category) if category else []
    if not category or not points:
        every = service_points(session, place.city)
        if not every:
            return [f"抱歉，{place.city}暂时没有本店的售后服务网点。保修期内的商品可以申请寄修（往返运费由本店承担），"
                    "告诉我订单号我帮您申请。"]
        if category and not points:
            return [f"{place.city}的售后服务网点目前不维修{category}类商品。{category}有质量问题可以直接申请售后，"
                    "告诉我订单号我帮您办理。"]
        points = every
    if place.district:
        points = sorted(points, key=lambda p: p.district != place.district)
    where = f"按您的默认收货地址（{place.city}）" if from_address else place.city
    head = f"{where}{'为您查到' if from_address else ''}的售后服务网点" + (f"（可维修{category}）" if category else "") + "："
    tail = "去网点前建议先打电话预约，并带上商品和订单号；不方便去网点也可以申请寄修或上门取件。"
    if from_address:
        tail += "要查其他城市，告诉我城市名即可。"
    return [head + "\n" + _point_lines(points[:MAX_POINTS_SHOWN]), tail]


def _installation_fee(session: Session, category: Optional[str], order: Optional[InstallableOrder]) -> str:
    if category is None and order is not None:
        category = order.categories[0]
    if category is None:
        fees = installation_fees(session)
        return fee_list_text(fees) if fees else "这类商品一般不需要专业安装。"
    fee = installation_fee(session, category)
    if fee is not None:
        return fee_text(fee)
    under = installation_fees(session, under=category)
    if under:
        return fee_list_text(under)
    return f"{category}一般不需要专业安装，按说明书就能使用；使用中有问题可以随时问我。"


def _pending_orders(session: Session, question: ServiceQuestion) -> list[InstallableOrder]:
    if question.customer_id is None:
        return []
    orders = installable_orders(session, question.customer_id, limit=MAX_ORDERS_READ)
    if question.order_no:
        orders = [o for o in orders if o.order_no == question.order_no]
    return orders


def _installation_time(question: ServiceQuestion, orders: list[InstallableOrder], now: datetime) -> tuple[str, bool]:
    if question.customer_id is None:
        return promise_text() + "登录后问我，我帮您查订单具体的上门时间。", False
    for order in orders:
        text, follow_up = window_text(order, now)
        if text:
            return text, follow_up
    if question.order_no:
        return f"订单 {question.order_no} 里没有待安装的商品。" + promise_text(), False
    return "您最近没有等待安装的订单。" + promise_text(), False


def answer_service_question(session: Session, question: ServiceQuestion, now: datetime,
                            book: Optional[FaqBook] = None) -> Optional[ServiceReply]:
    """The replies to a service question, or None when the message asks none of them."""
    places = service_cities(session) if may_name_a_place(question.text, question.topics) else None
    asks = what_is_asked(question.text, question.topics, places)
    if not asks:
        return None
    book = book or faq_book()
    texts: list[str] = []
    follow_up = False
    category = _category_in_play(session, question)
    orders = _pending_orders(session, question) if (
        ServiceAsk.INSTALLATION_TIME in asks or ServiceAsk.INSTALLATION in asks
        or (ServiceAsk.INSTALLATION_FEE in asks and category is None)) else []
    for ask in asks:
        if ask is ServiceAsk.SERVICE_POINTS:
            texts.extend(_service_points(session, question, category))
        elif ask is ServiceAsk.INSTALLATION_FEE:
            texts.append(_installation_fee(session, category, orders[0] if orders else None))
        elif ask is ServiceAsk.STAIRS:
            fee = installation_fee(session, category) if category else None
            texts.append(stairs_text(fee) if fee is not None
                         else "请问是哪件商品要送装上楼？告诉我商品，我把楼层搬运的收费说给您。")
        elif ask is ServiceAsk.INSTALLATION_TIME:
            text, follow_up = _installation_time(question, orders, now)
            texts.append(text)
            wish = wished_time(question.text)
            if wish and not follow_up:
                texts.append(f"想约{wish}上门的话，师傅打电话预约时直接跟他说“{wish}”就行，会按您方便的时间安排上门；"
                             "想约更晚的时间也可以。")
            if is_urging(question.text) and not follow_up and any(window_text(o, now)[0] for o in orders):
                # "能快点吗": the times stand, and a person can ask the installer to come sooner.
                texts.append(HURRY_INSTALLATION)
                follow_up = True
        elif ask is ServiceAsk.INSTALLATION:
            policy = book.answer(INSTALLATION)
            texts.append(policy.pick() if policy else promise_text())
            if category:
                texts.append(_installation_fee(session, category, None))
            pending = [line for line in (window_text(o, now) for o in orders) if line[0]]
            if pending:
                texts.append(pending[0][0])
                follow_up = follow_up or pending[0][1]
        elif ask is ServiceAsk.POLICY:
            for topic in question.topics:
                policy = book.answer(topic) if topic in POLICY_ONLY_TOPICS else None
                if policy:
                    texts.append(policy.pick())
    return ServiceReply(tuple(texts), asks, follow_up) if texts else None
