"""The operator dashboard's figures for a period of days, and their CSV export.

Conversation figures come from the analytics tables (fed by the event broker); the
recommendation funnel and after-sales from the shop database (``shop.db.analytics``).
A period is a range of the shop's days, both ends included.

Definitions (also in the README):
- a conversation counts on the day its first shopper message arrived;
- hand-offs: a conversation the assistant handed to the human desk counts as handed off,
  unless the shopper cancelled every ticket it got while still waiting ("取消人工"; no agent
  took one): that one counts as ``handoff_cancelled``, apart. Both are columns of
  ``analytics_conversations``, kept by ``analytics.store`` from the event stream (the Rasa
  server publishes the cancels there too): one rule, the same number in Metabase;
- containment: conversations neither handed off nor with a cancelled hand-off / conversations
  (handed_off + handoff_cancelled + contained = conversations);
- hand-off rate: conversations handed off / conversations; cancelled hand-off rate likewise;
- fallback, out-of-scope and clarification rates: shopper messages (button clicks excluded)
  that got the core fallback, the out-of-scope answer or intent, a clarifying question or
  the NLU fallback / such messages;
- unresolved conversations: those the assistant did not resolve on its own — a shopper message
  got the core fallback or the out-of-scope answer, or the conversation was handed off — the
  latest first (``UNRESOLVED_SHOWN`` of them, and how many in all);
- desk resolution rate: of the tickets agents closed in the period with a resolution (the
  close form asks: ``shop.domain.handoff_resolutions``), the share closed as resolved;
- desk transfers: transfers agents made in the period (to a colleague or back to the queue),
  and transfers per ticket = the transfers the tickets closed in the period had / those
  tickets (the same tickets as the resolution rate), with how many had 0, 1, 2 … transfers;
- assistant resolution rate: conversations the assistant resolved on its own (none of its
  messages got the core fallback or the out-of-scope answer, and not handed off) / conversations;
- by intent: per NLU intent of typed messages, how many got the core fallback, the
  out-of-scope answer, a clarifying question, or were the turn the hand-off ran in, with rates
  (where the assistant fails, intent by intent; the most failing first);
- sales by variant: the recommendation funnel per experiment variant (a ``rec_strategy``
  variant is a recommendation strategy): displays, clicks, paid items, orders, GMV;
- desk waits: seconds from the hand-off to the first agent's claim, for tickets first taken
  in the period (p50 / p90 / longest), and how long shoppers who cancelled had waited;
- desk agents: per account, tickets taken from the queue (claims) and their median wait there,
  tickets closed and resolved (by whoever closed them), replies,
  transfers made / received / taken away by an admin's reassignment;
- CSAT per agent (按客服) and for the assistant: of the satisfaction questions asked in the
  period (``analytics_satisfaction``, by the day asked), ratings, their average (1–5) and the
  share of 4–5 (``shop.db.satisfaction.Tally``, the 满意度 page's one rule); an agent is matched
  to their desk row by display name (the analytics database keeps the name only);
- rejected events (admins): how many messages / broker rows were set aside in
  ``analytics_rejected_events`` (not counted anywhere above), and the latest few — when, the
  error and the start of the body (``REJECTED_SHOWN``, ``REJECTED_CHARS``);
- latency: from a shopper message to the assistant listening again (all its replies sent),
  as Rasa timestamps the events; NLU parsing happens before the message event and is not in it.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Callable, Optional

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from analytics.settings import DEFAULT_TIMEZONE
from analytics.store import CONVERSATIONS, REJECTED, SATISFACTION, TURNS

TOP_MESSAGES = 20
TOP_INTENTS = 12
INTENTS_LISTED = 30      # the by-intent table: the intents with most failures
LATENCY_PERCENTILES = (50, 90, 95, 99)
UNRESOLVED_SHOWN = 50
# The one definition of "the assistant did not resolve it" (the dashboard's list and count).
UNRESOLVED = (CONVERSATIONS.c.fallback_turns > 0) | (CONVERSATIONS.c.out_of_scope_turns > 0) | \
    CONVERSATIONS.c.handed_off.is_(True)


def period_bounds(first: date, last: date, zone: tzinfo = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
    """Aware [start, end) datetimes covering the shop days first..last."""
    return (datetime.combine(first, time(), tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=zone))


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def conversation_figures(engine: Engine, first: date, last: date) -> dict:
    days = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
    in_days = CONVERSATIONS.c.day.between(first.isoformat(), last.isoformat())
    typed = and_(TURNS.c.day.between(first.isoformat(), last.isoformat()), TURNS.c.is_button.is_(False))
    with engine.connect() as connection:
        totals = dict(connection.execute(
            select(CONVERSATIONS.c.day, func.count()).where(in_days).group_by(CONVERSATIONS.c.day)).all())
        handed_rows = connection.execute(
            select(CONVERSATIONS.c.day, CONVERSATIONS.c.handed_off, CONVERSATIONS.c.handoff_cancelled)
            .where(in_days, CONVERSATIONS.c.handoffs > 0)).all()
        turns = connection.execute(
            select(TURNS.c.day, TURNS.c.intent, TURNS.c.fallback, TURNS.c.out_of_scope, TURNS.c.clarification,
                   TURNS.c.handoff)
            .where(typed)).all()
        not_understood = connection.execute(
            select(TURNS.c.text, func.count(), func.max(TURNS.c.at))
            .where(typed, (TURNS.c.fallback | TURNS.c.out_of_scope | TURNS.c.clarification))
            .group_by(TURNS.c.text).order_by(func.count().desc(), func.max(TURNS.c.at).desc())
            .limit(TOP_MESSAGES)).all()
        unresolved_total = connection.execute(
            select(func.count()).select_from(CONVERSATIONS).where(in_days, UNRESOLVED)).scalar_one()
        unresolved = connection.execute(
            select(CONVERSATIONS.c.sender_id, CONVERSATIONS.c.day, CONVERSATIONS.c.last_at, CONVERSATIONS.c.turns,
                   CONVERSATIONS.c.fallback_turns, CONVERSATIONS.c.out_of_scope_turns,
                   CONVERSATIONS.c.clarification_turns, CONVERSATIONS.c.handed_off)
            .where(in_days, UNRESOLVED)
            .order_by(CONVERSATIONS.c.last_at.desc(), CONVERSATIONS.c.sender_id).limit(UNRESOLVED_SHOWN)).all()
        latencies = [value for (value,) in connection.execute(
            select(TURNS.c.latency_ms).where(TURNS.c.day.between(first.isoformat(), last.isoformat()),
                                             TURNS.c.latency_ms.isnot(None)))]
    handed_per_day: Counter = Counter(day for day, handed, _ in handed_rows if handed)
    cancelled_per_day: Counter = Counter(day for day, _, cancelled in handed_rows if cancelled)
    conversations = sum(int(total) for total in totals.values())
    handed_off = sum(handed_per_day.values())
    handoff_cancelled = sum(cancelled_per_day.values())
    contained = conversations - handed_off - handoff_cancelled
    messages = len(turns)
    fallback = sum(1 for t in turns if t.fallback)
    out_of_scope = sum(1 for t in turns if t.out_of_scope)
    clarification = sum(1 for t in turns if t.clarification)
    intent_totals = Counter(t.intent or "(none)" for t in turns)
    top_intents = [name for name, _ in intent_totals.most_common(TOP_INTENTS)]
    by_day_intent: dict = defaultdict(Counter)
    for t in turns:
        name = t.intent or "(none)"
        by_day_intent[t.day][name if name in top_intents else "(other)"] += 1
    series_names = top_intents + (["(other)"] if len(intent_totals) > len(top_intents) else [])
    unresolved_count = int(unresolved_total)
    return {
        "conversations": conversations,
        "handed_off": handed_off,
        "handoff_cancelled": handoff_cancelled,
        "contained": contained,
        "containment_rate": _rate(contained, conversations),
        "handoff_rate": _rate(handed_off, conversations),
        "handoff_cancelled_rate": _rate(handoff_cancelled, conversations),
        "messages": messages,
        "fallback_messages": fallback,
        "out_of_scope_messages": out_of_scope,
        "clarification_messages": clarification,
        "fallback_rate": _rate(fallback, messages),
        "out_of_scope_rate": _rate(out_of_scope, messages),
        "clarification_rate": _rate(clarification, messages),
        "per_day": [{"day": day, "conversations": int(totals.get(day, 0)), "handed_off": handed_per_day[day],
                     "handoff_cancelled": cancelled_per_day[day]} for day in days],
        "intents": {"names": series_names,
                    "per_day": [{"day": day, **{n: by_day_intent[day][n] for n in series_names}} for day in days]},
        "not_understood": [{"text": text, "count": int(count)} for text, count, _ in not_understood],
        "unresolved_conversations": unresolved_count,
        "assistant_resolved": conversations - unresolved_count,
        "assistant_resolution_rate": _rate(conversations - unresolved_count, conversations),
        "by_intent": intent_failures(turns),
        "unresolved": [{"conversation_id": row.sender_id, "day": row.day, "last_at": row.last_at.isoformat() + "Z",
                        "turns": int(row.turns), "fallback_turns": int(row.fallback_turns),
                        "out_of_scope_turns": int(row.out_of_scope_turns),
                        "clarification_turns": int(row.clarification_turns), "handed_off": bool(row.handed_off)}
                       for row in unresolved],
        "latency_ms": {"turns": len(latencies), **{f"p{p}": (round(float(np.percentile(latencies, p)), 1)
                                                            if latencies else None) for p in LATENCY_PERCENTILES}},
    }


def intent_failures(turns) -> list[dict]:
    """Per intent (``(none)``: no intent), typed messages and how many got the core fallback,
    the out-of-scope answer, a clarifying question, or ran the hand-off, with rates; the
    intents with most of those first (``INTENTS_LISTED``)."""
    per: dict = defaultdict(Counter)
    for t in turns:
        row = per[t.intent or "(none)"]
        row["messages"] += 1
        row["fallback"] += bool(t.fallback)
        row["out_of_scope"] += bool(t.out_of_scope)
        row["clarification"] += bool(t.clarification)
        row["handoff"] += bool(t.handoff)
    rows = [{"intent": name, "messages": c["messages"], "fallback": c["fallback"], "out_of_scope": c["out_of_scope"],
             "clarification": c["clarification"], "handoff": c["handoff"],
             "fallback_rate": _rate(c["fallback"], c["messages"]),
             "out_of_scope_rate": _rate(c["out_of_scope"], c["messages"]),
             "clarification_rate": _rate(c["clarification"], c["messages"]),
             "handoff_rate": _rate(c["handoff"], c["messages"])} for name, c in per.items()]
    failing = lambda r: r["fallback"] + r["out_of_scope"] + r["clarification"] + r["handoff"]  # noqa: E731
    rows.sort(key=lambda r: (-failing(r), -r["messages"], r["intent"]))
    return rows[:INTENTS_LISTED]


def is_recorded_conversation(engine: Engine, conversation_id: str) -> bool:
    """Whether the analytics know this conversation: the console opens only those."""
    with engine.connect() as connection:
        return connection.execute(select(CONVERSATIONS.c.sender_id)
                                  .where(CONVERSATIONS.c.sender_id == conversation_id)).first() is not None


def shop_figures(session_factory: Callable, first: date, last: date, zone: tzinfo = DEFAULT_TIMEZONE) -> dict:
    from shop.db.analytics import (after_sales_by_reason, desk_agents, desk_resolutions, desk_transfers, desk_waits,
                                   recommendation_funnel, return_rate_by_product, sales_by_variant)
    from shop.domain.handoff_resolutions import RESOLVED

    start, end = period_bounds(first, last, zone)
    with session_factory() as session:
        funnel = recommendation_funnel(session, start, end)
        return {
            "funnel": {**asdict(funnel), "gmv_yuan": round(funnel.gmv_cents / 100, 2),
                       "click_rate": _rate(funnel.clicks, funnel.cards_shown),
                       "order_rate": _rate(funnel.ordered_items, funnel.clicks)},
            "after_sales_by_reason": after_sales_by_reason(session, start, end),
            "return_rate_by_product": return_rate_by_product(session, start, end),
            "desk": desk_figures(desk_resolutions(session, start, end), RESOLVED),
            "desk_transfers": transfer_figures(desk_transfers(session, start, end)),
            "desk_waits": wait_figures(desk_waits(session, start, end)),
            "desk_agents": desk_agents(session, start, end),
            "sales_by_variant": [{**row, "gmv_yuan": round(row["gmv_cents"] / 100, 2),
                                  "click_rate": _rate(row["clicks"], row["displays"])}
                                 for row in sales_by_variant(session, start, end)],
        }


def wait_figures(waits) -> dict:
    """``shop.db.analytics.DeskWaits`` as the dashboard shows it: seconds waited for a person."""
    def pick(values: list, p: float) -> Optional[float]:
        return round(float(np.percentile(values, p)), 1) if values else None
    taken, cancelled = waits.taken_waits_s, waits.cancelled_waits_s
    return {"taken": len(taken), "wait_p50_s": pick(taken, 50), "wait_p90_s": pick(taken, 90),
            "wait_max_s": round(max(taken), 1) if taken else None,
            "cancelled": len(cancelled), "cancelled_wait_p50_s": pick(cancelled, 50)}


def transfer_figures(transfers) -> dict:
    """``shop.db.analytics.DeskTransfers`` as the dashboard shows it: transfers per closed
    ticket, and the closed tickets by their number of transfers (0 included)."""
    return {"transfers": transfers.transfers, "to_agent": transfers.to_agent, "to_queue": transfers.to_queue,
            "closed": transfers.closed, "closed_transfers": transfers.closed_transfers,
            "transferred_tickets": sum(n for count, n in transfers.by_count.items() if count > 0),
            "transfers_per_ticket": _rate(transfers.closed_transfers, transfers.closed),
            "by_count": [{"transfers": count, "tickets": n} for count, n in sorted(transfers.by_count.items())]}


def desk_figures(by_resolution: list[dict], resolved: str) -> dict:
    """How agents ended the conversations they closed: counts per resolution, and the desk's
    resolution rate = resolved / closed with a resolution (those closed before the form asked
    are shown, not counted in the rate)."""
    with_reason = sum(r["tickets"] for r in by_resolution if r["resolution"] is not None)
    solved = sum(r["tickets"] for r in by_resolution if r["resolution"] == resolved)
    return {"closed": sum(r["tickets"] for r in by_resolution), "closed_with_resolution": with_reason,
            "resolution_rate": _rate(solved, with_reason), "by_resolution": by_resolution}


def build(engine: Engine, session_factory: Optional[Callable], first: date, last: date,
          zone: tzinfo = DEFAULT_TIMEZONE) -> dict:
    if last < first:
        raise ValueError("the period ends before it starts")
    data = {"period": {"first": first.isoformat(), "last": last.isoformat(),
                       "timezone": str(zone)}}
    data.update(conversation_figures(engine, first, last))
    if session_factory is not None:
        data.update(shop_figures(session_factory, first, last, zone))
    csat = satisfaction_figures(engine, first, last)
    data["csat_assistant"] = csat["assistant"]
    if "desk_agents" in data:
        with_csat(data["desk_agents"], csat["agents"])
    return data


CSAT_FIELDS = ("rated", "average", "csat")


def _csat(tally) -> dict:
    return {"rated": tally.rated, "average": round(tally.average, 2) if tally.average is not None else None,
            "csat": round(tally.csat, 4) if tally.csat is not None else None}


def satisfaction_figures(engine: Engine, first: date, last: date) -> dict:
    """CSAT of the questions asked on the period's shop days: the assistant's, and per agent
    (by the name the analytics database keeps)."""
    from shop.db.satisfaction import Tally
    from shop.domain.satisfaction import ASSISTANT

    with engine.connect() as connection:
        rows = connection.execute(select(SATISFACTION.c.subject, SATISFACTION.c.agent, SATISFACTION.c.status,
                                         SATISFACTION.c.score)
                                  .where(SATISFACTION.c.day >= first.isoformat(),
                                         SATISFACTION.c.day <= last.isoformat())).all()
    assistant, agents = Tally(), {}
    for subject, agent, status, score in rows:
        if subject == ASSISTANT:
            assistant = assistant.add(status, score)
        elif agent is not None:
            agents[agent] = agents.get(agent, Tally()).add(status, score)
    return {"assistant": _csat(assistant), "agents": {name: _csat(t) for name, t in agents.items()}}


def with_csat(desk_rows: list[dict], by_name: dict) -> None:
    """Each desk row gets its agent's CSAT (no rating: 0 and None); an agent rated in the
    period with no other desk work in it gets a row of their own (``agent_id`` unknown: admins
    only see it)."""
    empty = {"rated": 0, "average": None, "csat": None}
    named = set()
    for row in desk_rows:
        row["csat"] = by_name.get(row["name"], empty)
        named.add(row["name"])
    for name in sorted(set(by_name) - named):
        desk_rows.append({"agent_id": None, "name": name, "claimed": 0, "claim_wait_p50_s": None, "closed": 0,
                          "resolved": 0, "closed_with_resolution": 0, "resolution_rate": None, "replies": 0,
                          "tickets_replied": 0, "transferred": 0, "received": 0, "reassigned_away": 0,
                          "csat": by_name[name]})


REJECTED_SHOWN = 5
REJECTED_CHARS = 300


def _clipped(text: str, limit: int = REJECTED_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(text)} 字）"


def rejected_events(engine: Engine, zone: tzinfo = DEFAULT_TIMEZONE, latest: int = REJECTED_SHOWN) -> dict:
    """What the consumers set aside (``analytics_rejected_events``): how many, and the latest
    ``latest`` — when (shop time), the error and the body, each cut at ``REJECTED_CHARS``
    characters. Plain text: whoever shows it escapes it. Both may hold what a shopper typed
    (a user event's text; a database error quotes the values it refused)."""
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(REJECTED)).scalar_one()
        rows = connection.execute(select(REJECTED.c.rejected_at, REJECTED.c.error, REJECTED.c.body)
                                  .order_by(REJECTED.c.rejected_at.desc(), REJECTED.c.body_key)
                                  .limit(latest)).all()
    return {"count": total, "latest": [
        {"at": row.rejected_at.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
         "error": _clipped(row.error), "body": _clipped(row.body)} for row in rows]}


