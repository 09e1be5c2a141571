"""One error shape for every JSON endpoint, the same as the REST channel's:
``{"error": "<code>", "message": "<中文说明>", "status": <http status>}``.

The middleware turns anything a handler raises into that shape, so a bad request never
yields an HTML error page or a stack trace.
"""
from __future__ import annotations

import functools
import json
import logging

from aiohttp import web

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"error": code, "message": message, "status": status}, status=status,
        dumps=dumps,
    )


# Chinese messages stay readable in curl output.
dumps = functools.partial(json.dumps, ensure_ascii=False)


_HTTP_CODES = {
    404: ("not_found", "没有这个页面或接口。"),
    405: ("method_not_allowed", "不支持这个请求方法。"),
    413: ("body_too_large", "请求内容过大。"),
}


@web.middleware
async def json_errors(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as error:
        return json_error(error.status, error.code, error.message)
    except web.HTTPException as error:
        # Plain pages (a missing asset) keep aiohttp's response; the API answers in JSON.
        if not request.path.startswith("/api/") or error.status < 400:
            raise
        code, message = _HTTP_CODES.get(error.status, ("http_error", error.reason))
        return json_error(error.status, code, message)
    except Exception:  # noqa: BLE001 - the caller gets a clean error, the log the trace
        logger.exception("%s %s failed", request.method, request.path)
        return json_error(500, "internal_error", "服务器开了个小差，请稍后再试。")
