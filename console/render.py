"""Jinja2 templates (autoescaped) with what every page needs: who is signed in, their CSRF
token, the navigation of every registered page module the user's role may see."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, List

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from console.auth import has_role, signed_in
from console.pages import NavItem
from shop.domain.handoff_queue import PRESENCE_HEARTBEAT

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_environment(extra_dirs: Iterable[Path] = ()) -> Environment:
    loaders = [FileSystemLoader(str(TEMPLATES))] + [FileSystemLoader(str(d)) for d in extra_dirs]
    return Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(("html",)),
                       trim_blocks=True, lstrip_blocks=True)


def visible_nav(request: web.Request) -> List[NavItem]:
    who = signed_in(request)
    return [item for item in request.app["nav"] if has_role(who, item.role)]


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    who = signed_in(request)
    html = request.app["jinja"].get_template(template).render(
        who=who, csrf_token=who.csrf_token if who else context.pop("csrf_token", ""),
        nav=visible_nav(request), path=request.path,
        heartbeat_ms=int(PRESENCE_HEARTBEAT.total_seconds() * 1000), **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
