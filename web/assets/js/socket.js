// A small Socket.IO client (Engine.IO protocol v4, Socket.IO protocol v5) over WebSocket.
//
// Why not the socket.io-client package: the widget needs only the default namespace, text
// events and reconnection, and writing those ~150 lines keeps the page free of a build step
// and of an npm install on every machine that runs it. Why WebSocket only (no HTTP
// long-polling): Rasa's socket.io server is created with `cors_allowed_origins=[]`, so it
// sends no CORS headers, and the page (served by the shop site on another port) could not
// read polling responses. WebSockets are not subject to CORS.
//
// Protocol summary (https://socket.io/docs/v4/engine-io-protocol/, .../socket-io-protocol/):
//   server -> "0{sid,pingInterval,pingTimeout}"  engine open; client answers "40" (connect /)
//   server -> "40{sid}"                            namespace connected
//   server -> "2"  ping; client answers "3" pong  (the server pings in v4)
//   either -> '42["event",data]'                   an event
//   server -> "44{message}"                         connect refused; "41" disconnected; "1" close
// A refusal (too many chat windows open from this network: shop_channels/socketio.py) comes as
// socket.io's "44{message, data: {text}}", or, when the engine.io handshake itself is refused,
// as a WebSocket closed with code 4429 and the polite line as its reason (a browser cannot read
// the HTTP 401 engine.io answers with). Either way the page hears "refused" with that line.

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;
const DEFAULT_PING_INTERVAL = 25000;
const DEFAULT_PING_TIMEOUT = 20000;
const CONNECT_TIMEOUT_MS = 10000;
const REFUSED_CLOSE_CODE = 4429; // shop_channels/socketio.py REFUSED_CLOSE_CODE
// After a refusal the back-off starts at its longest (RECONNECT_MAX_MS).
const REFUSED_RETRY_ATTEMPT = Math.ceil(Math.log2(RECONNECT_MAX_MS / RECONNECT_MIN_MS));

