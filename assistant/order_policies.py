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
