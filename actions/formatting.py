"""Chinese wording shared by the actions: money, dates, product and order payloads.

Payload shapes (documented for integrators in docs/channels.md): ``product_cards``,
``order_timeline``, ``order_list``. On the command-line channel (rasa shell) the same
content is sent as readable text lists instead, because the shell prints custom JSON raw.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence

from shop.domain.clock import CHINA_TZ
from shop.domain.money import money  # noqa: F401 - re-exported for the actions

TEXT_ONLY_CHANNELS = frozenset({"cmdline"})


def china_time(moment: Optional[datetime], with_year: bool = False) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(CHINA_TZ)
    return local.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def month_day(moment: Optional[datetime]) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日"


def intent_payload(intent: str, **entities: Any) -> str:
    """A button payload that triggers ``intent`` with entities, the Rasa way."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps({k: str(v) for k, v in entities.items()}, ensure_ascii=False)}"


def stock_phrase(stock: int) -> str:
    if stock <= 0:
        return "暂时缺货"
    if stock < 10:
        return f"仅剩 {stock} 件"
    return "现货充足"


def numbered_lines(lines: Iterable[str]) -> str:
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def wants_text_only(input_channel: Optional[str]) -> bool:
    return input_channel in TEXT_ONLY_CHANNELS


def join_values(values: Sequence[str], limit: int = 8) -> str:
    shown = list(values[:limit])
    suffix = f" 等{len(values)}种" if len(values) > limit else ""
    return "、".join(shown) + suffix


def buttons(pairs: Iterable[tuple[str, str]]) -> List[Dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]
