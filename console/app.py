"""The console's aiohttp application and ``main()``.

Page modules plug in through ``PAGE_MODULES`` (see ``console.pages`` for what one defines):
add the module's dotted name to the list; its routes, navigation and templates join the app.
"""
from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import Iterable, Optional

from aiohttp import web
from sqlalchemy.engine import Engine

from console.auth import auth_middleware
from console.config import Settings, load_settings
from console.errors import error_pages
from console.render import make_environment
from shop.db.engine import make_engine
from shop.settings import ConfigError

logger = logging.getLogger("console")

# Order = order in the navigation bar. The analytics pages (issue 16 part B) append theirs.
PAGE_MODULES = [
    "console.handoff_pages",
    "console.accounts",
    "console.analytics_pages",
    "console.experiment_pages",
    "console.segment_pages",
    "console.satisfaction_pages",
    "console.improve_pages",
]
HOME = "/handoff"
STATIC = Path(__file__).resolve().parent / "static"
MAX_REQUEST_BYTES = 64 * 1024


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def create_app(settings: Settings, engine: Optional[Engine] = None,
               page_modules: Iterable[str] = PAGE_MODULES) -> web.Application:
    # error_pages outermost: a failure in the sign-in check is answered the same way.
    app = web.Application(middlewares=[error_pages, auth_middleware], client_max_size=MAX_REQUEST_BYTES)
    app["settings"] = settings
    app["engine"] = engine or make_engine()
    app["home"] = HOME
    nav, template_dirs = [], []
    for name in page_modules:
        module = importlib.import_module(name)
        app.add_routes(module.routes())
        nav.extend(getattr(module, "NAV", []))
        if getattr(module, "TEMPLATES", None):
            template_dirs.append(Path(module.TEMPLATES))
        setup = getattr(module, "setup", None)
        if setup is not None:   # a module that needs start-up / clean-up hooks
            setup(app)
    app["nav"] = nav
    app["jinja"] = make_environment(template_dirs)
    app.router.add_static("/static/", STATIC)
    app.on_response_prepare.append(_security_headers)

    async def dispose(_: web.Application) -> None:
        if engine is None:
            app["engine"].dispose()
    app.on_cleanup.append(dispose)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"console: {error}")
    logger.info("serving the operator console on http://%s:%d/", settings.host, settings.port)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None, access_log=None)
