"""The improvement loop in the console (on the 数据分析 page, "未能理解的消息"): the groups of
messages the assistant did not understand (``shop_nlu.improve.api.listing``), and, for an
admin, choosing an intent per group, which appends those messages to
``data/nlu/<intent>.yml`` (``shop_nlu.improve.api.apply``). The new examples take effect
after ``make train`` (and a restart of the Rasa server); the page says so.

Messages are shop data: shown to signed-in staff, written to the training files an admin
chooses, never logged.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from console.auth import has_role, requires, signed_in
from shop.json_limits import parse_json
from shop_nlu.resources import REPO_ROOT

logger = logging.getLogger("console.improve")

NAV: list = []
MAX_TEXTS = 100          # per labelling request
MAX_TEXT_CHARS = 300
LIST_LIMIT = 2000        # most recent messages grouped per listing


def setup(app: web.Application) -> None:
    # Where the loop reads and writes; tests point these at temporary copies.
    # (shop_nlu.improve loads Rasa: imported on first use, so the console starts fast.)
    app["improve"] = {"endpoints": app["settings"].rasa_endpoints,
                      "domain": REPO_ROOT / "domain.yml", "data_dir": REPO_ROOT / "data" / "nlu",
                      "annotate": True}


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status, dumps=_dumps)


def _dumps(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


@requires("agent")
async def improve_groups(request: web.Request) -> web.StreamResponse:
    from shop_nlu.improve import api
    from shop_nlu.improve.conversations import NoStoreYet, StoreError
    from shop_nlu.improve.grouping import TooManyMessages

    cfg = request.app["improve"]
    try:
        data = await asyncio.to_thread(api.listing, cfg["endpoints"], cfg["domain"], cfg["data_dir"],
                                       limit=LIST_LIMIT)
    except NoStoreYet:   # a fresh install: nothing said yet, so nothing misunderstood
        data = {"groups": [], "messages_listed": 0, "conversations_read": 0}
    except (StoreError, TooManyMessages) as error:
        logger.warning("improvement listing unavailable: %s", error)
        return _error(503, "store_unavailable", "暂时无法读取会话记录")
    admin = has_role(signed_in(request), "admin")
    data["can_label"] = admin
    data["intents"] = await asyncio.to_thread(api.intents, cfg["domain"], cfg["data_dir"]) if admin else []
    return web.json_response(data, dumps=_dumps)


def _decisions(body) -> tuple[str, list[str]]:
    if not isinstance(body, dict):
        raise ValueError("body")
    intent, texts = body.get("intent"), body.get("texts")
    if not isinstance(intent, str) or not isinstance(texts, list) or not 0 < len(texts) <= MAX_TEXTS:
        raise ValueError("fields")
    if not all(isinstance(t, str) and 0 < len(t) <= MAX_TEXT_CHARS for t in texts):
        raise ValueError("texts")
    return intent, texts


@requires("admin")
async def improve_label(request: web.Request) -> web.StreamResponse:
    from shop_nlu.improve import api
    from shop_nlu.improve.review import ReviewError
    from shop_nlu.improve.training_files import TrainingFileError

    cfg = request.app["improve"]
    try:
        intent, texts = _decisions(parse_json(await request.text()))
    except ValueError:          # not JSON (or nested too deep), or not the fields asked for
        return _error(400, "invalid_request", "请求格式不对：需要 intent 和 1–100 条消息")
    try:
        allowed = await asyncio.to_thread(api.intents, cfg["domain"], cfg["data_dir"])
        result = await asyncio.to_thread(api.apply, [(t, intent) for t in texts], allowed, cfg["data_dir"],
                                         cfg["annotate"])
    except ReviewError:
        return _error(400, "unknown_intent", "没有这个意图")
    except TrainingFileError as error:
        logger.error("training file not changed: %s", error)
        return _error(409, "training_file", "训练文件无法安全修改，未写入任何内容")
    added = sum(len(v["examples"]) for v in result["added"].values())
    logger.info("%s labelled %d message(s) as %s (%d added)", signed_in(request).account.username,
                len(texts), intent, added)
    # Only say "written" when something was: all duplicates or unusable texts change nothing.
    result["note"] = ("已写入训练数据；运行 make train 重新训练并重启后生效。" if added
                      else "没有写入任何内容（消息已存在或不可用），训练数据未改变。")
    return web.json_response(result, dumps=_dumps)


def routes() -> list:
    return [web.get("/api/improve/groups", improve_groups), web.post("/api/improve/label", improve_label)]
