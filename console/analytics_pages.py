"""数据分析: the operator dashboard (figures from ``analytics.dashboard``) with a date range,
charts drawn by Apache ECharts (vendored in static/vendor, no CDN) and a CSV export.

The embedded setup reads new events from the SQL broker's file before answering (one
incremental, idempotent sync); the scale-out setup's consumer keeps the tables current.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Optional

from aiohttp import web

from analytics import dashboard, store
from analytics.consumer_health import consumer_problem, consumer_state
from analytics.desk import sync_desk
from analytics.settings import AnalyticsSettings
from console.auth import has_role, requires, signed_in
from console.errors import service_unavailable
from console.pages import NavItem
from console.render import render
from shop.db.engine import database_answers, make_engine, session_scope
from shop.db.validation import NUL

logger = logging.getLogger("console.analytics")

NAV = [NavItem("/analytics", "数据分析", role="agent")]
DEFAULT_DAYS = 7
MAX_DAYS = 366


@lru_cache(maxsize=4)
def _analytics_engine(db_url: str):
    engine = make_engine(db_url)
    store.create_tables(engine)
    return engine


# Days a period may start or end on: far enough for any shop's history, and well inside
# what the dashboard's day arithmetic can hold (year 1 or 9999 raised OverflowError: a 500).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class BadPeriod(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def _day(raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadPeriod("invalid_date", "日期格式不对，请用 年-月-日，例如 2026-12-01。") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadPeriod("invalid_date", f"日期须在 {EARLIEST_DAY} 到 {LATEST_DAY} 之间。")
    return day


def _period(request: web.Request) -> tuple[date, date]:
    """The chosen days (shop time zone), by default the last week; ``BadPeriod`` otherwise."""
    today = datetime.now(request.app["settings"].analytics.timezone).date()
    last = _day(request.query["to"]) if request.query.get("to") else today
    first = _day(request.query["from"]) if request.query.get("from") else last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise BadPeriod("invalid_period", "开始日期不能晚于结束日期。")
    if (last - first).days >= MAX_DAYS:
        raise BadPeriod("invalid_period", f"一次最多查看 {MAX_DAYS} 天，请缩短时间段。")
    return first, last


def _checked_period(request: web.Request) -> tuple[date, date]:
    """``_period`` for the JSON API and the CSV: a clean 400 with a Chinese message."""
    try:
        return _period(request)
    except BadPeriod as error:
        if request.path.startswith("/api/"):
            raise web.HTTPBadRequest(text=_dumps({"error": error.code, "message": error.message}),
                                     content_type="application/json") from None
        raise web.HTTPBadRequest(text=error.message, content_type="text/plain") from None


# One set-up and sync at a time: two dashboard requests at once (the page's first fetch still
# running when the operator picks another period) both created the tables of a new analytics
# file and both wrote its first offset; the second failed ("database is locked"), and its page
# never drew (a 500 behind "数据分析"; tests/console/test_analytics_concurrency.py).
_sync_lock = threading.Lock()


# What 数据分析 says while the analytics database (or the SQL broker's file) is down, locked or
# unreachable and the shop database answers: what is down, and that the rest still works.
# Before, the page said only "数据加载失败（503）" and the CSV "数据库暂时不可用" — the shop
# database's words, though every other page worked.
ANALYTICS_UNAVAILABLE = ("数据分析的统计数据库暂时连不上，图表、列表和 CSV 导出暂时无法显示（对话事件不会丢失，"
                         "恢复后自动补上）。人工接待、实验、客群等控制台其他功能照常可用。请稍后刷新重试。")


class AnalyticsUnavailable(Exception):
    """The analytics database's unavailability, told apart from the shop database's."""


def _analytics_work(shop_engine, work, *args):
    """``work(*args)``; an unavailable database while the shop database answers is the
    analytics one (or the broker's file): ``AnalyticsUnavailable``. The shop database's own
    outage is raised as it is (the console's 503 for every page)."""
    try:
        return work(*args)
    except Exception as error:
        if store.database_unavailable(error) and database_answers(shop_engine):
            raise AnalyticsUnavailable(f"{error.__class__.__name__}: {str(error).splitlines()[0][:200]}") from error
        raise


def _unavailable_answer(request: web.Request, error: AnalyticsUnavailable) -> web.Response:
    logger.warning("%s %s: the analytics database is unavailable (%s)", request.method, request.path, error)
    return service_unavailable(request, "analytics_unavailable", ANALYTICS_UNAVAILABLE)


def _figures(settings: AnalyticsSettings, shop_engine, first: date, last: date) -> dict:
    with _sync_lock:
        engine = _analytics_engine(settings.db_url)
        if not settings.uses_rabbitmq:
            from analytics.sql_source import broker_engine, sync

            sync(engine, broker_engine(settings.events_db_path), zone=settings.timezone)
        # The desk's tickets and transfers into the analytics database too (for Metabase).
        sync_desk(engine, lambda: session_scope(shop_engine), settings.timezone)
    return dashboard.build(engine, lambda: session_scope(shop_engine), first, last, settings.timezone)


def _consumer_problem(settings: AnalyticsSettings) -> Optional[str]:
    """The RabbitMQ consumer's outage in words (``analytics.consumer_health``), or None."""
    with _sync_lock:
        engine = _analytics_engine(settings.db_url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return consumer_problem(store.consumer_status(engine, settings.queue), now)


# The health endpoint answers monitoring within moments even while the analytics database
# hangs (a PostgreSQL that accepts and never answers).
HEALTH_READ_TIMEOUT_S = 2.0
NOT_USED, UNKNOWN = "not_used", "unknown"
# One read of the reports in flight per event loop: while the database hangs, every health
# call waits on that one instead of holding a worker thread of its own (the console's database
# work shares those threads).
_health_reads: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Future]" = weakref.WeakKeyDictionary()


def _consumer_state(settings: AnalyticsSettings) -> str:
    with _sync_lock:
        engine = _analytics_engine(settings.db_url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return consumer_state(store.consumer_status(engine, settings.queue), now)


async def consumer_health(settings: AnalyticsSettings) -> str:
    """The RabbitMQ consumer's state for ``GET /healthz`` (``analytics.consumer_health``):
    ``not_used`` in the embedded setup, ``unknown`` when its reports cannot be read within
    ``HEALTH_READ_TIMEOUT_S`` (the analytics database down, slow or locked: logged), never an
    error."""
    if not settings.uses_rabbitmq:
        return NOT_USED
    loop = asyncio.get_running_loop()
    read = _health_reads.get(loop)
    if read is None or read.done():
        read = _health_reads[loop] = asyncio.ensure_future(asyncio.to_thread(_consumer_state, settings))
        read.add_done_callback(lambda done: done.cancelled() or done.exception())  # said below, or by the next
    try:
        return await asyncio.wait_for(asyncio.shield(read), HEALTH_READ_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - health says unknown; the log says why
        logger.warning("health: the analytics consumer's reports could not be read (%s)", error.__class__.__name__)
        return UNKNOWN


def _rejected(settings: AnalyticsSettings) -> dict:
    with _sync_lock:
        engine = _analytics_engine(settings.db_url)
    return dashboard.rejected_events(engine, settings.timezone)


async def _data(request: web.Request) -> dict:
    first, last = _checked_period(request)
    shop_engine = request.app["engine"]
    data = await asyncio.to_thread(_analytics_work, shop_engine, _figures, request.app["settings"].analytics,
                                   shop_engine, first, last)
    who = signed_in(request)
    if not has_role(who, "admin"):
        # Colleagues' figures are for admins: an agent sees their own row of 按客服 only.
        data["desk_agents"] = [r for r in data.get("desk_agents", []) if r["agent_id"] == who.account.id]
    if has_role(who, "admin"):
        # Events set aside unapplied: their bodies and errors can hold what shoppers typed, and
        # only an admin can act on them (README, "When something fails"); agents get nothing.
        settings = request.app["settings"].analytics
        data["rejected_events"] = await asyncio.to_thread(_analytics_work, shop_engine, _rejected, settings)
        if settings.uses_rabbitmq:
            # A RabbitMQ-side outage (RabbitMQ down, the consumer cut off or stopped) froze the
            # figures with nothing on the page; admins get it in words, agents nothing of it.
            data["consumer_problem"] = await asyncio.to_thread(_analytics_work, shop_engine, _consumer_problem,
                                                               settings)
    book = request.app.get("experiment_book")
    plan = await asyncio.to_thread(book.plan) if book is not None else None
    label_strategies(data, plan)
    return data


def label_strategies(data: dict, plan) -> None:
    """Name each variant's recommendation strategy (its ``strategy`` in the experiment file;
    None for a variant that changes something else, or one no longer in the file) beside its
    sales, and add them up per strategy for the experiments that compare strategies: what the
    assistant sells, by strategy. (Analytics reads no experiment file: the console does.)"""
    rows = data.get("sales_by_variant")
    if rows is None:
        return
    by_strategy: dict = {}
    for row in rows:
        experiment = plan.get(row["experiment"]) if plan is not None else None
        variant = experiment.variant(row["variant"]) if experiment is not None else None
        row["strategy"] = variant.params.get("strategy") if variant is not None else None
        if row["strategy"]:
            total = by_strategy.setdefault((row["experiment"], row["strategy"]), {
                "experiment": row["experiment"], "strategy": row["strategy"], "displays": 0, "clicks": 0,
                "ordered_items": 0, "orders": 0, "gmv_cents": 0})
            for key in ("displays", "clicks", "ordered_items", "orders", "gmv_cents"):
                total[key] += row[key]
    totals = sorted(by_strategy.values(), key=lambda t: (t["experiment"], -t["gmv_cents"]))
    data["sales_by_strategy"] = [{**t, "gmv_yuan": round(t["gmv_cents"] / 100, 2)} for t in totals]


@requires("agent")
async def analytics_page(request: web.Request) -> web.StreamResponse:
    try:
        first, last = _period(request)
    except BadPeriod as error:   # the form again, with the default week and what was wrong
        request = request.clone(rel_url=request.rel_url.with_query({}))
        first, last = _period(request)
        return render(request, "analytics.html", status=400, first=first.isoformat(), last=last.isoformat(),
                      error=error.message, days=(last - first).days + 1,
                      zone=str(request.app["settings"].analytics.timezone))
    # Every figure is for this period, in the shop's days: the page says so above them.
    return render(request, "analytics.html", first=first.isoformat(), last=last.isoformat(), error=None,
                  days=(last - first).days + 1, zone=str(request.app["settings"].analytics.timezone))


@requires("agent")
async def analytics_json(request: web.Request) -> web.StreamResponse:
    try:
        return web.json_response(await _data(request), dumps=_dumps)
    except AnalyticsUnavailable as error:
        return _unavailable_answer(request, error)


@requires("agent")
async def analytics_csv(request: web.Request) -> web.StreamResponse:
    try:
        data = await _data(request)
    except AnalyticsUnavailable as error:
        return _unavailable_answer(request, error)
    name = f"analytics_{data['period']['first']}_{data['period']['last']}.csv"
    # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
    return web.Response(body=("\ufeff" + dashboard.to_csv(data)).encode("utf-8"), content_type="text/csv",
                        charset="utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


MAX_CONVERSATION_ID = 255      # analytics_conversations.sender_id


STORE_ERROR = "对话记录暂时无法读取（会话存储不可用），下面只有人工接待部分。"


def _recorded_lines(settings, shop_engine, conversation_id: str):
    """(lines, problem): the conversation — the assistant's part and, if it was handed off,
    the desk's — or None when the analytics never recorded it: the page opens only
    conversations the dashboard lists, never an arbitrary id from the address bar."""
    from console.transcript import lines_of_conversation, with_desk_lines
    from shop.db.handoff_desk import conversation_desk_lines
    from shop.identity import customer_of_conversation, sender_of

    with _sync_lock:
        engine = _analytics_engine(settings.analytics.db_url)
    if not dashboard.is_recorded_conversation(engine, conversation_id):
        return None
    with session_scope(shop_engine) as session:
        desk = conversation_desk_lines(session, sender_of(conversation_id), customer_of_conversation(conversation_id))
    try:
        assistant, problem = lines_of_conversation(settings.rasa_endpoints, conversation_id), None
    except Exception:  # noqa: BLE001 - the desk's part still shows; the log has the trace
        logger.exception("conversation store unreadable for %s", conversation_id)
        assistant, problem = [], STORE_ERROR
    return with_desk_lines(assistant, desk, settings.analytics.timezone), problem


@requires("admin")
async def conversation_page(request: web.Request) -> web.StreamResponse:
    """One conversation the assistant did not resolve, as the shopper saw it (admins: it is a
    shopper's whole conversation, with whatever they typed)."""
    conversation_id = request.match_info["conversation_id"]
    if not 1 <= len(conversation_id) <= MAX_CONVERSATION_ID or NUL in conversation_id:
        raise web.HTTPNotFound()            # a NUL: no id the channels record, and PostgreSQL holds none
    try:
        found = await asyncio.to_thread(_analytics_work, request.app["engine"], _recorded_lines,
                                        request.app["settings"], request.app["engine"], conversation_id)
    except AnalyticsUnavailable as error:
        return _unavailable_answer(request, error)
    if found is None:
        raise web.HTTPNotFound()
    lines, store_error = found
    return render(request, "conversation.html", conversation_id=conversation_id, lines=lines,
                  store_error=store_error)


def _dumps(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


def routes() -> list:
    return [web.get("/analytics", analytics_page), web.get("/api/analytics", analytics_json),
            web.get("/analytics.csv", analytics_csv), web.get("/analytics/conversations/{conversation_id}", conversation_page)]
