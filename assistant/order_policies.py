"""Which order policies a message asks about, beside what the NLU tagged."""
from __future__ import annotations

import re
from typing import List

# Refusing a parcel said in so many words; "放快递柜", "放门卫" alone only say where to leave it.
REFUSES = re.compile(r"拒收|拒签|不签收|不要了|退回去")


def policies_asked(topics: List[str], text: str) -> List[str]:
    """``topics`` less what the message does not ask: "备注下 放快递柜" is a remark whose content is
    where to leave the parcel (tagged refuse_delivery by its words), not a question about refusing it."""
    if "order_remark" in topics and "refuse_delivery" in topics and not REFUSES.search(text or ""):
        return [t for t in topics if t != "refuse_delivery"]
    return list(topics)


# "下单了能改颜色吗", "买错尺码了": changing what was ordered.
MODIFY_ORDER = re.compile(r"(改|换|修改|更换)(个|一下|成)?(颜色|尺码|码数|大小|规格|型号|数量|款式)|"
                          r"(买错|拍错|选错|下错|下单错)了?(尺码|码|颜色|规格|型号|数量)?")
# "物流怎么一直不更新", "好几天没动了": tracking that has stopped moving.
STALE_TRACKING = re.compile(r"不更新|没更新|没有更新|没动|不动了|没变化|停在")
# "还没收到货 但是显示签收了": a parcel marked delivered that the shopper does not have.
SIGNED_NOT_RECEIVED = re.compile(r"(显示|写着|说|物流|已经|明明)(已)?签收|签收了.{0,6}(没|未)收到|(没|未)收到.{0,10}签收")


def asks_to_modify_order(text: str) -> bool:
    """"下单了能改颜色吗", "买错尺码了 还没发货": the order_modify policy (what can be changed)."""
    return MODIFY_ORDER.search(text or "") is not None


def tracking_stalled(text: str) -> bool:
    """"物流怎么一直不更新": the logistics policy follows the parcel's card."""
    return STALE_TRACKING.search(text or "") is not None


def signed_but_not_received(text: str) -> bool:
    """"显示签收了但没收到": the not_received policy, not a card that says 已签收 once more."""
    return SIGNED_NOT_RECEIVED.search(text or "") is not None
