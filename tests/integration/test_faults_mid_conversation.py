"""Faults in the middle of a conversation, over live HTTP on a stack of its own (a short
ACTION_CALL_TIMEOUT_S): the action server hung in the middle of the after-sales form, and the
recommender's artifact missing, then corrupt, then back. Each turn gets a polite Chinese reply,
the fault is logged, nothing is written, and the next turn after the fault carries on."""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
import uuid

import pytest
from sqlalchemy import func, select

from shop.db.engine import make_engine, session_scope
from shop.db.models import AfterSalesRequest, Order
from shop.seed.fixtures import MAIN_CUSTOMER_ID
from tests.integration.test_under_attack import signed_in, text_of
from tests.support.stack import stack_with_settings

pytestmark = pytest.mark.integration

APOLOGY = "抱歉"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from stack_with_settings(tmp_path_factory, "faults-stack", {"ACTION_CALL_TIMEOUT_S": "3"})


@pytest.fixture(scope="module")
def shop(stack):
    engine = make_engine(stack.database_url)
    yield lambda: session_scope(engine)
    engine.dispose()


def filed_requests(shop) -> int:
    with shop() as session:
        return session.execute(select(func.count()).select_from(AfterSalesRequest)).scalar_one()


def delivered_order(shop) -> str:
    with shop() as session:
        return session.execute(select(Order.order_no).where(Order.customer_id == MAIN_CUSTOMER_ID,
                                                            Order.status == "delivered")
                               .order_by(Order.delivered_at.desc()).limit(1)).scalar_one()


def test_the_action_server_hung_mid_form_gets_an_apology_and_the_form_goes_on(stack, shop):
    talk, me = f"fault-{uuid.uuid4().hex}", signed_in(MAIN_CUSTOMER_ID)
    stack.say(talk, "我要退货", metadata=me)
    reply = text_of(stack.say(talk, delivered_order(shop), metadata=me))
    if "哪件" in reply or "哪个商品" in reply:
        reply = text_of(stack.say(talk, "第一件", metadata=me))
    assert "原因" in reply, reply
    before = filed_requests(shop)

    actions = next(p for p in stack.processes if p.name == "action-server")
    os.killpg(actions.popen.pid, signal.SIGSTOP)         # hung: accepts, never answers
    try:
        started = time.monotonic()
        hung = text_of(stack.say(talk, "质量有问题，屏幕有划痕", metadata=me))
        took = time.monotonic() - started
    finally:
        os.killpg(actions.popen.pid, signal.SIGCONT)
    assert APOLOGY in hung and "转人工" in hung, hung
    assert took < 10, took
    logged = (stack.workdir / "rasa.log").read_text(errors="replace")
    assert any("could not be run" in line and talk in line and "timed out" in line for line in logged.splitlines())

    # Back: the same answer goes on to the summary, with the order kept; nothing filed meanwhile.
    time.sleep(1)
    summary = text_of(stack.say(talk, "质量有问题，屏幕有划痕", metadata=me))
    assert "确认提交" in summary and "划痕" in summary, summary
    assert filed_requests(shop) == before
    stack.say(talk, "取消", metadata=me)
    assert filed_requests(shop) == before


def products_in(replies) -> list:
    return [p for r in replies if isinstance(r.get("custom"), dict) for p in r["custom"].get("products", [])]


def test_the_recommenders_artifact_missing_or_corrupt_still_recommends_and_recovers(stack):
    talk = f"fault-rec-{uuid.uuid4().hex}"
    artifacts = stack.workdir / "recommender"
    away = stack.workdir / "recommender-away"
    shutil.move(artifacts, away)
    try:
        missing = stack.say(talk, "推荐个手机")
        assert products_in(missing), json.dumps(missing, ensure_ascii=False)     # best sellers
        artifacts.mkdir()
        (artifacts / "latest").write_bytes(b"\x00\xffnot a version\n")
        time.sleep(6)                                       # past the service's check interval
        corrupt = stack.say(talk, "推荐个耳机")
        assert products_in(corrupt), json.dumps(corrupt, ensure_ascii=False)
    finally:
        shutil.rmtree(artifacts, ignore_errors=True)
        shutil.move(away, artifacts)
    log = (stack.workdir / "action-server.log").read_text(errors="replace")
    assert "recommender unavailable" in log or "unusable" in log, log[-2000:]
    time.sleep(6)
    back = stack.say(talk, "推荐个平板")
    assert products_in(back)
    assert "recommender model" in (stack.workdir / "action-server.log").read_text(errors="replace")
