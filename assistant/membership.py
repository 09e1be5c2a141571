""""我现在是什么会员啊": the shopper's own membership level, said before the levels' rules
(content/faq.yml membership), which alone never answered whose level it is."""
from __future__ import annotations

import re
from typing import Optional

# Asked about the shopper's own level, not how the levels work.
OWN_LEVEL = re.compile(r"我(现在|目前|的)?(是|属于|算)?(什么|啥|哪个|哪种|几级|什么级别的?|啥级别的?)(等级的?)?会员|"
                       r"我的会员(等级|级别)|我(现在|目前)?(是|算)?几级|我是不是(银卡|金卡|plus|PLUS)")


def asks_own_level(text: str) -> bool:
    return bool(OWN_LEVEL.search(text or ""))


def level_text(level: Optional[str], signed_in: bool) -> str:
    """The level said plainly; a guest is told where to see it (and to sign in)."""
    if not signed_in:
        return "登录后我可以帮您查看您现在的会员等级，也可以在「我的 → 会员中心」查看。各等级的规则如下："
    if not level:
        return "您的会员等级可以在「我的 → 会员中心」查看。各等级的规则如下："
    return f"您现在是{level}，在「我的 → 会员中心」可以看到成长值和本月的会员券。各等级的规则如下："
