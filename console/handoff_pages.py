"""Live hand-off pages: the queue (with each shopper's wait; for admins also the conversations
colleagues hold), a ticket (summary, the whole conversation, the signed-in shopper's own
orders and after-sales requests, the agent's replies and canned replies,
``console/canned_replies.py``), claim, transfer (to a colleague on duty or back to the queue,
with a note), reassign (改派: an admin moves a conversation someone else holds) and close
(with how it ended). Pages work without
JavaScript (forms, redirects); ``static/handoff.js`` keeps the queue and an open ticket live
through the JSON API here.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

from aiohttp import web

from console import transcript
from console.canned_replies import CannedReplies
from console.auth import background, db, db_write, has_role, requires, signed_in
from console.pages import NavItem
from console.render import render
from shop.db.errors import InvalidRequest
from shop.db.after_sales import list_after_sales_requests
from shop.db.handoff_desk import (MAX_MESSAGE, MAX_TRANSFER_NOTE, add_agent_message, claim_ticket, close_ticket,
                                  awaiting_reply, desk_ticket, hand_back_from_absent_agents, held_tickets, latest_transfers,
                                  lines_since_shopper_last_wrote, ranked_queue, reassign_ticket, ticket_claims, ticket_messages, ticket_transfers,
                                  tickets_of_agent, transfer_targets, transfer_ticket)
from shop.db.orders import recent_orders
from shop.db.satisfaction import ticket_rating
from shop.domain.clock import utc_now
from shop.domain.desk_silence import quiet_for
from shop.domain.handoff_queue import QUEUE_REASONS
from shop.domain.handoff_resolutions import RESOLUTIONS, resolution_problem
from shop.domain.numbers import whole_number
from shop.domain.satisfaction import SCORES
from shop.json_limits import parse_json

logger = logging.getLogger("console.handoff")

NAV = [NavItem("/handoff", "人工接待", role="agent")]
ORDERS_SHOWN = 5        # the shopper's latest orders beside a conversation
AFTER_SALES_SHOWN = 5   # and their latest after-sales requests (a refund asked about: where it is)
# A shopper waiting this long is marked in the queue (the wait promised is 4 minutes a head).
LONG_WAIT_MINUTES = 10
# Why a reply was not sent (the page's flash and the JSON API's message say the same).
REPLY_PROBLEMS = {"empty": "回复不能为空。", "too_long": f"回复太长了，一条最多 {MAX_MESSAGE} 字，请分几条发送。",
                  "not_yours": "只有接入该工单的客服才能回复或结束它（工单可能已结束或已回到排队）。",
                  "no_resolution": resolution_problem(None),
                  "no_note": f"请写转接备注（接手的同事会看到，顾客看不到），最多 {MAX_TRANSFER_NOTE} 字。",
                  "no_target": "请选择转给哪位在岗的同事，或退回排队。",
                  "target_gone": "这位同事现在不在岗（或就是您自己），请换一位或退回排队。",
                  # 改派 (admins): the ticket changed hands or closed since the page was drawn.
                  "changed": "该会话已被结束、转接或退回排队，没有改派；请看最新状态后再操作。",
                  "same_holder": "这位同事正在接待该会话，请选择另一位在岗同事、您自己或退回排队。"}


def setup(app: web.Application) -> None:
    app["canned_replies"] = CannedReplies(app["settings"].canned_replies_path)


def _dumps(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


def _ticket_id(request: web.Request) -> int:
    ticket_id = whole_number(request.match_info["ticket_id"], high=2 ** 31 - 1)
    if ticket_id is None:
        raise web.HTTPNotFound()
    return ticket_id


def _after(request: web.Request) -> int:
    after = whole_number(request.query.get("after", "0"), high=2 ** 62 - 1, low=0)
    if after is None:
        raise web.HTTPBadRequest(text='{"error": "invalid_after"}', content_type="application/json")
    return after


def _message_json(m) -> dict:
    return {"id": m.id, "from": m.author, "text": m.text, "agent": m.agent_name,
            "at": m.created_at.strftime("%H:%M:%S")}


def _ticket_json(t, position: Optional[int] = None, transfer=None, awaiting=None, reasons=(), quiet=None) -> dict:
    return {"id": t.id, "ticket_no": t.ticket_no, "status": t.status, "summary": t.summary,
            # why a waiting ticket sits where it does: [{"reason", "label", "head_start_minutes"}]
            "priority": [{"reason": r.key, "label": r.label, "head_start_minutes": _minutes(r.head_start)}
                         for r in reasons],
            "awaiting_reply_since": awaiting.strftime("%H:%M:%S") if awaiting else None,
            # minutes the shopper has been silent since the agent answered (may have left), or None
            "quiet_minutes": _minutes(quiet) if quiet else None,
            "signed_in": t.customer_id is not None, "agent": t.agent_name, "position": position,
            "created_at": t.created_at.strftime("%m-%d %H:%M"),
            "transfer": {"from": transfer.from_name, "note": transfer.note, "by": transfer.by_name}
            if transfer else None}


def _minutes(span) -> int:
    return int(span.total_seconds() // 60)


def queue_rule() -> str:
    """The queue's order in words, from the rule itself (shop.domain.handoff_queue)."""
    starts = "，".join(f"{r.label}提前 {_minutes(r.head_start)} 分钟" for r in QUEUE_REASONS)
    return (f"排队顺序：先按顾客已等的时间（从转人工算起）；{starts}（可叠加）。"
            "提前只让他们排到晚来的顾客前面，不会排到比这等得更久的顾客前面。")


