// The message list: rows for the shopper, the bot and notices, time dividers, the typing
// indicator, and keeping the newest message in view.

import { h } from "./dom.js";
import { chatTime, fullTime } from "./format.js";
import { botBlocks, customPayload, payloadsIn, quickReplies, quickReplyBar } from "./messages.js";

const DIVIDER_GAP_MS = 5 * 60 * 1000; // a new time divider after five quiet minutes
const STICK_TO_BOTTOM_PX = 120;

export class ChatView {
  /**
   * @param {HTMLElement} root  the scrolling message container
   * @param {{send: (payload: string, title: string) => void, userAvatar: () => Node}} options
   */
  constructor(root, { send, userAvatar }) {
    this.root = root;
    this.userAvatar = userAvatar;
    this.lastAt = null;
    this.typing = null;
    this.previousBot = null; // {text, row} of the bot message just before, for de-duplication
    this.ctx = {
      send,
      // Cards change height (an image loads, a timeline expands): keep the bottom in view.
      changed: () => this.keepBottom(),
    };
    this.wasAtBottom = true;
    root.addEventListener("scroll", () => {
      this.wasAtBottom = this.nearBottom();
    });
  }

  render(messages) {
    this.root.replaceChildren();
    this.lastAt = null;
    this.typing = null;
    this.previousBot = null;
    const lastUser = messages.map((m) => m.role).lastIndexOf("user");
    messages.forEach((message, index) => this.add(message, { repliesActive: index > lastUser }));
    this.scrollToBottom();
  }

  append(message) {
    const follow = message.role === "user" || this.nearBottom();
    if (message.role === "user") {
      // Quick replies answer the question just asked; once the shopper moves on they go.
      this.root.querySelectorAll(".quick-replies").forEach((bar) => bar.remove());
    }
    const row = this.add(message, { repliesActive: true });
    if (this.typing) this.root.append(this.typing); // the indicator stays last
    if (follow) this.scrollToBottom();
    return row;
  }

  add(message, { repliesActive }) {
    if (this.lastAt == null || message.at - this.lastAt >= DIVIDER_GAP_MS) {
      this.root.append(
        h("div", { class: "time-divider", role: "separator" }, h("time", { title: fullTime(message.at), text: chatTime(message.at) })),
      );
    }
    this.lastAt = message.at;
    const row = this.row(message, repliesActive);
    this.root.append(row);
    return row;
  }

  row(message, repliesActive) {
    const { role, data } = message;
    if (role !== "bot") this.previousBot = null;
    if (role === "notice") {
      return h("div", { class: "notice", dataset: { id: message.id } }, h("span", { text: String(data.text || "") }));
    }
    if (role === "user") {
      return h(
        "div",
        {
          class: `msg msg--user${message.pending ? " msg--pending" : ""}`,
          dataset: { id: message.id },
          title: fullTime(message.at),
        },
        h(
          "div",
          { class: "msg__body" },
          h("div", { class: "bubble bubble--user", text: String(data.text || "") }),
          h("span", { class: "msg__status", text: message.pending ? "等待发送" : "" }),
        ),
        this.userAvatar(),
      );
    }
    const replies = quickReplies(data);
    const custom = customPayload(data);
    const ctx = { ...this.ctx, omitTitle: false };
    if (custom && this.previousBot) this.mergeWithPrevious(custom, ctx);
    const row = h(
      "div",
      { class: "msg msg--bot", dataset: { id: message.id }, title: fullTime(message.at) },
      botAvatar(),
      h(
        "div",
        { class: "msg__body" },
        botBlocks(data, ctx),
        repliesActive && replies.length ? quickReplyBar(replies, this.ctx) : null,
      ),
    );
    this.previousBot = { text: typeof data.text === "string" ? data.text.trim() : "", row };
    return row;
  }

  // Actions often say a line of text and then send the card: "为您推荐：" + a card titled
  // the same, or "其他近期订单" with quick replies + an order list with the same orders.
  // The text introduces the card, so the card shows no title of its own; buttons the
  // card already has are dropped from the text (they are the fallback for channels that
  // cannot draw cards).
  mergeWithPrevious(custom, ctx) {
    const { text, row } = this.previousBot;
    const title = typeof custom.title === "string" ? custom.title.trim() : "";
    if (text && (!title || title === text)) ctx.omitTitle = true;
    const inCard = payloadsIn(custom);
    const bar = row.querySelector(".quick-replies");
    if (!bar || !inCard.size) return;
    bar.querySelectorAll(".chip").forEach((chip) => {
      if (inCard.has(chip.dataset.payload)) chip.remove();
    });
    if (!bar.querySelector(".chip")) bar.remove();
  }

  markSent(id) {
    const row = this.root.querySelector(`.msg[data-id="${CSS.escape(id)}"]`);
    if (!row) return;
    row.classList.remove("msg--pending");
    const status = row.querySelector(".msg__status");
    if (status) status.textContent = "";
  }

  showTyping(on) {
    if (on && !this.typing) {
      const follow = this.nearBottom();
      this.typing = h(
        "div",
        { class: "msg msg--bot msg--typing", role: "status", "aria-label": "客服正在输入" },
        botAvatar(),
        h(
          "div",
          { class: "msg__body" },
          h(
            "div",
            { class: "bubble bubble--bot bubble--typing" },
            h("span", { class: "typing-dot" }),
            h("span", { class: "typing-dot" }),
            h("span", { class: "typing-dot" }),
            h("span", { class: "visually-hidden", text: "对方正在输入…" }),
          ),
        ),
      );
      this.root.append(this.typing);
      if (follow) this.scrollToBottom();
    } else if (!on && this.typing) {
      this.typing.remove();
      this.typing = null;
    }
  }

  nearBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.root;
    return scrollHeight - scrollTop - clientHeight < STICK_TO_BOTTOM_PX;
  }

  keepBottom() {
    if (this.wasAtBottom) this.scrollToBottom();
  }

  scrollToBottom() {
    this.root.scrollTop = this.root.scrollHeight;
    this.wasAtBottom = true;
  }
}

function botAvatar() {
  const img = h("img", { class: "avatar", alt: "客服", width: 36, height: 36 });
  img.setAttribute("src", "/assets/img/bot-avatar.svg");
  return img;
}
