// Keeps the signed-in agent on duty while this console page is open, whichever page it is:
// the desk counts an agent whose console was used in the last few minutes
// (shop.domain.handoff_queue.ON_DUTY_WINDOW), and pages such as 数据分析 make no requests of
// their own while they are read. Closing every console page stops the heartbeat, and the
// agent's conversations go back to the queue once the window has passed.
(function () {
  "use strict";
  const every = Number(document.currentScript.dataset.everyMs) || 60000;
  const timer = setInterval(() => {
    fetch("/api/presence", { credentials: "same-origin", cache: "no-store" })
      .then((reply) => {
        // Signed out (elsewhere, or disabled): nothing to keep alive; the page's own links
        // lead to the sign-in page.
        if (reply.status === 401 || reply.status === 403) clearInterval(timer);
      })
      .catch(() => {});   // the console restarting: try again next time
  }, every);
})();
