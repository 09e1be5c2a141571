"""数据分析 in headless Chromium while the analytics database is down (a PostgreSQL that refuses
connections) and the shop database answers: the page says, in Chinese, that the analytics
database is what is down and that the rest of the console works (before: "数据加载失败（503），
请稍后刷新重试。"), and the desk's page still opens."""
from __future__ import annotations

import pytest

from tests.browser.helpers import console_shop_database, console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-agent-43"


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-analytics-down")
    shop_url = console_shop_database(work, [("agent1", "客服小王", "agent")], PASSWORD)
    with running_console(work, {"SHOP_DATABASE_URL": shop_url, "ANALYTICS_SOURCE": "sql",
                                "ANALYTICS_EVENTS_DB_PATH": str(work / "events.db"),
                                "ANALYTICS_DB_URL": "postgresql+psycopg2://analytics@127.0.0.1:1/analytics"}) as url:
        yield url


def test_the_page_says_the_analytics_database_is_down_and_the_desk_works(console, browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, console, "agent1", PASSWORD)
        page.goto(f"{console}/analytics")
        page.wait_for_selector("#analytics[data-error]", timeout=60000)
        said = page.text_content("#analytics-error")
        assert "统计数据库暂时连不上" in said and "其他功能照常可用" in said, said
        assert page.is_visible("#analytics-error")
        page.goto(f"{console}/handoff")
        assert "人工接待" in page.content()
    finally:
        context.close()
