"""Live hand-off pages: the queue, a ticket (summary, whole conversation, replies), claim
and close."""
from __future__ import annotations

from aiohttp import web

from console.auth import requires
from console.pages import NavItem
from console.render import render

NAV = [NavItem("/handoff", "人工接待", role="agent")]


@requires("agent")
async def queue_page(request: web.Request) -> web.StreamResponse:
    return render(request, "queue.html", waiting=[], mine=[])


def routes() -> list:
    return [web.get("/handoff", queue_page)]
