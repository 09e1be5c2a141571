// The chat page: wires the store, the view, the composer, the sign-in and the socket.io
// connection to Rasa together.
//
// Conversation protocol with Rasa's socket.io channel (credentials.yml: socketio, with
// session_persistence and metadata_key customData):
//   on every (re)connect    emit session_request {session_id}  -> session_confirm
//   to say something        emit user_uttered {message, session_id, customData: {customer_token}}
//   the bot answers with    bot_uttered {text | quick_replies | attachment | custom}
// Messages typed while the connection is down wait in an outbox and go out, in order, once
// the session is confirmed again.

import { Account, userAvatar } from "./account.js";
import { fetchConfig, rasaBaseUrl } from "./api.js";
import { Composer } from "./composer.js";
import { DeskPoller } from "./desk.js";
import { h } from "./dom.js";
import { SocketIoClient } from "./socket.js";
import { ChatStore } from "./store.js";
import { ChatView } from "./view.js";

const TYPING_TIMEOUT_MS = 30000; // stop the dots if no answer comes (the server went away)

// What a shopper most often asks; each sends the text as if typed.
const HOT_QUESTIONS = [
  { title: "推荐好物", text: "有什么好的推荐" },
  { title: "查订单", text: "查一下订单" },
  { title: "物流到哪了", text: "我的快递到哪了" },
  { title: "退换货", text: "我要退货" },
  { title: "转人工", text: "转人工" },
];

const WELCOME = {
  text: "您好，欢迎光临青柚优选官方旗舰店！我是智能客服小柚，可以帮您推荐商品、查询订单物流、办理退换货。请问有什么可以帮您？",
  quick_replies: HOT_QUESTIONS.slice(0, 4).map((q) => ({ title: q.title, payload: q.text })),
};

let nextId = 0;
const messageId = () => `m${Date.now().toString(36)}${(nextId++).toString(36)}`;

