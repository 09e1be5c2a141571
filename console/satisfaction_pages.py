"""满意度 (CSAT): what shoppers said when asked, after the desk closed their hand-off or after
the assistant's goodbye (``shop.domain.satisfaction``, ``shop.db.satisfaction``) — the
assistant against the human desk, per agent, per shop day, and the shoppers' comments.

Agents see the assistant's figures and their own (their row, their tickets' comments);
admins see every agent. Read from the shop database (the comments are the shoppers' own
words, which the analytics database does not hold).
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any, Dict, Optional

from aiohttp import web

from analytics.dashboard import _cell, _text_cell
from console.analytics_pages import BadPeriod, _checked_period, _dumps, _period
from console.auth import db, has_role, requires, signed_in
from console.pages import NavItem
from console.render import render
from shop.db.satisfaction import Tally, satisfaction_report
from shop.domain.satisfaction import ASSISTANT, DESK, SATISFIED_FROM, SCORES, SUBJECTS

NAV = [NavItem("/satisfaction", "满意度", role="agent")]


def _tally(t: Tally) -> Dict[str, Any]:
    return {"asked": t.asked, "rated": t.rated, "skipped": t.skipped,
            "response_rate": t.response_rate, "average": t.average, "csat": t.csat}


def _report(session, first, last, zone, agent_id: Optional[int]) -> Dict[str, Any]:
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    report = satisfaction_report(session, start, end, agent_id=agent_id, zone=zone)
    return {
        "period": {"first": first.isoformat(), "last": last.isoformat()},
        "satisfied_from": SATISFIED_FROM,
        "by_subject": [{"subject": s, "label": SUBJECTS[s], **_tally(report.by_subject[s])} for s in (ASSISTANT, DESK)],
        "by_agent": [{"agent_id": i, "agent": name, **_tally(t)} for i, name, t in report.by_agent],
        "by_day": [{"day": day, **{s: _tally(t) for s, t in subjects.items()}} for day, subjects in report.by_day],
        "comments": [{"at": c.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "subject": SUBJECTS[c.subject],
                      "agent": c.agent_name, "ticket_no": c.ticket_no, "score": c.score,
                      "score_label": SCORES[c.score], "comment": c.comment} for c in report.comments],
    }


def _whose(request: web.Request) -> Optional[int]:
    """None: every agent's figures (an admin); otherwise the agent's own id."""
    who = signed_in(request)
    return None if has_role(who, "admin") else who.account.id


async def _data(request: web.Request, first, last) -> Dict[str, Any]:
    zone = request.app["settings"].analytics.timezone
    return await db(request, _report, first, last, zone, _whose(request))


@requires("agent")
async def satisfaction_page(request: web.Request) -> web.StreamResponse:
    error, status = None, 200
    try:
        first, last = _period(request)
    except BadPeriod as bad:   # the default week again, and what was wrong
        request = request.clone(rel_url=request.rel_url.with_query({}))
        first, last = _period(request)
        error, status = bad.message, 400
    data = await _data(request, first, last)
    return render(request, "satisfaction.html", status=status, error=error, data=data,
                  first=first.isoformat(), last=last.isoformat(), days=(last - first).days + 1,
                  zone=str(request.app["settings"].analytics.timezone), all_agents=_whose(request) is None)


@requires("agent")
async def satisfaction_json(request: web.Request) -> web.StreamResponse:
    first, last = _checked_period(request)
    return web.json_response(await _data(request, first, last), dumps=_dumps)


# The CSV's 说明 column (as 数据分析's export): each metric in Chinese with its unit.
CSV_LABELS = {"asked": "邀请评价（次）", "rated": "评价（次）", "skipped": "跳过（次）",
              "response_rate": "评价率（0–1）", "average": "平均分（1–5）", "csat": "满意率（0–1，4–5 星 / 评价）",
              "score": "评分（1–5）", "comment": "顾客的原话"}
TALLY_FIELDS = ("asked", "rated", "skipped", "response_rate", "average", "csat")


def to_csv(data: Dict[str, Any]) -> str:
    """The page's figures, one per row (``section,key,metric,value,说明``, as 数据分析's CSV):
    text cells through the dashboard's formula and number guards."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "metric", "value", "说明"])

    def row(section: str, key: str, metric: str, value: Any) -> None:
        kept = _text_cell(value) if metric == "comment" else _cell(round(value, 4) if isinstance(value, float) else value)
        writer.writerow([section, key, metric, kept, CSV_LABELS.get(metric, metric)])

    for r in data["by_subject"]:
        for metric in TALLY_FIELDS:
            row("satisfaction", r["subject"], metric, r[metric])
    for r in data["by_agent"]:
        for metric in TALLY_FIELDS:
            row("satisfaction_agent", _text_cell(r["agent"]), metric, r[metric])
    for r in data["by_day"]:
        for subject in (ASSISTANT, DESK):
            for metric in ("rated", "csat"):
                row("satisfaction_day", f"{r['day']}/{subject}", metric, r[subject][metric])
    for c in data["comments"]:
        key = _text_cell(f"{c['at']} {c['ticket_no'] or c['subject']}")
        row("satisfaction_comment", key, "score", c["score"])
        row("satisfaction_comment", key, "comment", c["comment"])
    return out.getvalue()


@requires("agent")
async def satisfaction_csv(request: web.Request) -> web.StreamResponse:
    first, last = _checked_period(request)
    data = await _data(request, first, last)
    name = f"satisfaction_{first.isoformat()}_{last.isoformat()}.csv"
    # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
    return web.Response(body=("\ufeff" + to_csv(data)).encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def routes() -> list:
    return [web.get("/satisfaction", satisfaction_page), web.get("/api/satisfaction", satisfaction_json),
            web.get("/satisfaction.csv", satisfaction_csv)]
