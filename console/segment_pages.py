"""顾客分群: the segments of ``growth.segments`` (RFM + K-means, stored in the database) with
their sizes and value, drawn by ECharts; an admin recomputes them from the page.

The recomputation runs in a worker thread (it reads every customer's paid orders and runs
K-means — up to a minute on a large shop), one at a time; the page shows that it is
running and when it last finished.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Optional

from aiohttp import web

from console.auth import db, has_role, requires, signed_in
from console.pages import NavItem
from console.render import render
from growth.segments import recompute
from shop.db.segments import segment_sizes

logger = logging.getLogger("console.segments")

NAV = [NavItem("/segments", "顾客分群", role="agent")]


class RecomputeJob:
    """The one recomputation that may run at a time, and how the last one ended."""

    def __init__(self) -> None:
        self.task: Optional[asyncio.Task] = None
        self.finished_at: Optional[float] = None
        self.seconds: Optional[float] = None
        self.customers: Optional[int] = None
        self.error: Optional[str] = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self, engine) -> bool:
        if self.running:
            return False
        self.task = asyncio.get_running_loop().create_task(self._run(engine))
        return True

    async def _run(self, engine) -> None:
        try:
            result, seconds = await asyncio.to_thread(recompute, engine)
            self.customers, self.seconds, self.error = len(result.rows), seconds, None
        except Exception:   # shown to the admin, logged with its trace; the old segments stay
            logger.exception("segment recomputation failed")
            self.error = "重新计算失败，原有分群保持不变（详见控制台日志）"
        self.finished_at = time.time()

    def state(self) -> dict:
        return {"running": self.running, "finished_at": self.finished_at, "seconds": self.seconds,
                "customers": self.customers, "error": self.error}


def setup(app: web.Application) -> None:
    app["segments_job"] = RecomputeJob()

    async def wait(_: web.Application) -> None:
        task = app["segments_job"].task
        if task is not None:
            await asyncio.wait([task])
    app.on_cleanup.append(wait)


def _rows(session) -> list[dict]:
    return [{"segment": s.segment, "label": s.label, "customers": s.customers,
             "gmv_yuan": s.monetary_cents / 100.0,
             "gmv_per_customer_yuan": s.monetary_cents / 100.0 / s.customers if s.customers else 0.0}
            for s in segment_sizes(session)]


@requires("agent")
async def segments_page(request: web.Request) -> web.StreamResponse:
    return render(request, "segments.html", rows=await db(request, _rows), job=request.app["segments_job"].state(),
                  can_act=has_role(signed_in(request), "admin"), started=request.query.get("started"))


@requires("agent")
async def segments_json(request: web.Request) -> web.StreamResponse:
    return web.json_response({"segments": await db(request, _rows), "job": request.app["segments_job"].state()})


@requires("admin")
async def segments_recompute(request: web.Request) -> web.StreamResponse:
    started = request.app["segments_job"].start(request.app["engine"])
    logger.info("%s asked to recompute the segments (%s)", signed_in(request).account.username,
                "started" if started else "already running")
    raise web.HTTPSeeOther("/segments?started=1")


def routes() -> list:
    return [web.get("/segments", segments_page), web.get("/api/segments", segments_json),
            web.post("/segments/recompute", segments_recompute)]