async function main() {
  const $ = (id) => document.getElementById(id);
  const store = new ChatStore();
  let config;
  try {
    config = await fetchConfig();
  } catch (error) {
    config = { rasa: { url: null, port: 5005, socket_path: "/socket.io" }, demo_login: false };
  }
  // The human desk's hours come from the site's settings (SHOP_DESK_HOURS), never from a
  // copy in the page; unknown (no config): the line stays hidden rather than guess.
  if (config.desk_hours && $("desk-hours")) {
    $("desk-hours").textContent = config.desk_hours;
    $("desk-hours-line").hidden = false;
  }

  const outbox = store.messages.filter((m) => m.role === "user" && m.pending);
  let confirmed = false;
  let everConnected = false;
  let refusal = ""; // the server's polite line while it refuses this page's connection
  let typingTimer = null;

  const view = new ChatView($("messages"), {
    send: (payload, shown) => say(payload, shown),
    userAvatar: () => userAvatar(store.currentAuth()),
  });

  const socket = new SocketIoClient(rasaBaseUrl(config), { path: config.rasa.socket_path || "/socket.io" });

  // A human agent's lines (live hand-off): agents' replies as chat bubbles, the desk's
  // notices ("客服已接入") as notices.
  const desk = new DeskPoller({
    baseUrl: rasaBaseUrl(config),
    sessionId: () => store.sessionId,
    token: () => (store.currentAuth() ? store.currentAuth().token : null),
    onLine: (line) => {
      typing(false);
      if (line.from === "agent") add({ id: messageId(), role: "bot", at: Date.now(), data: { text: line.text }, agent: true });
      // The desk's satisfaction question after a close comes with answer buttons.
      else if (Array.isArray(line.buttons)) add({ id: messageId(), role: "bot", at: Date.now(), data: { text: line.text, buttons: line.buttons } });
      else notice(line.text);
    },
    onStatus: (body) => {
      // With an agent on the conversation nothing answers automatically: no dots.
      if (body.status === "assigned") typing(false);
    },
  });

  const account = new Account({
    root: $("account"),
    dialog: $("signin-dialog"),
    list: $("signin-list"),
    enabled: Boolean(config.demo_login),
    onSignIn: (auth) => {
      const saved = store.signIn(auth);
      if (!saved) {
        notice("登录失败，请稍后再试");
        return;
      }
      account.show(saved);
      view.render(store.messages); // avatars of earlier messages follow the new identity
      notice(`您已登录为 ${saved.customer.name}，可以直接查询您的订单啦`);
    },
    onSignOut: () => {
      store.signOut();
      outbox.length = 0;
      account.show(null);
      view.render([]);
      welcome();
      // A new conversation: reconnect so this page leaves the old session's room.
      confirmed = false;
      socket.reconnectNow();
    },
  });

  function add(message) {
    store.add(message);
    view.append(message);
    return message;
  }

  function notice(text) {
    add({ id: messageId(), role: "notice", at: Date.now(), data: { text } });
  }

  function welcome() {
    add({ id: messageId(), role: "bot", at: Date.now(), data: WELCOME, local: true });
  }

  /** The token while valid; an expired one signs the shopper out (keeping the conversation). */
  function currentToken() {
    const auth = store.currentAuth();
    if (!auth && store.auth) {
      store.forgetAuth();
      account.show(null);
      notice("登录已过期，如需查询订单请重新登录");
    }
    return auth ? auth.token : null;
  }

  /** Show `shown` as the shopper's message and send `payload` (they differ for buttons). */
  function say(payload, shown = payload) {
    const message = {
      id: messageId(),
      role: "user",
      at: Date.now(),
      data: { text: shown },
      pending: true,
    };
    if (payload !== shown) message.payload = payload;
    add(message);
    outbox.push(message);
    flush();
  }

  function flush() {
    while (confirmed && outbox.length) {
      const message = outbox[0];
      const token = currentToken();
      const sent = socket.emit("user_uttered", {
        message: message.payload || message.data.text,
        session_id: store.sessionId,
        customData: token ? { customer_token: token } : {},
      });
      if (!sent) break;
      outbox.shift();
      message.pending = false;
      store.saveHistory();
      view.markSent(message.id);
      typing(desk.status !== "assigned");
      desk.soon(1500);
    }
  }

  function typing(on) {
    clearTimeout(typingTimer);
    view.showTyping(on);
    if (on) typingTimer = setTimeout(() => view.showTyping(false), TYPING_TIMEOUT_MS);
  }

  function showConnection(state) {
    const dot = $("conn-dot");
    dot.dataset.state = state;
    $("conn-label").textContent =
      state === "connected" ? "客服小柚 · 在线" : state === "connecting" ? "客服小柚 · 连接中…" : "客服小柚 · 重新连接中…";
    // A lost connection, or a first one that failed: say so (typing still works; messages
    // wait in the outbox).
    // A refusal says why (the server's polite line) until a connection is made.
    const banner = $("conn-banner");
    if (state === "connected") refusal = "";
    banner.hidden = state === "connected" || (state === "connecting" && !everConnected && !refusal);
    banner.textContent = refusal || (everConnected ? "网络连接已断开，正在重新连接…" : "暂时连接不上客服，正在重试…");
  }

  socket.on("refused", (text) => {
    refusal = text || "暂时连接不上客服，正在重试…";
    showConnection(socket.state);
  });
  socket.on("state", showConnection);
  socket.on("connect", () => {
    everConnected = true;
    confirmed = false;
    // Rejoin our conversation: Rasa puts this connection in the session's room, where the
    // bot's answers for it are sent.
    socket.emit("session_request", { session_id: store.sessionId });
    showConnection("connected");
  });
  socket.on("session_confirm", (data) => {
    const id = typeof data === "string" ? data : data && data.session_id;
    if (id && id !== store.sessionId) store.setSessionId(id);
    confirmed = true;
    flush();
    desk.poll(); // catch up on an agent's lines after a reload or a reconnect
  });
  socket.on("disconnect", () => {
    confirmed = false;
    typing(false);
    desk.pushLost();
  });
  socket.on("desk_update", () => desk.pushed()); // an agent wrote (shop_channels/desk_push.py)
  socket.on("bot_uttered", (data) => {
    if (!data || typeof data !== "object") return;
    typing(false);
    add({ id: messageId(), role: "bot", at: Date.now(), data });
    desk.soon();
  });

  // Page furniture.
  const hot = (q) => h("button", { type: "button", class: "chip chip--hot", text: q.title, onclick: () => say(q.text) });
  $("hot-questions").replaceChildren(...HOT_QUESTIONS.map(hot));
  $("side-questions").replaceChildren(
    ...HOT_QUESTIONS.map((q) => h("li", {}, h("button", { type: "button", class: "side-question", text: q.text, onclick: () => say(q.text) }))),
  );
  new Composer({ form: $("composer-form"), input: $("composer-input"), button: $("composer-send"), onSend: (text) => say(text) });

  account.show(store.currentAuth());
  view.render(store.messages);
  if (!store.messages.length) welcome();
  if (store.auth && !store.currentAuth()) currentToken(); // tell the shopper the sign-in lapsed

  window.addEventListener("online", () => socket.nudge());
  showConnection("connecting");
  socket.connect();
  document.body.dataset.ready = "true"; // for tests and monitoring: the widget is wired up
}

main();