def _queue(session, agent_id: int, now) -> tuple:
    """The queue (each ticket with why it sits there) and this agent's conversations, after returning to the queue those held by
    agents no longer on duty (gone without signing out): nobody is left waiting on them; and
    the newest transfer note of each (what a colleague passing it on wrote); and which of the
    agent's conversations have a shopper waiting for an answer, since when; and which have a
    shopper silent since the agent answered (``shop.domain.desk_silence``), for how long."""
    returned = hand_back_from_absent_agents(session, now)
    if returned:
        logger.info("returned to the queue from agents no longer on duty: %s", ", ".join(returned))
    waiting, mine = ranked_queue(session), tickets_of_agent(session, agent_id)
    awaiting = awaiting_reply(session, [t.id for t in mine])
    # An agent with several shoppers answers the one waiting longest first: the conversations
    # with an unanswered line come first, the longest unanswered on top; then the rest in the
    # order the agent took them (tickets_of_agent's). The page and its polling share this order.
    held_order = {t.id: i for i, t in enumerate(mine)}
    mine = sorted(mine, key=lambda t: (0, awaiting[t.id], held_order[t.id]) if t.id in awaiting
                  else (1, held_order[t.id], held_order[t.id]))
    quiet = {ticket_id: span for ticket_id, lines in lines_since_shopper_last_wrote(session, [t.id for t in mine]).items()
             if (span := quiet_for(lines, now)) is not None}
    transfers = latest_transfers(session, [q.ticket.id for q in waiting] + [t.id for t in mine])
    return waiting, mine, transfers, awaiting, quiet


