// Keeps the signed-in agent on duty while this console page is open, whichever page it is:
// the desk counts an agent whose console was used in the last few minutes
// (shop.domain.handoff_queue.ON_DUTY_WINDOW), and pages such as 数据分析 make no requests of
// their own while they are read. Closing every console page stops the heartbeat, and the
// agent's conversations go back to the queue once the window has passed.
// The heartbeat is not the agent: the session's idle sign-out (CONSOLE_IDLE_MINUTES) counts
// time without input, so a beat says "input=1" only when the agent typed, clicked, turned the
// wheel, touched or moved the pointer on this page since the last one (console/auth.py,
// is_activity). Not "scroll": the desk scrolls its own transcript when a message arrives.
(function () {
  "use strict";
  const every = Number(document.currentScript.dataset.everyMs) || 60000;
  let sawInput = false;
  const noticed = () => { sawInput = true; };
  ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"].forEach((kind) =>
    window.addEventListener(kind, noticed, { passive: true, capture: true }));
  const timer = setInterval(() => {
    const url = sawInput ? "/api/presence?input=1" : "/api/presence";
    sawInput = false;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then((reply) => {
        // Signed out (elsewhere, disabled, or idle too long): nothing to keep alive; the
        // desk's pages go to the sign-in page on their next poll, others on the next click.
        if (reply.status === 401 || reply.status === 403) clearInterval(timer);
      })
      .catch(() => {});   // the console restarting: try again next time
  }, every);
})();