export function socketUrl(baseUrl, path = "/socket.io") {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${path.replace(/\/+$/, "")}/`;
  url.search = "?EIO=4&transport=websocket";
  return url.toString();
}

export class SocketIoClient {
  /**
   * @param {string} baseUrl  http(s) origin of the socket.io server (Rasa)
   * @param {{path?: string, WebSocketImpl?: typeof WebSocket}} options
   */
  constructor(baseUrl, { path = "/socket.io", WebSocketImpl = WebSocket } = {}) {
    this.url = socketUrl(baseUrl, path);
    this.WebSocketImpl = WebSocketImpl;
    this.handlers = new Map();
    this.state = "idle"; // idle | connecting | connected | disconnected | closed
    this.ws = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.watchdog = null;
    this.heartbeatMs = DEFAULT_PING_INTERVAL + DEFAULT_PING_TIMEOUT;
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  /** Sends an event; false when not connected (the caller queues it). */
  emit(event, data) {
    if (this.state !== "connected") return false;
    this.ws.send(`42${JSON.stringify([event, data])}`);
    return true;
  }

  connect() {
    if (this.state === "connecting" || this.state === "connected") return;
    this.clearTimers();
    this.setState("connecting");
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    // A server that accepts the TCP connection but never completes the handshake counts as
    // down too.
    this.armWatchdog(CONNECT_TIMEOUT_MS);
    ws.onmessage = (message) => {
      if (this.ws === ws) this.handlePacket(String(message.data));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      if (event && event.code === REFUSED_CLOSE_CODE) this.refused(event.reason);
      this.dropped();
    };
    ws.onerror = () => {
      // Always followed by close; nothing to do here.
    };
  }

  /** Drop the current connection and connect again at once (e.g. the session changed). */
  reconnectNow() {
    this.closeSocket();
    this.attempt = 0;
    this.state = "disconnected";
    this.connect();
  }

  /** Reconnect immediately if we are waiting for a retry (the browser came back online). */
  nudge() {
    if (this.state === "disconnected") {
      this.attempt = 0;
      this.connect();
    }
  }

  close() {
    this.closeSocket();
    this.clearTimers();
    this.setState("closed");
  }

  // --- internals ---------------------------------------------------------------------

  handlePacket(packet) {
    this.armWatchdog();
    const type = packet[0];
    if (type === "0") {
      this.engineOpened(packet.slice(1));
    } else if (type === "2") {
      this.ws.send("3");
    } else if (type === "1") {
      this.closeSocket();
      this.dropped();
    } else if (type === "4") {
      this.socketPacket(packet.slice(1));
    }
    // "3" (pong), "6" (noop) and anything else: nothing to do.
  }

  engineOpened(body) {
    try {
      const open = JSON.parse(body);
      const interval = Number(open.pingInterval) || DEFAULT_PING_INTERVAL;
      const timeout = Number(open.pingTimeout) || DEFAULT_PING_TIMEOUT;
      this.heartbeatMs = interval + timeout;
    } catch (error) {
      // Keep the defaults; the server still works with them.
    }
    this.armWatchdog();
    this.ws.send("40");
  }

  socketPacket(body) {
    const kind = body[0];
    if (kind === "0") {
      this.attempt = 0;
      this.setState("connected");
      this.fire("connect");
    } else if (kind === "2") {
      const parsed = parseEvent(body.slice(1));
      if (parsed) this.fire(parsed.event, ...parsed.args);
    } else if (kind === "1" || kind === "4") {
      // Disconnected or refused by the server: try again later, like a dropped connection.
      if (kind === "4") this.refused(refusalText(body.slice(1)));
      this.closeSocket();
      this.dropped();
    }
  }

  /** The server refused this connection: tell the page why, and retry only slowly (another
   * window closing frees a place; retrying fast only adds to the crowd). */
  refused(text) {
    this.attempt = Math.max(this.attempt, REFUSED_RETRY_ATTEMPT);
    this.fire("refused", typeof text === "string" ? text : "");
  }

  dropped() {
    const wasConnected = this.state === "connected";
    this.ws = null;
    this.clearTimers();
    if (this.state === "closed") return;
    this.setState("disconnected");
    if (wasConnected) this.fire("disconnect");
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.state === "closed") return;
    this.setState("disconnected");
    // Exponential back-off with jitter, so many pages do not reconnect in lock-step after
    // a server restart.
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    this.attempt += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  armWatchdog(ms = this.heartbeatMs) {
    clearTimeout(this.watchdog);
    // No ping for pingInterval + pingTimeout: the connection is dead even if the browser has
    // not noticed (a laptop waking up, a NAT dropping the flow). Force a reconnect.
    this.watchdog = setTimeout(() => {
      this.closeSocket();
      this.dropped();
    }, ms);
  }

  clearTimers() {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdog);
    this.reconnectTimer = null;
    this.watchdog = null;
  }

  closeSocket() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch (error) {
        // Already closed.
      }
    }
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.fire("state", state);
  }

  fire(event, ...args) {
    for (const handler of this.handlers.get(event) || []) {
      try {
        handler(...args);
      } catch (error) {
        console.error(`socket handler for ${event} failed`, error);
      }
    }
  }
}

/** The polite line of a socket.io CONNECT_ERROR body ('{"message": ..., "data": {"text": ...}}'), or "". */
export function refusalText(body) {
  try {
    const refusal = JSON.parse(body);
    const text = refusal && refusal.data && refusal.data.text;
    return typeof text === "string" ? text : "";
  } catch (error) {
    return "";
  }
}

/** '["bot_uttered",{...}]', optionally preceded by "/namespace," and an ack id. */
export function parseEvent(body) {
  let start = 0;
  if (body[0] === "/") {
    const comma = body.indexOf(",");
    if (comma < 0) return null;
    start = comma + 1;
  }
  while (start < body.length && body[start] >= "0" && body[start] <= "9") start += 1;
  try {
    const packet = JSON.parse(body.slice(start));
    if (!Array.isArray(packet) || typeof packet[0] !== "string") return null;
    return { event: packet[0], args: packet.slice(1) };
  } catch (error) {
    return null;
  }
}
