"""实验: the A/B experiments of ``content/experiments.yml`` (``SHOP_EXPERIMENTS_PATH``).

Agents read: every experiment with its status, and per experiment the report of
``growth.analyse`` (units, exposures, click-through, conversion, GMV per shopper with 95 %
intervals and lift against the control, the sample-ratio check, CUPED), what the assistant
sold under each variant per day (``growth.analyse.sales_per_day``) and a sample-size
planner. Admins act: stop / start, ramp, exclude / re-include a variant — an edit of the
file through ``growth.experiments_file`` (validated, atomic); the action server re-reads the
file when it changes, so no deploy is needed. Every change is kept in 修改记录: the admin's,
and an edit made by hand in the file, found when the console loads the file (its SHA-256
against the state last recorded) and recorded as a change by 文件.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import threading
from datetime import datetime
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import yaml
from aiohttp import web

from console.auth import db, has_role, requires, signed_in
from console.notices import coded_message
from console.pages import NavItem
from console.render import render
from growth import statistics as st
from growth.analyse import analyse, sales_per_day
from growth.experiments import MAX_PLANNED_UNITS, Experiment, ExperimentBook, ExperimentError, parse_plan
from growth.experiments_file import ACTIONS, change_experiment, write_atomically
from shop.db.engine import session_scope
from shop.db.experiment_changes import (FILE_ACTION, MAX_SETTINGS, experiment_changes, last_file_state,
                                       record_experiment_change, record_file_state)
from shop.domain.clock import utc_now
from shop.domain.numbers import whole_number

logger = logging.getLogger("console.experiments")

NAV = [NavItem("/experiments", "实验", role="agent")]
ACTION_LABELS = {"stop": "停止实验", "start": "开始实验", "ramp": "调整放量", "exclude": "停用分组",
                 "include": "恢复分组", "plan": "计划样本量", FILE_ACTION: "直接修改文件"}
CHANGES_SHOWN = 20
# One change at a time from this console: the file edit, its audit row and, if the row cannot
# be kept, putting the file back must not interleave with another admin's change.
_change_lock = threading.Lock()


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


def describe(experiment: Optional[Experiment]) -> str:
    """An experiment's settings in one line, as 修改记录 shows them before and after a change."""
    if experiment is None:
        return "（不存在）"
    parts = ["运行中" if experiment.running else "已停止", f"放量 {experiment.ramp:g}%"]
    if experiment.excluded:
        parts.append("停用 " + "、".join(sorted(experiment.excluded)))
    if experiment.planned_units:
        parts.append(f"计划每组 {experiment.planned_units} 人")
    return " · ".join(parts)


def describe_in_full(experiment: Optional[Experiment]) -> str:
    """``describe`` and what else a hand edit may change — the variants with their weights and
    what each changes, the segments, the attribution window — so a 文件 row of 修改记录 says
    what changed whatever was edited."""
    if experiment is None:
        return describe(None)
    variants = "、".join(f"{v.name} 权重 {v.weight:g}" + (
        "（" + "，".join(f"{k}={v.params[k]}" for k in sorted(v.params)) + "）" if v.params else "")
        for v in experiment.variants)
    parts = [describe(experiment), f"分组 {variants}"]
    if experiment.segments:
        parts.append("仅 " + "、".join(sorted(experiment.segments)))
    parts.append(f"归因 {experiment.attribution_days} 天")
    text = " · ".join(parts)
    return text if len(text) <= MAX_SETTINGS else text[:MAX_SETTINGS - 1] + "…"


