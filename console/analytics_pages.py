"""数据分析: the operator dashboard (figures from ``analytics.dashboard``) with a date range,
charts drawn by Apache ECharts (vendored in static/vendor, no CDN) and a CSV export.

The embedded setup reads new events from the SQL broker's file before answering (one
incremental, idempotent sync); the scale-out setup's consumer keeps the tables current.
"""
from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime, timedelta
from functools import lru_cache

from aiohttp import web

from analytics import dashboard, store
from analytics.settings import AnalyticsSettings
from console.auth import requires
from console.pages import NavItem
from console.render import render
from shop.db.engine import make_engine, session_scope

NAV = [NavItem("/analytics", "数据分析", role="agent")]
DEFAULT_DAYS = 7
MAX_DAYS = 366


@lru_cache(maxsize=4)
def _analytics_engine(db_url: str):
    engine = make_engine(db_url)
    store.create_tables(engine)
    return engine


def _period(request: web.Request) -> tuple[date, date]:
    today = datetime.now(request.app["settings"].analytics.timezone).date()
    try:
        last = date.fromisoformat(request.query["to"]) if request.query.get("to") else today
        first = (date.fromisoformat(request.query["from"]) if request.query.get("from")
                 else last - timedelta(days=DEFAULT_DAYS - 1))
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "invalid_date"}', content_type="application/json") from None
    if last < first or (last - first).days >= MAX_DAYS:
        raise web.HTTPBadRequest(text='{"error": "invalid_period"}', content_type="application/json")
    return first, last


# One set-up and sync at a time: two dashboard requests at once (the page's first fetch still
# running when the operator picks another period) both created the tables of a new analytics
# file and both wrote its first offset; the second failed ("database is locked"), and its page
# never drew (a 500 behind "数据分析"; tests/console/test_analytics_concurrency.py).
_sync_lock = threading.Lock()


def _figures(settings: AnalyticsSettings, shop_engine, first: date, last: date) -> dict:
    with _sync_lock:
        engine = _analytics_engine(settings.db_url)
        if not settings.uses_rabbitmq:
            from analytics.sql_source import broker_engine, sync

            sync(engine, broker_engine(settings.events_db_path), zone=settings.timezone)
    return dashboard.build(engine, lambda: session_scope(shop_engine), first, last, settings.timezone)


async def _data(request: web.Request) -> dict:
    first, last = _period(request)
    return await asyncio.to_thread(_figures, request.app["settings"].analytics, request.app["engine"], first, last)


@requires("agent")
async def analytics_page(request: web.Request) -> web.StreamResponse:
    first, last = _period(request)
    return render(request, "analytics.html", first=first.isoformat(), last=last.isoformat())


@requires("agent")
async def analytics_json(request: web.Request) -> web.StreamResponse:
    return web.json_response(await _data(request), dumps=_dumps)


@requires("agent")
async def analytics_csv(request: web.Request) -> web.StreamResponse:
    data = await _data(request)
    name = f"analytics_{data['period']['first']}_{data['period']['last']}.csv"
    # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
    return web.Response(body=("\ufeff" + dashboard.to_csv(data)).encode("utf-8"), content_type="text/csv",
                        charset="utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _dumps(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


def routes() -> list:
    return [web.get("/analytics", analytics_page), web.get("/api/analytics", analytics_json),
            web.get("/analytics.csv", analytics_csv)]
