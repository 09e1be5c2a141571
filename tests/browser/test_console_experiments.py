"""The console's 实验 page in headless Chromium: an admin signs in, opens an experiment, reads
its report (units and exposures per variant from the database, the sample-ratio check, the
planner), and stops a variant — the experiment file on disk (a temporary copy, through
SHOP_EXPERIMENTS_PATH) changes, and the page shows the variant as excluded."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from console.passwords import hash_password
from growth.experiments import DEFAULT_PATH, ExperimentBook
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.experiments import Shown, log_exposures
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now
from tests.browser.helpers import console_sign_in, running_console

PASSWORD = "a-long-test-password-for-the-admin-42"
UNITS = {"hybrid": 21, "popularity": 19}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    work = tmp_path_factory.mktemp("console-experiments")
    experiments = work / "experiments.yml"
    shutil.copy(DEFAULT_PATH, experiments)
    shop_url = f"sqlite:///{work / 'shop.db'}"
    engine = make_engine(shop_url)
    upgrade_to_head(engine)
    shown_at = datetime.now(timezone.utc) - timedelta(hours=2)
    with session_scope(engine) as session:
        create_account(session, "boss", "店长", "admin", hash_password(PASSWORD), utc_now())
        for variant, units in UNITS.items():
            for i in range(units):
                log_exposures(session, [Shown("rec_strategy", variant)], f"g:{variant}{i}", None,
                              f"{variant}{i}", [1, 2], shown_at)
    engine.dispose()
    with running_console(work, {"SHOP_DATABASE_URL": shop_url, "SHOP_EXPERIMENTS_PATH": str(experiments)}) as url:
        yield url, experiments


def test_admin_reads_the_report_and_stops_a_variant(console, browser):
    url, experiments = console
    before = experiments.read_text(encoding="utf-8")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, url, "boss", PASSWORD)
        page.click("nav a[href='/experiments']")
        assert page.text_content("tr[data-experiment=rec_strategy] .status") == "运行中"
        page.click("tr[data-experiment=rec_strategy] a")
        page.wait_for_url("**/experiments/rec_strategy")
        assert page.text_content("#report tr[data-variant=hybrid] .units") == "21"
        assert page.text_content("#report tr[data-variant=popularity] .units") == "19"
        assert page.text_content("#report tr[data-variant=popularity] .exposures") == "19"
        assert "分组比例正常" in page.text_content("#srm")
        assert page.locator("#comparisons tr[data-variant=popularity]").count() == 1
        # 每日成交额: drawn by ECharts (no page errors from the CSP), one line per variant, 30 days.
        page.wait_for_selector("#chart-sales[data-loaded='1'] canvas")
        drawn = page.evaluate("(() => { const o = echarts.getInstanceByDom(document.getElementById('chart-sales'))"
                              ".getOption(); return [o.series.map(s => s.name), o.xAxis[0].data.length]; })()")
        assert drawn == [["hybrid", "popularity", "content"], 30]
        assert page.text_content("#sales-totals tr[data-variant=hybrid] .total") == "¥0.00"
        page.fill("#planner input[name=lift]", "10")
        page.fill("#planner input[name=baseline]", "5")
        page.click("#planner button[type=submit]")
        page.wait_for_selector("#plan-result")
        assert "按基准转化率 5%" in page.text_content("#plan-result")

        page.click("#report tr[data-variant=popularity] button.exclude")
        page.wait_for_selector("#done")
        assert "已停用" in page.text_content("#report tr[data-variant=popularity]")
        assert page.locator("#report tr[data-variant=popularity] button[value=include]").count() == 1
    finally:
        context.close()
    after = experiments.read_text(encoding="utf-8")
    entry = next(e for e in yaml.safe_load(after)["experiments"] if e["name"] == "rec_strategy")
    assert entry["excluded"] == ["content", "popularity"]
    assert after.replace("excluded: [content, popularity]", "excluded: [content]") == before
    assert ExperimentBook(experiments).plan().get("rec_strategy").excluded == {"content", "popularity"}


def submit(page, button: str) -> None:
    """Press a form's button and wait for the page the action redirects to (not the old one's #done)."""
    with page.expect_navigation():
        page.click(button)
    page.wait_for_selector("#done")


def test_admin_starts_ramps_and_stops_an_experiment_and_the_file_follows(console, browser):
    url, experiments = console
    book = ExperimentBook(experiments)
    assert not book.plan().get("winback_coupon").running
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, url, "boss", PASSWORD)
        page.goto(f"{url}/experiments/winback_coupon")
        assert page.text_content("#status") == "已停止"

        submit(page, "#admin-actions button#start")
        assert page.text_content("#status") == "运行中" and book.plan().get("winback_coupon").running

        page.fill("#admin-actions input[name=ramp]", "25")
        submit(page, "#admin-actions button[value=ramp]")
        assert page.text_content("#ramp") == "25%" and book.plan().get("winback_coupon").ramp == 25

        submit(page, "#admin-actions button#stop")
        assert page.text_content("#status") == "已停止"
    finally:
        context.close()
    experiment = book.plan().get("winback_coupon")
    assert not experiment.running and experiment.ramp == 25
    entry = next(e for e in yaml.safe_load(experiments.read_text("utf-8"))["experiments"]
                 if e["name"] == "winback_coupon")
    assert (entry["status"], entry["ramp"]) == ("stopped", 25)


def test_admin_saves_the_planned_sample_size_and_reads_the_progress_and_the_record(console, browser):
    """Is there enough data yet? The admin saves the units per variant the planner gave; the page
    shows each live variant's units against it, and 修改记录 lists every change made from the
    console — this one and the earlier ones of this module — with who made it."""
    url, experiments = console
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        console_sign_in(page, url, "boss", PASSWORD)
        page.goto(f"{url}/experiments/rec_strategy")
        assert "还没有设置计划样本量" in page.text_content("#progress")
        page.fill("#planned-units", "40")
        submit(page, "#save-plan")
        progress = page.text_content("#progress")
        # popularity and content are excluded by now: hybrid's 21 of 40 decides.
        assert "计划每组 40 人" in progress and "hybrid 21 人" in progress and "52%" in progress   # rounded down: never overstated
        assert "popularity" not in progress
        page.fill("#planned-units", "21")
        submit(page, "#save-plan")
        assert "已达到计划样本量" in page.text_content("#progress")
        rows = page.locator("#changes tbody tr").all()
        cells = [r.locator("td").all_text_contents()[1:] for r in rows]
        assert cells[0] == ["店长", "计划样本量", "运行中 · 放量 100% · 停用 content、popularity · 计划每组 40 人",
                            "运行中 · 放量 100% · 停用 content、popularity · 计划每组 21 人"]
        assert ["店长", "停用分组（popularity）", "运行中 · 放量 100% · 停用 content",
                "运行中 · 放量 100% · 停用 content、popularity"] in cells
    finally:
        context.close()
    assert ExperimentBook(experiments).plan().get("rec_strategy").planned_units == 21