@requires("agent")
async def queue_page(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    now = utc_now()
    waiting, mine, transfers, awaiting, quiet = await db(request, _queue, who.account.id, now)
    # Admins also see every conversation colleagues hold (to reassign one: 改派).
    held = [(t, on_duty) for t, on_duty in await db(request, held_tickets, now) if t.assigned_to != who.account.id] \
        if has_role(who, "admin") else []
    return render(request, "queue.html", waiting=waiting, mine=mine, transfers=transfers, held=held,
                  awaiting=awaiting, quiet=quiet, flash=request.query.get("flash"), now=now,
                  long_wait_minutes=LONG_WAIT_MINUTES, queue_rule=queue_rule(), minutes=_minutes)


@requires("agent")
@background
async def queue_api(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    waiting, mine, transfers, awaiting, quiet = await db(request, _queue, who.account.id, utc_now())
    return web.json_response({"waiting": [_ticket_json(q.ticket, i + 1, transfers.get(q.ticket.id), reasons=q.reasons)
                                          for i, q in enumerate(waiting)],
                              "mine": [_ticket_json(t, None, transfers.get(t.id), awaiting.get(t.id), quiet=quiet.get(t.id))
                                       for t in mine]},
                             dumps=_dumps)


@requires("agent")
@background
async def presence_api(request: web.Request) -> web.StreamResponse:
    """The heartbeat of every open console page (static/presence.js). The auth middleware has
    already marked the session seen, which is what keeps the agent on duty
    (``shop.db.handoff_desk``: a session seen within ``ON_DUTY_WINDOW``), and restarted its
    idle clock only when the page reports the agent's input (``?input=1``); nothing else changes."""
    return web.json_response({"on_duty": True})


async def _visible_ticket(request: web.Request):
    """The ticket, if this user may see it: waiting ones (to decide), one they hold, any for
    an admin. Another agent's conversation is not shown (404, like a missing one)."""
    who = signed_in(request)
    ticket = await db(request, desk_ticket, _ticket_id(request))
    if ticket is None:
        raise web.HTTPNotFound()
    if ticket.status == "open" or ticket.assigned_to == who.account.id or has_role(who, "admin"):
        return ticket
    raise web.HTTPNotFound()


@requires("agent")
async def ticket_page(request: web.Request) -> web.StreamResponse:
    ticket = await _visible_ticket(request)
    try:
        before = await asyncio.to_thread(transcript.conversation_lines, request.app["settings"].rasa_endpoints,
                                          ticket.sender_id, ticket.customer_id)
        store_error = None
    except Exception:  # noqa: BLE001 - the page still shows the summary and the desk's lines
        logger.exception("conversation store unreadable for ticket %s", ticket.ticket_no)
        before, store_error = [], "对话记录暂时无法读取（会话存储不可用），请先参考摘要。"
    lines = await db(request, ticket_messages, ticket.id)
    # The shopper's own latest orders, so the agent need not ask for an order number: only for
    # a signed-in shopper (the ticket's verified customer id); a guest's claim of who they are
    # shows nothing.
    orders = await db(request, recent_orders, ticket.customer_id, ORDERS_SHOWN) if ticket.customer_id else []
    after_sales = await db(request, list_after_sales_requests, ticket.customer_id, AFTER_SALES_SHOWN) \
        if ticket.customer_id else []
    canned = await asyncio.to_thread(request.app["canned_replies"].replies)
    holds = ticket.assigned_to == signed_in(request).account.id
    transfers = await db(request, ticket_transfers, ticket.id)
    claims = await db(request, ticket_claims, ticket.id)
    rating = await db(request, ticket_rating, ticket.id) if ticket.status == "closed" else None
    # Who it can be passed to: the holder transfers, an admin reassigns (改派) someone else's,
    # among accounts on duty now but the holder (the admin included: taking it over).
    reassigns = not holds and ticket.status == "assigned" and has_role(signed_in(request), "admin")
    targets = await db(request, transfer_targets, ticket.assigned_to, utc_now()) \
        if (holds or reassigns) and ticket.status == "assigned" else []
    # Silent since the agent answered: the shopper may have left (nothing tells the desk so).
    quiet = quiet_for([(m.author, m.created_at) for m in lines], utc_now()) \
        if ticket.status == "assigned" else None
    return render(request, "ticket.html", ticket=ticket, before=before, lines=lines, store_error=store_error,
                  quiet_minutes=_minutes(quiet) if quiet else None,
                  orders=orders, after_sales=after_sales, resolutions=RESOLUTIONS, canned=canned, transfers=transfers,
                  claims=claims, rating=rating, score_labels=SCORES,
                  targets=targets, max_note=MAX_TRANSFER_NOTE, last_id=lines[-1].id if lines else 0, holds=holds,
                  reassigns=reassigns,
                  problem=REPLY_PROBLEMS.get(request.query.get("flash", "")))


@requires("agent")
@background
async def ticket_messages_api(request: web.Request) -> web.StreamResponse:
    ticket = await _visible_ticket(request)
    lines = await db(request, ticket_messages, ticket.id, _after(request))
    return web.json_response({"status": ticket.status, "messages": [_message_json(m) for m in lines]})


@requires("agent")
async def claim(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    ticket_id = _ticket_id(request)
    taken = await db_write(request, claim_ticket, ticket_id, who.account.id, who.account.display_name, utc_now())
    if not taken:
        ticket = await db(request, desk_ticket, ticket_id)
        if ticket is not None and ticket.status == "assigned" and ticket.assigned_to == who.account.id:
            raise web.HTTPSeeOther(f"/handoff/{ticket_id}")     # a double click: already yours
        raise web.HTTPSeeOther("/handoff?flash=taken")
    logger.info("%s claimed ticket id %s", who.account.username, ticket_id)
    raise web.HTTPSeeOther(f"/handoff/{ticket_id}")


@requires("agent")
async def reply(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    ticket_id = _ticket_id(request)
    wants_json = request.path.startswith("/api/")
    if request.content_type == "application/json":
        try:
            text = parse_json(await request.text()).get("text")
        except (ValueError, AttributeError):        # not JSON (or nested too deep), not an object
            text = None
    else:
        text = (await request.post()).get("text")
    try:
        sent = await db_write(request, add_agent_message, ticket_id, who.account.id, text, utc_now())
    except InvalidRequest:
        # Empty, or longer than a message may be (the form stops at 2000; the API did not say).
        too_long = isinstance(text, str) and len(text.strip()) > MAX_MESSAGE
        sent, problem = None, "too_long" if too_long else "empty"
    else:
        problem = None if sent else "not_yours"
    if wants_json:
        if sent is None:
            return web.json_response({"error": problem, "message": REPLY_PROBLEMS[problem]},
                                     status=409 if problem == "not_yours" else 400, dumps=_dumps)
        return web.json_response(_message_json(sent))
    raise web.HTTPSeeOther(f"/handoff/{ticket_id}" + (f"?flash={problem}" if problem else ""))


@requires("agent")
async def close(request: web.Request) -> web.StreamResponse:
    who = signed_in(request)
    ticket_id = _ticket_id(request)
    resolution = (await request.post()).get("resolution")
    if resolution_problem(resolution):
        # Nothing closes without how it ended (the desk's figures count it); the form says so.
        logger.warning("%s tried to close ticket id %s without a resolution", who.account.username, ticket_id)
        raise web.HTTPSeeOther(f"/handoff/{ticket_id}?flash=no_resolution")
    closed = await db_write(request, close_ticket, ticket_id, who.account.id, utc_now(), has_role(who, "admin"),
                      resolution)
    if not closed:
        raise web.HTTPSeeOther(f"/handoff/{ticket_id}?flash=not_yours")
    logger.info("%s closed ticket id %s (%s)", who.account.username, ticket_id, resolution)
    raise web.HTTPSeeOther("/handoff?flash=closed")


@requires("agent")
async def transfer(request: web.Request) -> web.StreamResponse:
    """转接: the holder passes the conversation to a colleague on duty (``to`` = their account
    id) or back to the queue (``to`` = ``queue``), with a note. Whatever is wrong (no note, no
    or a vanished colleague, not the holder) changes nothing and the ticket page says why."""
    who = signed_in(request)
    ticket_id = _ticket_id(request)
    form = await request.post()
    target, note = form.get("to"), form.get("note")
    here = f"/handoff/{ticket_id}"
    colleague = whole_number(target, high=2 ** 31 - 1)
    if target != "queue" and colleague is None:
        raise web.HTTPSeeOther(f"{here}?flash=no_target")
    try:
        outcome = await db_write(request, transfer_ticket, ticket_id, who.account.id, colleague, note, utc_now())
    except InvalidRequest:
        raise web.HTTPSeeOther(f"{here}?flash=no_note") from None
    if outcome.transfer is None:
        raise web.HTTPSeeOther(f"{here}?flash={outcome.problem}")
    logger.info("%s transferred ticket id %s to %s", who.account.username, ticket_id,
                f"account id {outcome.transfer.to_agent_id}" if outcome.transfer.to_agent_id else "the queue")
    raise web.HTTPSeeOther("/handoff?flash=transferred")


@requires("admin")
async def reassign(request: web.Request) -> web.StreamResponse:
    """改派 (admins): move a conversation a colleague holds to another colleague on duty, to
    the admin themselves (``to`` = their own id) or back to the queue, with a note; ``from`` is
    the holder the page showed, so a ticket that changed hands meanwhile is left alone. The
    database checks the admin again (``reassign_ticket`` fails closed); every reassignment is
    kept with the admin's id (the ticket's 转接记录) and logged."""
    who = signed_in(request)
    ticket_id = _ticket_id(request)
    form = await request.post()
    target, note, holder = form.get("to"), form.get("note"), form.get("from")
    here = f"/handoff/{ticket_id}"

    def account(raw) -> Optional[int]:
        return whole_number(raw, high=2 ** 31 - 1) if isinstance(raw, str) else None
    holder_id, target_id = account(holder), account(target)
    if holder_id is None:
        raise web.HTTPSeeOther(f"{here}?flash=changed")
    if target != "queue" and target_id is None:
        raise web.HTTPSeeOther(f"{here}?flash=no_target")
    if target_id == holder_id:
        raise web.HTTPSeeOther(f"{here}?flash=same_holder")
    try:
        outcome = await db_write(request, reassign_ticket, ticket_id, who.account.id, holder_id,
                                 target_id, note, utc_now())
    except InvalidRequest:
        raise web.HTTPSeeOther(f"{here}?flash=no_note") from None
    if outcome.problem == "not_admin":
        logger.warning("%s tried to reassign ticket id %s without being an enabled admin", who.account.username,
                       ticket_id)
        raise web.HTTPForbidden(text="只有管理员可以改派会话。")
    if outcome.transfer is None:
        logger.info("%s could not reassign ticket id %s: %s", who.account.username, ticket_id, outcome.problem)
        raise web.HTTPSeeOther(f"{here}?flash={'changed' if outcome.problem == 'not_yours' else outcome.problem}")
    moved = outcome.transfer
    logger.info("%s reassigned ticket id %s from account id %s to %s", who.account.username, ticket_id,
                moved.from_agent_id, f"account id {moved.to_agent_id}" if moved.to_agent_id else "the queue")
    if moved.to_agent_id == who.account.id:
        raise web.HTTPSeeOther(here)          # taken over: the admin talks to the shopper now
    raise web.HTTPSeeOther("/handoff?flash=reassigned")


def routes() -> list:
    return [
        web.get("/handoff", queue_page),
        web.get("/handoff/{ticket_id}", ticket_page),
        web.post("/handoff/{ticket_id}/claim", claim),
        web.post("/handoff/{ticket_id}/reply", reply),
        web.post("/handoff/{ticket_id}/transfer", transfer),
        web.post("/handoff/{ticket_id}/reassign", reassign),
        web.post("/handoff/{ticket_id}/close", close),
        web.get("/api/handoff/queue", queue_api),
        web.get("/api/presence", presence_api),
        web.get("/api/handoff/{ticket_id}/messages", ticket_messages_api),
        web.post("/api/handoff/{ticket_id}/reply", reply),
    ]
