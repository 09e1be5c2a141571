"""What the console answers when a page fails instead of aiohttp's bare English
"500 Internal Server Error / Server got itself in trouble": a short Chinese message (JSON
under /api/, as the desk's scripts read it), 503 while the shop database refuses work (locked,
down: every page touches the signed-in session first, so then every page failed), 500 for
anything else; the trace goes to the log, never to the page."""
from __future__ import annotations

import functools
import json
import logging

from aiohttp import web
from sqlalchemy.exc import OperationalError, TimeoutError as PoolTimeout

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "数据库暂时不可用，请稍后刷新重试（刚才的操作如未显示成功，请重新提交）。"
FAILED = "控制台开了个小差，请稍后刷新重试。"


# A page the database refused is asked for again after this long (Retry-After; and, for a page
# fetched with GET, the browser's Refresh): a desk left open — its queue reloads itself into
# whatever the server answers — comes back once the database does, without the agent noticing.
RETRY_AFTER_S = 5


def _answer(request: web.Request, status: int, code: str, message: str) -> web.Response:
    headers = {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_S)
        if request.method == "GET" and not request.path.startswith("/api/"):
            headers["Refresh"] = str(RETRY_AFTER_S)     # never for a form sent: nothing is sent twice
    if request.path.startswith("/api/"):
        return web.json_response({"error": code, "message": message}, status=status, headers=headers,
                                 dumps=functools.partial(json.dumps, ensure_ascii=False))
    return web.Response(status=status, text=message, content_type="text/plain", charset="utf-8", headers=headers)


def service_unavailable(request: web.Request, code: str, message: str) -> web.Response:
    """A 503 of a part of the console (e.g. the analytics database): the same shape, header
    and retry as the shop database's."""
    return _answer(request, 503, code, message)


@web.middleware
async def error_pages(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise                      # redirects and aiohttp's own 4xx answers stay as they are
    except (OperationalError, PoolTimeout):     # locked, down, refused, no free connection
        logger.exception("%s %s: the shop database refused the work", request.method, request.path)
        return _answer(request, 503, "database_unavailable", DATABASE_UNAVAILABLE)
    except Exception:  # noqa: BLE001 - the page gets a clean answer, the log the trace
        logger.exception("%s %s failed", request.method, request.path)
        return _answer(request, 500, "internal_error", FAILED)
