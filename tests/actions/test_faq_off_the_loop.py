"""The FAQ file is read off the action server's event loop: its book answers from memory,
and every action first checks the file on the database pool (an operator's edit is still
picked up on the next question, without a restart)."""
import asyncio
import os
import threading
import time

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import support
from actions.settings import load_settings
from assistant.faq import FaqBook, faq_book
from tests.support.actions import SECRET


def write(path, answer):
    path.write_text(f"topics:\n  invoice:\n    title: 发票\n    answer: {answer}\n", encoding="utf-8")
    stamp = time.time() + (1 if path.exists() else 0)
    os.utime(path, (stamp, stamp))


def test_a_book_that_answers_from_memory_reads_the_file_only_on_refresh(tmp_path, monkeypatch):
    faq = tmp_path / "faq.yml"
    write(faq, "可以开电子发票。")
    book = FaqBook(faq, checks_file_on_read=False)
    assert book.answer("invoice").pick() == "可以开电子发票。"     # the first read loads it
    write(faq, "可以开专票。")
    faq_stat = type(faq).stat

    def no_file_access(self, *args, **kwargs):
        assert self != faq, "the file was checked on a read"
        return faq_stat(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(type(faq), "stat", no_file_access)
        assert book.answer("invoice").pick() == "可以开电子发票。"
    book.refresh()
    assert book.answer("invoice").pick() == "可以开专票。"


class Echo(support.ShopAction):
    def name(self):
        return "action_echo_faq"

    async def handle(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=faq_book().answer("invoice").pick())
        return []


def test_an_action_sees_an_edit_and_never_reads_the_file_on_the_loop(tmp_path, monkeypatch):
    faq = tmp_path / "faq.yml"
    write(faq, "可以开电子发票。")
    for name in ("assistant.faq._default_book", "actions.support._runtime"):
        monkeypatch.setattr(name, None)
    support.configure(load_settings({"ACTION_SERVER_SECRET": SECRET, "SHOP_FAQ_PATH": str(faq)}))
    refreshed_in = []
    refresh = FaqBook.refresh

    def recording(self):
        refreshed_in.append(threading.current_thread().name)
        return refresh(self)

    monkeypatch.setattr(FaqBook, "refresh", recording)
    tracker = Tracker("faq-off-loop", {}, {"text": "能开发票吗", "intent": {"name": "purchase"}}, [], False, None, {}, "")
    try:
        said = []
        for answer in ("可以开电子发票。", "可以开专票。"):
            write(faq, answer)
            dispatcher = CollectingDispatcher()
            asyncio.run(Echo().run(dispatcher, tracker, {}))
            said.append(dispatcher.messages[0]["text"])
        assert said == ["可以开电子发票。", "可以开专票。"]
        assert refreshed_in and all(name.startswith("shop-db") for name in refreshed_in), refreshed_in
    finally:
        support._runtime.pool.shutdown(wait=False)
