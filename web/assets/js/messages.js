// What one `bot_uttered` event looks like on the page. Rasa's socket.io channel sends:
//   {text}                                   plain text
//   {text, quick_replies:[{title,payload}]}  text with buttons
//   {attachment:{type:"image", payload:{src}}}
//   {custom:{type:"product_cards"|"order_timeline"|"order_list", ...}}
// REST-style {buttons:[...]} and a bare {type:"product_cards", ...} are accepted too, so the
// same renderer serves a REST integration's responses.

import { CUSTOM_RENDERERS } from "./cards.js";
import { h, image } from "./dom.js";

const IMAGE_PLACEHOLDER = "/assets/img/product-placeholder.svg";

/** Buttons attached to a bot message, normalised to [{title, payload}]. */
export function quickReplies(data) {
  const raw = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
  return raw
    .filter((b) => b && typeof b === "object" && typeof b.title === "string" && b.title.trim())
    .map((b) => ({ title: b.title, payload: typeof b.payload === "string" && b.payload ? b.payload : b.title }));
}

export function customPayload(data) {
  if (data.custom && typeof data.custom === "object") return data.custom;
  if (typeof data.type === "string" && CUSTOM_RENDERERS[data.type]) return data;
  return null;
}

/** Every button payload inside a rich payload (product buttons, order links). */
export function payloadsIn(custom) {
  const found = new Set();
  const visit = (value) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      if (typeof value.payload === "string") found.add(value.payload);
      Object.values(value).forEach(visit);
    }
  };
  visit(custom);
  return found;
}

/** The blocks of a bot message (bubbles and cards), in order; never empty.
 *  ctx.omitTitle: the card's title was just said as text, so do not repeat it. */
export function botBlocks(data, ctx) {
  const blocks = [];
  if (typeof data.text === "string" && data.text.trim()) {
    blocks.push(h("div", { class: "bubble bubble--bot", text: data.text }));
  }
  const attachment = data.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) {
    const img = image(attachment.payload.src, { alt: "图片", className: "bubble__image", placeholder: IMAGE_PLACEHOLDER });
    img.addEventListener("load", () => ctx.changed());
    blocks.push(h("div", { class: "bubble bubble--bot bubble--image" }, img));
  }
  const custom = customPayload(data);
  if (custom) {
    const render = CUSTOM_RENDERERS[custom.type];
    if (render) blocks.push(render(custom, ctx));
    else if (typeof custom.text === "string" && custom.text.trim() && !blocks.length) {
      blocks.push(h("div", { class: "bubble bubble--bot", text: custom.text }));
    }
  }
  if (!blocks.length) {
    blocks.push(h("div", { class: "bubble bubble--bot bubble--unsupported", text: "[当前版本暂不支持显示此消息]" }));
  }
  return blocks;
}

export function quickReplyBar(replies, ctx) {
  return h(
    "div",
    { class: "quick-replies", role: "group", "aria-label": "快捷回复" },
    replies.map((reply) =>
      h("button", {
        type: "button",
        class: "chip",
        dataset: { payload: reply.payload },
        onclick: () => ctx.send(reply.payload, reply.title),
        text: reply.title,
      }),
    ),
  );
}
