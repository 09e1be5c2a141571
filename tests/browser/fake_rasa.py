"""A real socket.io server that speaks Rasa's socket.io channel protocol, for page tests.

It is not a mock of the browser or of the page: it is python-socketio, configured like
Rasa's channel (``cors_allowed_origins=[]``, session rooms, ``user_uttered`` /
``bot_uttered``), so the widget's own socket.io client talks to it over a real WebSocket.
What it adds is control: tests push any bot payload into the page's session (cards,
timelines, hostile text) without depending on the NLU model, see every event the page
sent, and stop and restart it on the same port to exercise reconnection.
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import socketio
from aiohttp import web

Reply = Callable[[str], List[Dict[str, Any]]]


def echo(message: str) -> List[Dict[str, Any]]:
    return [{"text": f"收到：{message}"}]


class FakeRasa:
    def __init__(self, port: int, reply: Reply = echo) -> None:
        self.port = port
        self.reply = reply
        self.events: List[tuple] = []        # (event, data) in arrival order
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._runner: Optional[web.AppRunner] = None
        self._sio: Optional[socketio.AsyncServer] = None

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what the page sent ----------------------------------------------------------

    def received(self, event: str) -> List[Any]:
        with self._lock:
            return [data for name, data in self.events if name == event]

    def clear(self) -> None:
        with self._lock:
            self.events.clear()

    def wait_for(self, event: str, count: int = 1, timeout: float = 10) -> List[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received(event)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"expected {count} {event!r} event(s), got {self.received(event)!r}")

    # --- talking to the page -----------------------------------------------------------

    def push(self, session_id: str, payload: Dict[str, Any]) -> None:
        """Emit ``bot_uttered`` to the session's room, as Rasa does for a bot message."""
        self._call(self._sio.emit("bot_uttered", payload, room=session_id))

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> "FakeRasa":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake socket.io server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        self._call(self._shutdown(), timeout=15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def _call(self, coroutine, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._startup())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _startup(self) -> None:
        # Configured like rasa.core.channels.socketio.SocketIOInput.
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
        self._sio = sio
        app = web.Application()
        sio.attach(app, socketio_path="/socket.io")

        def record(event: str, data: Any) -> None:
            with self._lock:
                self.events.append((event, data))

        @sio.on("session_request")
        async def session_request(sid, data):
            record("session_request", data)
            session_id = (data or {}).get("session_id") or "fake-session"
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid, data):
            record("user_uttered", data)
            for payload in self.reply(str((data or {}).get("message", ""))):
                await sio.emit("bot_uttered", payload, room=data.get("session_id") or sid)

        # The REST channel's agent_messages endpoint (live hand-off), as `rasa run --cors "*"`
        # serves it: no hand-off in these conversations.
        cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type",
                "Access-Control-Allow-Methods": "POST, OPTIONS"}

        async def agent_messages(request: web.Request) -> web.Response:
            if request.method == "OPTIONS":
                return web.Response(headers=cors)
            record("agent_messages", await request.json())
            return web.json_response({"status": "none", "ticket_no": None, "messages": []}, headers=cors)

        app.router.add_route("*", "/webhooks/rest/agent_messages", agent_messages)

        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        # reuse_address: the restart test binds the same port again at once.
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()

    async def _shutdown(self) -> None:
        # Drop every client (sid=None: all of them), then close the listener.
        if self._sio.eio.sockets:  # engineio fails on an empty set
            await self._sio.eio.disconnect()
        await self._sio.shutdown()
        await self._runner.cleanup()
        # engineio leaves per-client ping tasks behind; end them before the loop stops.
        leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