SUMMARY_FIELDS = ("conversations", "assistant_resolved", "assistant_resolution_rate", "contained", "handed_off",
                  "handoff_cancelled", "containment_rate", "handoff_rate",
                  "handoff_cancelled_rate", "messages",
                  "fallback_messages", "fallback_rate", "out_of_scope_messages", "out_of_scope_rate",
                  "clarification_messages", "clarification_rate", "unresolved_conversations")


# The CSV's fifth column, 说明: each metric in Chinese with its unit, so the file reads in
# Excel without this README (the first four columns stay as they were, for scripts).
METRIC_LABELS = {
    "conversations": "会话数（个）", "assistant_resolved": "小柚独立解决的会话（个）",
    "contained": "未转人工的会话（个）", "handed_off": "转人工的会话（个）",
    "handoff_cancelled": "顾客取消转人工（个）", "messages": "顾客消息数（条）",
    "fallback_messages": "兜底回复的消息（条）", "out_of_scope_messages": "超出范围的消息（条）",
    "clarification_messages": "澄清提问的消息（条）", "unresolved_conversations": "未解决的对话（个）",
    "turns": "轮数", "p50": "中位（毫秒）", "p90": "90 分位（毫秒）", "p95": "95 分位（毫秒）", "p99": "99 分位（毫秒）",
    "fallback": "兜底（条）", "out_of_scope": "超出范围（条）", "clarification": "澄清（条）", "handoff": "转人工（条）",
    "count": "次数", "day": "日期", "fallback_turns": "兜底（条）", "out_of_scope_turns": "超出范围（条）",
    "displays": "展示次数", "cards_shown": "展示的卡片（张）", "clicks": "点击（次）", "ordered_items": "下单商品（件）",
    "orders": "已付款订单（笔）", "gmv_cents": "成交额（分）", "gmv_yuan": "成交额（元）",
    "requests": "售后申请（个）", "units_sold": "售出（件）", "units_returned": "退货（件）",
    "closed": "结束的会话（个）", "closed_with_resolution": "有处理结果的会话（个）", "tickets": "会话数（个）",
    "transfers": "转接（次）", "to_agent": "转给同事（次）", "to_queue": "退回排队（次）",
    "closed_transfers": "结束会话的转接（次）", "transferred_tickets": "被转接过的会话（个）",
    "transfers_per_ticket": "每单转接（次）", "taken": "被接入的会话（个）", "cancelled": "顾客取消（个）",
    "claimed": "接入（次）", "resolved": "已解决（个）", "replies": "回复（条）", "tickets_replied": "回复的会话（个）",
    "transferred": "转出（次）", "received": "转入（次）", "reassigned_away": "被改派（次）",
    "rated": "顾客评价（次）", "average": "顾客评价平均分（1–5）", "csat": "满意率（0–1，4–5 星 / 评价）",
}