def _file_state(path: Path) -> Optional[tuple[str, dict]]:
    """The file's SHA-256 and each experiment's settings as the action server reads them
    (``parse_plan``: an invalid experiment left out); None when the file is missing or not
    YAML at all (the action server keeps the last good experiments then: nothing changed)."""
    try:
        raw = Path(path).read_bytes()
        plan = parse_plan(yaml.safe_load(raw.decode("utf-8")) or {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError) as error:
        logger.warning("experiment file %s not read for the audit: %s", path, error)
        return None
    return hashlib.sha256(raw).hexdigest(), {e.name: describe_in_full(e) for e in plan.experiments}


def _record_hand_edits(engine, path: Path) -> int:
    state = _file_state(path)
    if state is None:
        return 0
    digest, settings = state
    with session_scope(engine, writes=True) as session:
        last = last_file_state(session)
        if last is not None and last.sha256 == digest:
            return 0
        changed = 0
        if last is not None:     # the first look only keeps the state: nothing to compare with
            now = utc_now()
            for name in sorted(set(last.settings) | set(settings)):
                before, after = last.settings.get(name, describe(None)), settings.get(name, describe(None))
                if before != after:
                    record_experiment_change(session, name, FILE_ACTION, None, before, after, None, now)
                    changed += 1
            if changed:
                logger.info("experiment file %s edited by hand: %d experiment(s) changed, recorded", path, changed)
        record_file_state(session, digest, settings, utc_now())
        return changed


def record_hand_edits(engine, path: Path) -> int:
    """Record an edit made by hand in the experiment file since it was last recorded: per
    experiment whose settings differ (or that appeared or vanished), a change by 文件 with the
    settings before and after (``describe_in_full``); then the file's state. Same hash, nothing
    written; a comment-only edit keeps the new state, no change. Returns how many changes."""
    with _change_lock:
        return _record_hand_edits(engine, path)


def change_and_record(engine, book: ExperimentBook, path: Path, name: str, action: str, variant: Optional[str],
                      ramp: Optional[float], planned_units: Optional[int], account_id: int) -> str:
    """Change the experiment file and keep who did it (``experiment_changes``) as one unit of
    work, failing closed: the row is written in the transaction the change runs in, and if the
    database refuses it (down, locked) the file is put back as it was and the error raised —
    no change without its record. A change that changes nothing is neither written nor
    recorded. A hand edit made before it is recorded first (as 文件), and the file's new state
    with the change, so the console's own edit is never taken for a hand edit. Returns the new
    settings (``describe``)."""
    with _change_lock:
        _record_hand_edits(engine, path)
        before = describe(book.plan().get(name))
        try:
            original = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ExperimentError(f"cannot read {path}: {error.strerror}") from error
        written = False
        try:
            with session_scope(engine, writes=True) as session:
                after = describe(change_experiment(path, name, action, variant, ramp, planned_units).get(name))
                written = True
                if after == before:
                    # Nothing changed (stop on a stopped experiment, the same ramp again): the
                    # file keeps its very bytes and 修改记录 no row.
                    write_atomically(Path(path), original)
                    return after
                record_experiment_change(session, name, action, variant, before, after, account_id, utc_now())
                state = _file_state(path)
                if state is not None:
                    record_file_state(session, *state, utc_now())
        except BaseException:
            if written:
                write_atomically(Path(path), original)
                logger.error("experiment %r: the change (%s) could not be recorded; the file was put back",
                             name, action)
            raise
        return after


async def _note_hand_edits(request: web.Request) -> None:
    """On every load of the experiment pages: a hand edit since the last record goes into
    修改记录. The audit must not take the pages down: a database that refuses it is logged and
    the next load tries again (the state is only kept with its changes)."""
    try:
        await asyncio.to_thread(record_hand_edits, request.app["engine"], request.app["experiments_path"])
    except Exception:  # noqa: BLE001 - reading the experiments still works
        logger.exception("could not record hand edits of the experiment file; trying again at the next load")


@requires("agent")
async def experiments_page(request: web.Request) -> web.StreamResponse:
    await _note_hand_edits(request)
    plan = await asyncio.to_thread(_book(request).plan)
    return render(request, "experiments.html", experiments=plan.experiments, file=str(request.app["experiments_path"]))


@requires("agent")
async def experiment_page(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    await _note_hand_edits(request)
    experiment = (await asyncio.to_thread(_book(request).plan)).get(name)
    if experiment is None:
        raise web.HTTPNotFound(text="没有这个实验", content_type="text/plain")
    lift = _fraction(request.query.get("lift"), 0.001, 10.0)
    baseline_rate = _fraction(request.query.get("baseline"), 0.0001, 0.9999)
    report = await asyncio.to_thread(analyse, request.app["engine"], name, None, lift, _book(request))
    zone = request.app["settings"].analytics.timezone
    sales = await asyncio.to_thread(sales_per_day, request.app["engine"], name,
                                    [v.name for v in experiment.variants], datetime.now(zone).date(), zone)
    changes = await db(request, experiment_changes, name, CHANGES_SHOWN)
    return render(request, "experiment.html", experiment=experiment, report=report, sales=sales,
                  progress=report.get("progress"), changes=changes, max_planned=MAX_PLANNED_UNITS,
                  sales_json=json.dumps(sales, ensure_ascii=False),
                  planner=plan_sizes(report, lift, baseline_rate),
                  lift_field=request.query.get("lift", ""), baseline_field=request.query.get("baseline", ""),
                  can_act=has_role(signed_in(request), "admin"), labels=ACTION_LABELS,
                  message=coded_message(request, "done", {a: a for a in ACTION_LABELS}), error=None)


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
    planned = None
    if action == "plan":
        raw = form.get("planned_units", "")
        raw = raw.strip() if isinstance(raw, str) else ""
        if raw:      # empty: take the plan away
            planned = whole_number(raw, high=MAX_PLANNED_UNITS) if raw.isascii() else None
            if planned is None:
                return web.Response(status=400, text=f"没有修改实验文件：计划样本量须是 1 到 {MAX_PLANNED_UNITS} 之间的整数（每组人数）",
                                    content_type="text/plain")
    who = signed_in(request).account
    try:
        after = await asyncio.to_thread(change_and_record, request.app["engine"], _book(request),
                                        request.app["experiments_path"], name, action, variant, ramp, planned, who.id)
    except ExperimentError as error:
        logger.warning("%s: refused %s on experiment %r: %s", who.username, action, name, error)
        return web.Response(status=400, text=f"没有修改实验文件：{error}", content_type="text/plain")
    logger.info("%s: %s on experiment %r (variant %s, ramp %s, planned units %s): now %s", who.username,
                action, name, variant, ramp, planned, after)
    raise web.HTTPSeeOther(f"/experiments/{quote(name, safe='')}?done={action}")


def routes() -> list:
    return [web.get("/experiments", experiments_page), web.get("/experiments/{name}", experiment_page),
            web.post("/experiments/{name}/action", experiment_action)]
