// Keeps the hand-off pages live: the queue refreshes, an open ticket shows the shopper's new
// messages as they come, and replies are sent without reloading (the forms work without
// this script too). Everything comes from the console's JSON API with the session cookie;
// changes carry the CSRF token from <meta name="csrf-token">.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  // A poll that never answers (a stalled connection, a console busy past its database's busy
  // timeout) must not stop the page from polling: it is given up after this long and the loop
  // goes on, as after any other failed try.
  const POLL_GIVE_UP_MS = 10000;
  // Set once the page is navigating away (接入, 转接, 结束 — a form sent the classic way): a poll
  // answered after that (a 404 once the ticket is passed on, a changed queue once it is claimed)
  // must not redirect over the form's own result page ("已转接").
  let leaving = false;
  window.addEventListener("beforeunload", () => { leaving = true; });
  // Back to a page kept in the browser's cache: its polls had stopped; load it afresh.
  window.addEventListener("pageshow", (event) => { if (event.persisted) window.location.reload(); });

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const transcript = document.getElementById("transcript");
  if (transcript) {
    const ticket = transcript.dataset.ticket;
    let after = Number(transcript.dataset.after) || 0;
    let status = null;
    const show = (m) => {
      if (m.id <= after) return;
      after = m.id;
      const line = el("div", `msg ${m.from}`);
      line.dataset.id = m.id;
      if (m.from !== "system") {
        // The time tells the agent whether the shopper is still there.
        const who = el("span", "who", (m.from === "shopper" ? "顾客" : `客服 ${m.agent || ""}`) + " ");
        who.appendChild(el("time", undefined, (m.at || "").slice(0, 5)));
        line.appendChild(who);
      }
      line.appendChild(document.createTextNode(m.text));
      // The shopper is back: the 「可能已经离开」 note no longer holds.
      const quiet = document.getElementById("shopper-quiet");
      if (quiet && m.from === "shopper") quiet.hidden = true;
      transcript.appendChild(line);
      transcript.scrollTop = transcript.scrollHeight;
    };
    const poll = async () => {
      if (leaving) return;
      try {
        const r = await fetch(`/api/handoff/${ticket}/messages?after=${after}`,
                               { credentials: "same-origin", signal: AbortSignal.timeout(POLL_GIVE_UP_MS) });
        if (leaving) return;
        if (r.status === 401) { window.location = "/login"; return; }
        // Passed on to a colleague (here or in another tab): no longer this agent's to see.
        if (r.status === 404) { window.location.replace("/handoff?auto=1"); return; }
        if (r.ok) {
          const body = await r.json();
          body.messages.forEach(show);
          // Claimed / closed elsewhere. "auto": a reload the page made, not the agent's input.
          if (status && status !== body.status) { window.location.replace(`/handoff/${ticket}?auto=1`); return; }
          status = body.status;
        }
      } catch (e) { /* console restarting: try again */ }
      setTimeout(poll, 1500);
    };
    transcript.scrollTop = transcript.scrollHeight;
    setTimeout(poll, 1500);

    const form = document.getElementById("reply-form");
    const input = document.getElementById("reply-text");
    // 快捷回复: into the box (appended to what is there), to be changed before sending.
    document.querySelectorAll("form.canned-reply").forEach((canned) => {
      canned.addEventListener("submit", (event) => {
        if (!input) return;          // nothing to edit in: let the form send it
        event.preventDefault();
        const text = canned.querySelector("input[name=text]").value;
        input.value = input.value.trim() ? `${input.value.trimEnd()}\n${text}` : text;
        input.focus();
      });
    });
    if (form) {
      const send = async (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        input.disabled = true;
        try {
          const r = await fetch(`/api/handoff/${ticket}/reply`, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify({ text }),
          });
          const problem = document.getElementById("reply-error");
          if (problem) problem.hidden = true;
          if (r.ok) { show(await r.json()); input.value = ""; }
          else if (r.status === 401) window.location = "/login";
          else if (r.status === 409) window.location = `/handoff/${ticket}?flash=not_yours`;
          else if (problem) {
            // Say why; the text stays in the box to be fixed.
            let body = {};
            try { body = await r.json(); } catch (e) { /* not JSON */ }
            problem.textContent = body.message || `发送失败（${r.status}），请重试。`;
            problem.hidden = false;
          }
        } catch (e) {
          const problem = document.getElementById("reply-error");
          if (problem) { problem.textContent = "网络异常，回复未发送，请重试。"; problem.hidden = false; }
        } finally {
          input.disabled = false;
          input.focus();
        }
      };
      form.addEventListener("submit", send);
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
      });
    }
  }

  const queue = document.querySelector('[data-live="queue"]');
  if (queue) {
    // The waiting list and this agent's own conversations (a colleague may pass one on).
    const rows = (selector, key) => Array.from(document.querySelectorAll(selector)).map((r) => r.dataset[key]).join(",");
    // A conversation of this agent's where the shopper now waits for an answer, or has gone
    // quiet since the agent answered (may have left), reloads it too.
    const flags = (r) => (r.dataset.awaiting ? "1" : "0") + (r.dataset.quiet ? "1" : "0");
    const known = rows("tr[data-ticket]", "ticket") + "|" + rows("tr[data-mine]", "mine") + "|" +
      Array.from(document.querySelectorAll("tr[data-mine]")).map(flags).join(",");
    const refresh = async () => {
      if (leaving) return;
      try {
        const r = await fetch("/api/handoff/queue",
                               { credentials: "same-origin", signal: AbortSignal.timeout(POLL_GIVE_UP_MS) });
        if (leaving) return;
        if (r.status === 401) { window.location = "/login"; return; }
        if (r.ok) {
          const body = await r.json();
          const now = body.waiting.map((t) => t.ticket_no).join(",") + "|" + body.mine.map((t) => t.ticket_no).join(",") +
            "|" + body.mine.map((t) => (t.awaiting_reply_since ? "1" : "0") + (t.quiet_minutes ? "1" : "0")).join(",");
          if (now !== known) { window.location.replace("/handoff?auto=1"); return; }
        }
      } catch (e) { /* try again */ }
      setTimeout(refresh, 5000);
    };
    setTimeout(refresh, 5000);
  }
})();
