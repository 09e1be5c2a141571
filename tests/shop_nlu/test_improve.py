"""The operator's improvement loop (``python -m shop_nlu.improve``) against real SQL tracker
stores, on SQLite and on PostgreSQL.

Conversations are real Rasa ``DialogueStateTracker`` objects with real ``UserUttered`` /
``ActionExecuted`` / ``BotUttered`` events, saved through the tracker store the server's own
``endpoints.yml`` configures (``TrackerStore.create``), with the parse data Rasa records (an
``nlu_fallback`` turn carries the fallback on top of the classifier's ranking, as
``FallbackClassifier`` writes it). The live-stack test at the end drives typed conversations
through the running assistant instead. Training files are temporary copies of ``data/nlu``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.loading import load_data

from shop_nlu.improve import cli, conversations, grouping
from shop_nlu.improve.training_files import TrainingFiles, clean_text
from tests.support.required import unavailable
from tests.support.improve_conversations import (
    DAY1, ENDPOINTS, PARCEL, SENDERS, TOKEN, conversation_events, said, save_all,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")

@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def postgres_database():
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string(hide_password=True)}: {error}"
        unavailable(reason)
    name = f"improve_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_env(request, tmp_path, monkeypatch, domain):
    """The server's endpoints.yml pointed at a fresh store holding the three conversations."""
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("TRACKER_DB_PATH", str(tmp_path / "tracker.db"))
    if request.param == "sqlite":
        monkeypatch.setenv("TRACKER_DB_URL", "")
    else:
        monkeypatch.setenv("TRACKER_DB_URL", request.getfixturevalue("postgres_database"))
    save_all(domain, conversation_events())
    yield request.param
    if request.param == "postgresql":  # the module's database is shared: empty it
        engine = create_engine(os.environ["TRACKER_DB_URL"])
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM events"))
        engine.dispose()


@pytest.fixture
def data_dir(tmp_path):
    copy = tmp_path / "nlu"
    shutil.copytree(REPO_ROOT / "data" / "nlu", copy)
    return copy


def run_json(capsys, *args):
    capsys.readouterr()
    code = cli.main(["--json", "--endpoints", str(ENDPOINTS), *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out), out


def texts_of(listing):
    return {m["text"]: m for g in listing["groups"] for m in g["messages"]}


# --- listing ---------------------------------------------------------------------------------

def test_lists_what_the_assistant_did_not_understand(store_env, capsys):
    listing, out = run_json(capsys, "--list")
    assert listing["conversations_read"] == 3
    # Typed messages only (button payloads are not wording): a 5, b 3, c 4.
    assert listing["user_messages_in_range"] == 10
    messages = texts_of(listing)
    assert set(messages) == {*PARCEL, "今天天气怎么样", "价保到底怎么申请", "能帮我写首藏头诗吗", "嗯嗯那个那个"}
    assert listing["messages_listed"] == 8  # PARCEL[0] twice

    first = messages[PARCEL[0]]
    assert (first["count"], first["conversations"]) == (2, 2)
    assert first["guessed"] == "order_status" and first["second"] == "after_sales"
    assert first["confidence"] == pytest.approx((0.42 + 0.41) / 2, abs=1e-3)
    assert first["reasons"] == ["low_confidence", "nlu_fallback"]
    # The click on the clarifying question is what the shopper meant; "转人工" is not a meaning.
    assert first["shopper_chose"] == {"order_status": 1}
    assert messages[PARCEL[2]]["guessed"] == "after_sales"
    assert messages["今天天气怎么样"]["reasons"] == ["out_of_scope"]
    assert messages["今天天气怎么样"]["in_training_data"] == "out_of_scope"
    assert messages["能帮我写首藏头诗吗"]["reasons"] == ["low_confidence", "out_of_scope"]
    assert messages["价保到底怎么申请"]["reasons"] == ["low_confidence"]
    assert messages["价保到底怎么申请"]["guessed"] == "purchase"
    assert messages["嗯嗯那个那个"]["reasons"] == ["core_fallback"]
    assert "你好" not in messages and "我要退货" not in messages


def test_groups_similar_messages_with_counts_and_guesses(store_env, capsys):
    listing, _ = run_json(capsys, "--list")
    groups = listing["groups"]
    parcel = groups[0]
    assert [m["text"] for m in parcel["messages"]][0] == PARCEL[0]  # most frequent first
    assert {m["text"] for m in parcel["messages"]} == set(PARCEL)
    assert (parcel["count"], parcel["distinct"], parcel["conversations"]) == (4, 3, 3)
    assert parcel["model_guessed"] == {"order_status": 3, "after_sales": 1}
    assert parcel["shopper_chose"] == {"order_status": 1}
    assert parcel["suggested"] == "order_status"
    assert parcel["reasons"] == {"nlu_fallback": 4, "low_confidence": 4}
    # Everything else is unlike the parcel messages and unlike each other.
    assert sorted(len(g["messages"]) for g in groups[1:]) == [1, 1, 1, 1]
    assert [g["group"] for g in groups] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)  # the same code on both stores
