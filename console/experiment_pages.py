"""实验: the A/B experiments of ``content/experiments.yml`` (``SHOP_EXPERIMENTS_PATH``).

Agents read: every experiment with its status, and per experiment the report of
``growth.analyse`` (units, exposures, click-through, conversion, GMV per shopper with 95 %
intervals and lift against the control, the sample-ratio check, CUPED), what the assistant
sold under each variant per day (``growth.analyse.sales_per_day``) and a sample-size
planner. Admins act: stop / start, ramp, exclude / re-include a variant — an edit of the
file through ``growth.experiments_file`` (validated, atomic); the action server re-reads the
file when it changes, so no deploy is needed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
from datetime import datetime
from typing import Optional
from urllib.parse import quote

from aiohttp import web

from console.auth import has_role, requires, signed_in
from console.pages import NavItem
from console.render import render
from growth import statistics as st
from growth.analyse import analyse, sales_per_day
from growth.experiments import ExperimentBook, ExperimentError
from growth.experiments_file import ACTIONS, change_experiment

logger = logging.getLogger("console.experiments")

NAV = [NavItem("/experiments", "实验", role="agent")]
ACTION_LABELS = {"stop": "停止实验", "start": "开始实验", "ramp": "调整放量", "exclude": "停用分组",
                 "include": "恢复分组"}


def setup(app: web.Application) -> None:
    path = app["settings"].experiments_path
    app["experiments_path"] = path
    app["experiment_book"] = ExperimentBook(path)


def _book(request: web.Request) -> ExperimentBook:
    return request.app["experiment_book"]


def _fraction(raw: Optional[str], low: float, high: float) -> Optional[float]:
    """A percentage from a form field as a fraction; None when absent, 400 when unusable."""
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw) / 100
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise web.HTTPBadRequest(text=f"百分比须在 {low * 100:g} 到 {high * 100:g} 之间",
                                 content_type="text/plain")
    return value


def plan_sizes(report: dict, lift: Optional[float], baseline_rate: Optional[float]) -> Optional[dict]:
    """The planner: units per variant for ``lift`` — on the rate the operator typed, or on
    the control's current conversion and GMV (the report's ``plan``)."""
    if lift is None:
        return None
    sizes = {"lift": lift}
    if baseline_rate is not None:
        try:
            sizes["rate_units"] = st.sample_size_for_rate(baseline_rate, lift)
            sizes["baseline_rate"] = baseline_rate
        except ValueError as error:
            sizes["error"] = str(error)
    plan = report.get("plan") or {}
    sizes["conversion_units"] = plan.get("conversion_units_per_variant")
    sizes["gmv_units"] = plan.get("gmv_units_per_variant")
    return sizes


@requires("agent")
async def experiments_page(request: web.Request) -> web.StreamResponse:
    plan = await asyncio.to_thread(_book(request).plan)
    return render(request, "experiments.html", experiments=plan.experiments, file=str(request.app["experiments_path"]))


@requires("agent")
async def experiment_page(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    experiment = (await asyncio.to_thread(_book(request).plan)).get(name)
    if experiment is None:
        raise web.HTTPNotFound(text="没有这个实验", content_type="text/plain")
    lift = _fraction(request.query.get("lift"), 0.001, 10.0)
    baseline_rate = _fraction(request.query.get("baseline"), 0.0001, 0.9999)
    report = await asyncio.to_thread(analyse, request.app["engine"], name, None, lift, _book(request))
    zone = request.app["settings"].analytics.timezone
    sales = await asyncio.to_thread(sales_per_day, request.app["engine"], name,
                                    [v.name for v in experiment.variants], datetime.now(zone).date(), zone)
    return render(request, "experiment.html", experiment=experiment, report=report, sales=sales,
                  sales_json=json.dumps(sales, ensure_ascii=False),
                  planner=plan_sizes(report, lift, baseline_rate),
                  lift_field=request.query.get("lift", ""), baseline_field=request.query.get("baseline", ""),
                  can_act=has_role(signed_in(request), "admin"), labels=ACTION_LABELS,
                  message=request.query.get("done", ""), error=None)


@requires("admin")
async def experiment_action(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    form = await request.post()
    action = form.get("action")
    if action not in ACTIONS:
        raise web.HTTPBadRequest(text="未知操作", content_type="text/plain")
    variant = form.get("variant") or None
    variant = variant if isinstance(variant, str) else None
    # The usual mistakes answered in Chinese before the file is touched (the file layer's own
    # checks still run, and say the rest).
    experiment = (await asyncio.to_thread(_book(request).plan)).get(name)
    if experiment is None:
        raise web.HTTPNotFound(text="没有这个实验", content_type="text/plain")
    if action in ("exclude", "include") and variant not in {v.name for v in experiment.variants}:
        return web.Response(status=400, text="没有修改实验文件：这个实验没有该分组", content_type="text/plain")
    ramp = None
    if action == "ramp":
        try:
            ramp = float(form.get("ramp", ""))
        except ValueError:
            ramp = math.nan
        if not 0 <= ramp <= 100:
            return web.Response(status=400, text="没有修改实验文件：放量须是 0 到 100 之间的百分比",
                                content_type="text/plain")
    try:
        await asyncio.to_thread(change_experiment, request.app["experiments_path"], name, action, variant, ramp)
    except ExperimentError as error:
        logger.warning("%s: refused %s on experiment %r: %s", signed_in(request).account.username, action, name, error)
        return web.Response(status=400, text=f"没有修改实验文件：{error}", content_type="text/plain")
    logger.info("%s: %s on experiment %r (variant %s, ramp %s)", signed_in(request).account.username,
                action, name, variant, ramp)
    raise web.HTTPSeeOther(f"/experiments/{quote(name, safe='')}?done={action}")


def routes() -> list:
    return [web.get("/experiments", experiments_page), web.get("/experiments/{name}", experiment_page),
            web.post("/experiments/{name}/action", experiment_action)]
