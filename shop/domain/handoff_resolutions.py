"""How an agent ended a hand-off: the reason the close form asks for, and what the desk's
figures count (the dashboard's 人工接待结果). Pure data: the standard library only."""
from __future__ import annotations

from typing import Optional

# code -> the label agents pick and operators read, in the order the form lists them.
RESOLUTIONS = {
    "resolved": "已解决",
    "follow_up": "已登记，需后续跟进",
    "unresolved": "未能解决",
    "no_reply": "顾客未回复",
    "invalid": "无效会话（误触、骚扰）",
}
# The desk's resolution rate: resolved / tickets an agent closed with a reason.
RESOLVED = "resolved"


def resolution_problem(code: object) -> Optional[str]:
    """Why ``code`` is not a resolution (a Chinese sentence for the agent), or None."""
    if code not in RESOLUTIONS:
        return "请选择处理结果（已解决、需跟进、未能解决……）后再结束会话。"
    return None