def test_date_range_reasons_and_threshold(store_env, capsys):
    day2, _ = run_json(capsys, "--list", "--since", "2026-11-20")
    assert set(texts_of(day2)) == {PARCEL[2], "能帮我写首藏头诗吗", "嗯嗯那个那个"}
    assert day2["user_messages_in_range"] == 3
    day1, _ = run_json(capsys, "--list", "--since", "2026-11-02", "--until", "2026-11-02")
    assert set(texts_of(day1)) == {PARCEL[0], PARCEL[1], "今天天气怎么样", "价保到底怎么申请"}
    exact, _ = run_json(capsys, "--list", "--since", "2026-11-02T10:01", "--until", "2026-11-02T10:02:05")
    assert set(texts_of(exact)) == {PARCEL[1], "价保到底怎么申请"}
    out_of_scope, _ = run_json(capsys, "--list", "--reasons", "out_of_scope")
    assert set(texts_of(out_of_scope)) == {"今天天气怎么样", "能帮我写首藏头诗吗"}
    confident, _ = run_json(capsys, "--list", "--min-confidence", "0")
    assert "价保到底怎么申请" not in texts_of(confident)
    assert texts_of(confident)["能帮我写首藏头诗吗"]["reasons"] == ["out_of_scope"]
    strict, _ = run_json(capsys, "--list", "--min-confidence", "0.99")
    assert "你好" in texts_of(strict) and "我要退货" in texts_of(strict)
    latest, _ = run_json(capsys, "--list", "--limit", "2")
    assert set(texts_of(latest)) == {"能帮我写首藏头诗吗", "嗯嗯那个那个"}


def test_never_shows_tokens_metadata_or_conversation_ids(store_env, capsys, tmp_path):
    listing, out = run_json(capsys, "--list")
    review_file = tmp_path / "review.yml"
    _, exported = run_json(capsys, "--export", str(review_file))
    capsys.readouterr()
    assert cli.main(["--list", "--endpoints", str(ENDPOINTS)]) == 0
    plain = capsys.readouterr()
    everything = out.out + out.err + exported.out + exported.err + plain.out + plain.err + review_file.read_text()
    assert TOKEN not in everything and "SECRET" not in everything
    assert "customer_token" not in everything and "metadata" not in everything
    for sender in SENDERS:
        assert sender not in everything
    assert "我的快递怎么到现在还没到啊" in plain.out  # the text listing does show the messages
    assert oct(review_file.stat().st_mode & 0o777) == "0o600"


# --- applying decisions ----------------------------------------------------------------------

def _nlu_examples(path):
    return [(m.get("intent"), m.get("text")) for m in load_data(str(path)).intent_examples]


