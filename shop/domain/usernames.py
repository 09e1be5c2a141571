"""What a console username may be (pure rule): the sign-in name operators type and that
logs and pages print. Plain ASCII letters, digits and ``_ . -`` only — no spaces (two
accounts that look the same, a name nobody can type back) and no markup ("<script>" was
accepted and printed on every page that names the agent); Chinese names go in 姓名
(display name). Existing accounts are not touched: the rule applies when one is created."""
from __future__ import annotations

import re
from typing import Optional

USERNAME_MIN, USERNAME_MAX = 2, 32
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
USERNAME_RULE = (f"用户名只能用英文字母、数字和 _ . -（以字母或数字开头），长度 {USERNAME_MIN} 到 {USERNAME_MAX} 个字符，"
                 "不能有空格；中文姓名请填在“姓名”里。")


def username_problem(username: object) -> Optional[str]:
    """None when ``username`` may name a new account; otherwise what is wrong, in Chinese."""
    if (not isinstance(username, str) or not USERNAME_MIN <= len(username) <= USERNAME_MAX
            or not _USERNAME.fullmatch(username)):
        return USERNAME_RULE
    return None
