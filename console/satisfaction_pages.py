"""满意度 (CSAT): what shoppers said when asked, after the desk closed their hand-off or after
the assistant's goodbye (``shop.domain.satisfaction``, ``shop.db.satisfaction``) — the
assistant against the human desk, per agent, per shop day, and the shoppers' comments.

Agents see the assistant's figures and their own (their row, their tickets' comments);
admins see every agent. Read from the shop database (the comments are the shoppers' own
words, which the analytics database does not hold).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Dict, Optional

from aiohttp import web

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


def routes() -> list:
    return [web.get("/satisfaction", satisfaction_page), web.get("/api/satisfaction", satisfaction_json)]