def test_apply_appends_exactly_the_chosen_examples(store_env, capsys, tmp_path, data_dir):
    for text_ in (*PARCEL, "价保到底怎么申请", "能帮我写首藏头诗吗"):
        assert grouping.text_key(text_) not in TrainingFiles(data_dir).known(), f"{text_} is already training data"
    review_file = tmp_path / "review.yml"
    run_json(capsys, "--export", str(review_file))
    assert review_file.read_text().startswith("# NLU improvement loop: review file")

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    document = yaml.load(review_file.read_text())
    groups = {g["messages"][0]["text"]: g for g in document["groups"]}
    groups[PARCEL[0]]["intent"] = "order_status"
    for message in groups[PARCEL[0]]["messages"]:
        if message["text"] == PARCEL[2]:
            message["intent"] = "skip"  # this one waits
    groups["价保到底怎么申请"]["intent"] = "after_sales"
    groups["今天天气怎么样"]["intent"] = "out_of_scope"  # already an example: not added twice
    groups["能帮我写首藏头诗吗"]["messages"][0]["intent"] = "out_of_scope"
    # 嗯嗯那个那个: left empty, skipped.
    with open(review_file, "w", encoding="utf-8") as out:
        yaml.dump(document, out)

    before = {p.name: p.read_bytes() for p in data_dir.glob("*.yml")}
    old = {name: _nlu_examples(data_dir / name) for name in ("order_status.yml", "after_sales.yml", "out_of_scope.yml")}
    result, _ = run_json(capsys, "--apply", str(review_file), "--data-dir", str(data_dir))
    assert result["written"] is True
    assert result["duplicates"] == [{"text": "今天天气怎么样", "intent": "out_of_scope", "already": "out_of_scope"}]
    assert result["rejected"] == []

    expected = {
        "order_status.yml": [("order_status", PARCEL[0]), ("order_status", PARCEL[1])],
        "after_sales.yml": [("after_sales", "价保到底怎么申请")],
        "out_of_scope.yml": [("out_of_scope", "能帮我写首藏头诗吗")],
    }
    for name, added in expected.items():
        path = data_dir / name
        assert _nlu_examples(path) == old[name] + added  # Rasa's own reader, order kept
        content = path.read_text(encoding="utf-8")
        assert content.startswith(before[name].decode("utf-8").rstrip("\n"))  # old text untouched
        tail = content[len(before[name].decode("utf-8").rstrip("\n")):]
        lines = tail.strip("\n").splitlines()
        assert lines[0].startswith("# From the NLU improvement loop (python -m shop_nlu.improve), ")
        assert f"{len(added)} shoppers' message" in lines[0]
        assert lines[1:3] == [f"- intent: {added[0][0]}", "  examples: |"]
        assert len(lines) == 3 + len(added) and all(line.startswith("    - ") for line in lines[3:])
    # The extractor's annotation is written with the example ("价保" is a topic).
    assert "[价保](topic:price_protection)" in (data_dir / "after_sales.yml").read_text(encoding="utf-8")
    for path in data_dir.glob("*.yml"):
        if path.name not in expected:
            assert path.read_bytes() == before[path.name], path.name
    # The directory still loads as training data the way `rasa train` / `rasa data validate`
    # read it (the importer skips vocab/ and other non-NLU files).
    importer = TrainingDataImporter.load_from_config(
        str(REPO_ROOT / "config.yml"), str(REPO_ROOT / "domain.yml"), [str(data_dir)])
    everything = {(m.get("intent"), m.get("text")) for m in importer.get_nlu_data().intent_examples}
    assert {example for added in expected.values() for example in added} <= everything

    # Applying the same decisions again adds nothing.
    after = {p.name: p.read_bytes() for p in data_dir.glob("*.yml")}
    again, _ = run_json(capsys, "--apply", str(review_file), "--data-dir", str(data_dir))
    assert again["written"] is False and again["added"] == {}
    assert {d["text"] for d in again["duplicates"]} == {PARCEL[0], PARCEL[1], "价保到底怎么申请",
                                                        "能帮我写首藏头诗吗", "今天天气怎么样"}
    assert {p.name: p.read_bytes() for p in data_dir.glob("*.yml")} == after


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)  # the same code on both stores
def test_a_bad_review_file_changes_nothing(store_env, capsys, tmp_path, data_dir):
    review_file = tmp_path / "review.yml"
    run_json(capsys, "--export", str(review_file))
    content = review_file.read_text(encoding="utf-8")
    # One good decision and one intent that does not exist.
    assert "intent: null" not in content and "\n  intent:\n" in content
    content = content.replace("\n  intent:\n", "\n  intent: order_status\n", 1)
    content = content.replace("\n  intent:\n", "\n  intent: refund_please\n", 1)
    review_file.write_text(content, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in data_dir.glob("*.yml")}
    capsys.readouterr()
    assert cli.main(["--apply", str(review_file), "--data-dir", str(data_dir)]) == 1
    assert "refund_please" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in data_dir.glob("*.yml")} == before
    review_file.write_text("groups: []\n", encoding="utf-8")
    assert cli.main(["--apply", str(review_file), "--data-dir", str(data_dir)]) == 1
    assert {p.name: p.read_bytes() for p in data_dir.glob("*.yml")} == before


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)  # the same code on both stores
def test_interactive_review_in_the_terminal(store_env, capsys, data_dir):
    """The real command, as an operator runs it, answering on stdin."""
    intents = ['affirm', 'after_sales', 'ask_recommendation', 'bot_challenge', 'deny', 'goodbye', 'greet',
               'human_handoff', 'inform', 'order_status', 'out_of_scope', 'product_inquiry', 'purchase', 'thank']
    assert cli._intents(Domain.load(str(REPO_ROOT / "domain.yml")), TrainingFiles(data_dir)) == intents
    number = {intent: str(i) for i, intent in enumerate(intents, 1)}
    listing, _ = run_json(capsys, "--list")
    # Largest group first, then by text: parcel, 今天天气…, 价保…, 嗯嗯…, 能帮我…
    assert [g["messages"][0]["text"] for g in listing["groups"]] == [
        PARCEL[0], "今天天气怎么样", "价保到底怎么申请", "嗯嗯那个那个", "能帮我写首藏头诗吗"]
    answers = ["m"]  # the parcel group message by message: two of three
    answers += [number["order_status"] if m["text"] != PARCEL[2] else "s" for m in listing["groups"][0]["messages"]]
    answers += [""]  # Enter skips 今天天气怎么样
    answers += ["price please", number["after_sales"]]  # an answer that means nothing is asked again
    answers += ["q", "y"]  # stop before the last two; confirm
    before = {p.name: p.read_bytes() for p in data_dir.glob("*.yml")}
    old_order = _nlu_examples(data_dir / "order_status.yml")
    old_after_sales = _nlu_examples(data_dir / "after_sales.yml")
    done = subprocess.run(
        [sys.executable, "-m", "shop_nlu.improve", "--interactive", "--data-dir", str(data_dir)],
        cwd=REPO_ROOT, env=_env(), input="\n".join(answers) + "\n", capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stderr
    assert "intent for the whole group>" in done.stdout and " 2 after_sales" in done.stdout
    assert f"type 1–{len(intents)}" in done.stdout
    assert "Added 3 example(s). Retrain with `make train`." in done.stdout
    assert _nlu_examples(data_dir / "order_status.yml") == old_order + [
        ("order_status", PARCEL[0]), ("order_status", PARCEL[1])]
    assert _nlu_examples(data_dir / "after_sales.yml") == old_after_sales + [("after_sales", "价保到底怎么申请")]
    changed = {p.name for p in data_dir.glob("*.yml") if p.read_bytes() != before[p.name]}
    assert changed == {"order_status.yml", "after_sales.yml"}
    assert TOKEN not in done.stdout + done.stderr


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


# --- the pieces on their own -----------------------------------------------------------------

@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_the_store_is_read_also_under_a_running_event_loop(store_env, capsys):
    """An async caller (or Playwright's sync API, alive in the same test session) runs a loop
    in this thread; reading the store must not depend on there being none."""
    import asyncio
    import threading

    async def inside_a_loop():
        return run_json(capsys, "--list")[0]

    result = {}

    def caller():  # its own thread, so that this works whatever loop the test runner has
        result["listing"] = asyncio.run(inside_a_loop())

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(timeout=120)
    assert result["listing"]["messages_listed"] == 8


def test_fallback_guess_is_the_classifiers_own_ranking():
    fallback = said("随便", DAY1, "order_status", 0.3, [("order_status", 0.3), ("purchase", 0.2)], fallback=True)
    assert conversations._ranked(fallback.parse_data) == ("order_status", 0.3, "purchase", 0.2)
    plain = said("退货", DAY1, "after_sales", 0.9, [("after_sales", 0.9)])
    assert conversations._ranked(plain.parse_data) == ("after_sales", 0.9, None, 0.0)
    assert conversations._ranked({"intent": {"name": "nlu_fallback", "confidence": 0.5}}) == (None, 0.0, None, 0.0)


def test_training_files_refuse_what_rasa_would_misread(data_dir):
    files = TrainingFiles(data_dir)
    plan = files.plan([("/order_status", "order_status"), ("[退款](topic:refund)多久到", "after_sales"),
                       ("  退款\n到账  要多久了啊啊 ", "after_sales"), ("", "greet"), ("x" * 400, "greet")])
    assert [why.split()[0] for (_, _, why) in plan.rejected] == ["starts", "Rasa", "empty", "longer"]
    assert plan.additions == {"after_sales": [("退款 到账 要多久了啊啊", "退款 到账 要多久了啊啊")]}
    assert clean_text("a\u2028b\x00c\td") == "a bc d"


def test_a_new_intent_file_is_created_in_the_same_style(tmp_path):
    data_dir = tmp_path / "nlu"
    data_dir.mkdir()
    (data_dir / "greet.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n',
                                        encoding="utf-8")
    files = TrainingFiles(data_dir)
    plan = files.plan([("在吗在吗", "greet"), ("我要开发票", "purchase"), ("你好", "greet")])
    assert plan.duplicates == [("你好", "greet", "greet")]
    files.write(plan, datetime(2026, 12, 6, 9, 30))
    assert _nlu_examples(data_dir / "purchase.yml") == [("purchase", "我要开发票")]
    assert (data_dir / "purchase.yml").read_text(encoding="utf-8").startswith('version: "3.1"\nnlu:\n# From the NLU')
    assert "2026-12-06 09:30" in (data_dir / "greet.yml").read_text(encoding="utf-8")
    assert _nlu_examples(data_dir / "greet.yml") == [("greet", "你好"), ("greet", "在吗在吗")]


def test_grouping_puts_paraphrases_together_and_keeps_others_apart():
    made = [conversations.Candidate(t, float(i), f"c{i}", "order_status", 0.4, None, 0.0, ("nlu_fallback",))
            for i, t in enumerate(["发票怎么开", "怎么开发票啊", "發票怎麼開？", "附近有维修点吗", "附近的维修点在哪",
                                   "怎么开发票啊", "我要取消订单", "今天天气怎么样"])]
    groups = grouping.group_candidates(made)
    as_sets = [{m.text for m in g.messages} for g in groups]
    # Traditional characters and full-width punctuation are the same message as simplified.
    assert as_sets[0] == {"发票怎么开", "怎么开发票啊"} and groups[0].count == 4
    assert [m.count for m in groups[0].messages] == [2, 2]
    assert {"附近有维修点吗", "附近的维修点在哪"} in as_sets
    assert {"我要取消订单"} in as_sets and {"今天天气怎么样"} in as_sets


def test_store_errors_are_clean(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("TRACKER_DB_URL", "")
    monkeypatch.setenv("TRACKER_DB_PATH", str(tmp_path / "missing.db"))
    assert cli.main(["--list", "--endpoints", str(ENDPOINTS)]) == 1
    assert "no conversation store at" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()  # not created as an empty store
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://postgres:pw-not-shown@127.0.0.1:1/rasa")
    assert cli.main(["--list", "--endpoints", str(ENDPOINTS)]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to the conversation store" in err and "pw-not-shown" not in err
    monkeypatch.delenv("ACTION_ENDPOINT_URL")
    assert cli.main(["--list", "--endpoints", str(ENDPOINTS)]) == 1
    assert "scripts/env.sh" in capsys.readouterr().err


# --- the live assistant ------------------------------------------------------------------------

CLARIFY_MARK = "不太确定您的意思"
# (and the readability guard's replies to keyboard mash or another language: "asdfgh")
OUT_OF_SCOPE_MARKS = ("帮不上忙", "超出我的能力范围", "没太看懂", "只能看懂中文")
CORE_FALLBACK_MARK = "我没太明白您的意思"
# Typed the way real shoppers type: fragments, a question the model may not place, chit-chat,
# keyboard mash. Which of them the model is unsure about depends on the model; the test
# checks the listing against the replies the shopper actually got.
UNSURE = ("还要等多久", "帮我看看", "改个地址", "这个呢", "那个怎么弄", "附近有维修点吗", "好了没", "有吗")
OUT_OF_SCOPE = ("asdfgh", "今天天气怎么样", "帮我写一首关于春天的诗")
CLEAR = ("你好", "我的订单到哪了")


@pytest.mark.integration
def test_typed_conversations_through_the_live_assistant(live_stack):
    from shop.identity import issue_customer_token
    from shop.seed.fixtures import MAIN_CUSTOMER_ID
    from tests.support.stack import TEST_TOKEN_SECRET

    token = issue_customer_token(MAIN_CUSTOMER_ID, secret=TEST_TOKEN_SECRET)
    since = datetime.fromtimestamp(datetime.now().timestamp() - 60).isoformat(timespec="minutes")
    run_id = uuid.uuid4().hex[:8]
    got = {}  # text → what the shopper saw
    clicked = {}
    senders = []
    for number, typed in enumerate(UNSURE + OUT_OF_SCOPE + CLEAR):
        sender = f"improve-live-{run_id}-{number}"
        senders.append(sender)
        replies = live_stack.say(sender, typed, metadata={"customer_token": token})
        shown = "\n".join(r.get("text") or "" for r in replies)
        if CLARIFY_MARK in shown:
            got[typed] = "nlu_fallback"
            if not clicked:  # the shopper answers the clarifying question with its first button
                payload = next(r for r in replies if r.get("buttons"))["buttons"][0]["payload"]
                live_stack.say(sender, payload, metadata={"customer_token": token})
                clicked[typed] = payload[1:].split("{")[0]
        elif any(mark in shown for mark in OUT_OF_SCOPE_MARKS):
            got[typed] = "out_of_scope"
        elif CORE_FALLBACK_MARK in shown:
            got[typed] = "core_fallback"
        else:
            got[typed] = "answered"
    assert "nlu_fallback" in got.values() and "out_of_scope" in got.values(), got
    assert got["你好"] == got["我的订单到哪了"] == "answered", got

    env = {**_env(), **{k: live_stack.env[k] for k in ("TRACKER_DB_URL", "TRACKER_DB_PATH", "ACTION_ENDPOINT_URL")}}
    done = subprocess.run(
        [sys.executable, "-m", "shop_nlu.improve", "--json", "--list", "--min-confidence", "0",
         "--since", since],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    mine = {text_: m for text_, m in texts_of(listing).items() if text_ in got}
    # Exactly the messages that got a clarifying question, an out-of-scope reply or the core
    # fallback, each with that reason; nothing the assistant answered.
    assert {t: sorted(m["reasons"]) for t, m in mine.items()} == {
        t: [why] for t, why in got.items() if why != "answered"}
    for typed, message in mine.items():
        assert message["guessed"] and message["guessed"] != "nlu_fallback"
        assert 0.0 < message["confidence"] <= 1.0
    for typed, intent in clicked.items():
        expected = {} if intent == "human_handoff" else {intent: 1}
        assert mine[typed]["shopper_chose"] == expected
    assert not any(m["text"].startswith("/") for g in listing["groups"] for m in g["messages"])
    everything = done.stdout + done.stderr
    assert token not in everything and "customer_token" not in everything
    assert not any(sender in everything for sender in senders)

    # With the default threshold the unsure answers are listed too, as low confidence.
    wider = json.loads(subprocess.run(
        [sys.executable, "-m", "shop_nlu.improve", "--json", "--list", "--min-confidence", "0.99",
         "--since", since],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=True).stdout)
    wider = {t: m for t, m in texts_of(wider).items() if t in got}
    assert set(mine) <= set(wider)
    assert all(m["reasons"] == ["low_confidence"] for t, m in wider.items() if t not in mine)