def metric_label(section: str, metric: str) -> str:
    """说明 of a CSV row: the metric in Chinese with its unit; rates are shares (0–1), waits seconds."""
    if section == "intents":
        return "该意图的消息（条）"
    if metric.endswith("_rate"):
        return "比率（0–1，乘 100 为百分比）"
    if metric.endswith("_s"):
        return "等待时长（秒）"
    return METRIC_LABELS.get(metric, "")


class _LabelledWriter:
    """csv.writer whose rows get the 说明 column."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([*row, metric_label(str(row[0]), str(row[2]))])


def to_csv(data: dict) -> str:
    """One CSV with a ``section`` column: the same numbers as the dashboard, table by table."""
    out = io.StringIO()
    csv.writer(out).writerow(["section", "key", "metric", "value", "说明"])
    writer = _LabelledWriter(out)
    period = f"{data['period']['first']}..{data['period']['last']}"
    for name in SUMMARY_FIELDS:
        writer.writerow(["summary", period, name, _cell(data[name])])
    for key, value in data["latency_ms"].items():
        writer.writerow(["latency_ms", period, key, _cell(value)])
    for row in data["per_day"]:
        writer.writerow(["per_day", row["day"], "conversations", row["conversations"]])
        writer.writerow(["per_day", row["day"], "handed_off", row["handed_off"]])
        writer.writerow(["per_day", row["day"], "handoff_cancelled", row["handoff_cancelled"]])
    for row in data["intents"]["per_day"]:
        for name in data["intents"]["names"]:
            writer.writerow(["intents", row["day"], name, row[name]])
    for row in data["by_intent"]:
        for metric in ("messages", "fallback", "out_of_scope", "clarification", "handoff", "fallback_rate",
                       "out_of_scope_rate", "clarification_rate", "handoff_rate"):
            writer.writerow(["by_intent", _cell(row["intent"]), metric, _cell(row[metric])])
    for metric in CSAT_FIELDS if "csat_assistant" in data else ():
        writer.writerow(["csat_assistant", period, metric, _cell(data["csat_assistant"][metric])])
    for row in data["not_understood"]:
        writer.writerow(["not_understood", _text_cell(row["text"]), "count", row["count"]])
    for row in data["unresolved"]:
        for metric in ("day", "turns", "fallback_turns", "out_of_scope_turns", "handed_off"):
            writer.writerow(["unresolved", _text_cell(row["conversation_id"]), metric, _cell(row[metric])])
    if "funnel" in data:
        for key, value in data["funnel"].items():
            writer.writerow(["funnel", period, key, _cell(value)])
        for row in data["after_sales_by_reason"]:
            writer.writerow(["after_sales", f"{row['service_type']}/{row['reason']}", "requests", row["requests"]])
        for row in data["return_rate_by_product"]:
            writer.writerow(["returns", row["product_id"], "units_sold", row["units_sold"]])
            writer.writerow(["returns", row["product_id"], "units_returned", row["units_returned"]])
            writer.writerow(["returns", row["product_id"], "return_rate", _cell(row["return_rate"])])
        for key in ("closed", "closed_with_resolution", "resolution_rate"):
            writer.writerow(["desk", period, key, _cell(data["desk"][key])])
        for row in data["desk"]["by_resolution"]:
            writer.writerow(["desk_resolution", row["resolution"] or "unrecorded", "tickets", row["tickets"]])
        for key in ("transfers", "to_agent", "to_queue", "closed", "closed_transfers", "transferred_tickets",
                    "transfers_per_ticket"):
            writer.writerow(["desk_transfers", period, key, _cell(data["desk_transfers"][key])])
        for row in data["desk_transfers"]["by_count"]:
            writer.writerow(["desk_transfers_per_ticket", row["transfers"], "tickets", row["tickets"]])
        for key, value in data["desk_waits"].items():
            writer.writerow(["desk_waits", period, key, _cell(value)])
        for row in data["desk_agents"]:
            for metric in ("claimed", "claim_wait_p50_s", "closed", "resolved", "closed_with_resolution",
                           "resolution_rate", "replies",
                           "tickets_replied", "transferred", "received", "reassigned_away"):
                writer.writerow(["desk_agent", _text_cell(row["name"]), metric, _cell(row[metric])])
            for metric in CSAT_FIELDS if "csat" in row else ():
                writer.writerow(["csat_agent", _text_cell(row["name"]), metric, _cell(row["csat"][metric])])
        for row in data.get("sales_by_strategy", []):    # the console names the strategies
            for metric in ("displays", "clicks", "ordered_items", "orders", "gmv_yuan"):
                writer.writerow(["sales_by_strategy", _cell(f"{row['experiment']}/{row['strategy']}"), metric,
                                 _cell(row[metric])])
        for row in data["sales_by_variant"]:
            for metric in ("displays", "clicks", "ordered_items", "orders", "gmv_yuan"):
                writer.writerow(["sales_by_variant", _cell(f"{row['experiment']}/{row['variant']}"), metric,
                                 _cell(row[metric])])
    return out.getvalue()


FORMULA_STARTS = frozenset("=+-@＝＋－＠")


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # A shopper's message opened in a spreadsheet must not run as a formula. Chat text keeps
    # tabs and line breaks, and spreadsheets skip leading blanks (a tab or CR starts a formula
    # too, OWASP's list): "\t=HYPERLINK(…)" ran; the full-width signs a Chinese input method
    # types are treated alike.
    lead = text.lstrip(" \t\r\n")[:1]
    if text[:1] in ("\t", "\r") or (lead in FORMULA_STARTS and not _is_number(text)):
        return "'" + text
    return text


# Text a spreadsheet opening the CSV would turn into a number or a date, losing what was typed:
# an all-digit conversation id or order number (leading zeros dropped, 1.23E+14), "12-1" or
# "12/1" (a date), "1:30", "5%", "1,234", "12月1日" (a date in a Chinese Excel). Digits with
# only such signs; English month names ("1-Jan") are not caught.
_LOOKS_NUMERIC = re.compile(r"[\s\d.,:/%()+\-eE年月日时分秒¥$]*\d[\s\d.,:/%()+\-eE年月日时分秒¥$]*")


def _text_cell(value) -> str:
    """A cell of text (a shopper's words, a conversation id, an agent's name): ``_cell``'s
    formula guard, and text a spreadsheet would read as a number or date starts with the same
    ``'``, so Excel keeps it as text. Numbers meant as numbers go through ``_cell``."""
    text = _cell(value)
    return "'" + text if _LOOKS_NUMERIC.fullmatch(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
