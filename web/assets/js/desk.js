// Lines from a human agent (live hand-off). While the shop's desk has this conversation the
// assistant is silent and agents answer from the operator console; their replies wait in the
// shop database until fetched here: POST {rasa}/webhooks/rest/agent_messages
// {sender, after, metadata: {customer_token}} -> {status, ticket_no, queue?, messages: [{id, from, text}]}.
// We ask after each exchange, whenever the server pushes a `desk_update` over socket.io (an
// agent wrote; shop_channels/desk_push.py) and, while a ticket is open or held, by polling as
// a fallback: every POLL_MS until a push has arrived on this connection, then every
// FALLBACK_MS (a push lost in a reconnect is made good). The id of the last line shown is
// kept per conversation, so a reload shows nothing twice and misses nothing.

const POLL_MS = 2000;
const FALLBACK_MS = 15000;
// A fetch that never answers (a stalled connection) would leave `busy` set and stop the agent's
// lines for good: it is given up after this long, like any other failed try.
const GIVE_UP_MS = 10000;
const ACTIVE = new Set(["open", "assigned"]);

export class DeskPoller {
  constructor({ baseUrl, sessionId, token, onLine, onStatus }) {
    this.url = `${baseUrl.replace(/\/$/, "")}/webhooks/rest/agent_messages`;
    this.sessionId = sessionId;
    this.token = token;
    this.onLine = onLine;
    this.onStatus = onStatus;
    this.timer = null;
    this.busy = false;
    this.status = "none";
    this.pushing = false;
    this.again = false;
  }

  /** The server pushed `desk_update`: fetch now; polling can slow down. */
  pushed() {
    this.pushing = true;
    this.poll();
  }

  /** The socket dropped: pushes may be missed until it is back, so poll at full rate. */
  pushLost() {
    this.pushing = false;
    this.again = false;
  }

  cursorKey() {
    return `desk-after:${this.sessionId()}`;
  }

  get after() {
    const raw = Number(window.localStorage.getItem(this.cursorKey()));
    return Number.isSafeInteger(raw) && raw > 0 ? raw : 0;
  }

  set after(value) {
    window.localStorage.setItem(this.cursorKey(), String(value));
  }

  /** Ask now (soon after something happened), then keep asking while a ticket is active. */
  async poll() {
    if (!this.sessionId()) return;
    if (this.busy) {
      this.again = true; // a push during a fetch: fetch once more when it is done
      return;
    }
    this.busy = true;
    clearTimeout(this.timer);
    try {
      const token = this.token();
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: this.sessionId(), after: this.after, metadata: token ? { customer_token: token } : {} }),
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      if (response.ok) {
        const body = await response.json();
        for (const line of body.messages || []) {
          if (line.id > this.after) {
            this.after = line.id;
            this.onLine(line);
          }
        }
        this.status = body.status || "none";
        this.onStatus(body);
      }
    } catch (error) {
      // The server is restarting: the next poll catches up (lines wait in the database).
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.soon(0);
      } else if (ACTIVE.has(this.status)) {
        this.timer = setTimeout(() => this.poll(), this.pushing ? FALLBACK_MS : POLL_MS);
      }
    }
  }

  soon(delayMs = 600) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), delayMs);
  }
}
