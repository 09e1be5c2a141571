// Rich bot messages: product cards, an order's logistics timeline, a list of orders.
// The payload schemas are in docs/channels.md ("Custom payloads"). Every field is optional
// as far as rendering goes: a missing price or image leaves that part out instead of
// breaking the message, and unknown fields are ignored.

import { addToCart, recordClick } from "./cart.js";
import { h, image } from "./dom.js";
import { eventTime, orderDate, priceText } from "./format.js";

const PRODUCT_PLACEHOLDER = "/assets/img/product-placeholder.svg";
const TIMELINE_VISIBLE_EVENTS = 3;

const text = (value) => (typeof value === "string" || typeof value === "number" ? String(value) : "");
const list = (value) => (Array.isArray(value) ? value : []);

/** A button that sends `payload` and shows `shownAs` (default: its title) as the shopper's message. */
function actionButton(button, ctx, className, shownAs = null) {
  const title = text(button && button.title);
  const payload = text(button && button.payload) || title;
  if (!title) return null;
  return h("button", {
    type: "button",
    class: className,
    dataset: { payload },
    onclick: () => ctx.send(payload, shownAs || title),
    text: title,
  });
}

// --- product cards -----------------------------------------------------------------------

function richTitle(title, ctx) {
  return ctx.omitTitle ? null : h("header", { class: "rich__title" }, h("span", { class: "rich__title-mark" }), title);
}

export function productCards(custom, ctx) {
  const products = list(custom.products).filter((p) => p && typeof p === "object");
  const title = text(custom.title) || "为您推荐";
  return h(
    "section",
    { class: "rich rich--products", "aria-label": title },
    richTitle(title, ctx),
    products.length
      ? h("div", { class: "product-strip" }, products.map((p) => productCard(p, ctx, list(custom.exposure_ids))))
      : h("p", { class: "rich__empty", text: "暂时没有合适的商品" }),
  );
}

const BUY_TITLE = "我要买";

/** 我要买: into the cart (with the exposures the card was shown in), the click recorded, and
 *  the request still said in the chat so the assistant can answer it. */
function buyButton(button, product, exposureIds, ctx) {
  const el = actionButton(button, ctx, "btn btn--primary");
  if (!el) return null;
  el.onclick = () => {
    const count = addToCart(product, exposureIds);
    recordClick(product.id, exposureIds);
    ctx.send(text(button.payload) || BUY_TITLE, BUY_TITLE);
    showCartLink(count);
  };
  return el;
}

function showCartLink(count) {
  let link = document.getElementById("cart-link");
  if (!link) {
    link = h("a", { id: "cart-link", class: "cart-link" });
    link.setAttribute("href", "/cart");   // a fixed site path (h() refuses href by design)
    document.body.appendChild(link);
  }
  link.textContent = `购物车（${count}）· 去结算`;
}

function productCard(product, ctx, exposureIds = []) {
  const price = priceText(product.price_text, product.price);
  const rating = Number(product.rating);
  const buttons = list(product.buttons).map((b, i) =>
    text(b && b.title) === BUY_TITLE
      ? buyButton(b, product, exposureIds, ctx)
      : actionButton(b, ctx, i === list(product.buttons).length - 1 ? "btn btn--primary" : "btn btn--ghost"),
  );
  return h(
    "article",
    { class: "product-card", dataset: { productId: text(product.id) } },
    h(
      "div",
      { class: "product-card__media" },
      image(product.image, { alt: text(product.title), className: "product-card__img", placeholder: PRODUCT_PLACEHOLDER }),
      text(product.reason) ? h("span", { class: "product-card__reason", text: text(product.reason) }) : null,
    ),
    h(
      "div",
      { class: "product-card__body" },
      h("h4", { class: "product-card__title", title: text(product.title), text: text(product.title) }),
      h(
        "div",
        { class: "product-card__meta" },
        price ? h("span", { class: "price", text: price }) : null,
        Number.isFinite(rating) && rating > 0
          ? h("span", { class: "product-card__rating", "aria-label": `评分 ${rating.toFixed(1)}` }, "★ ", rating.toFixed(1))
          : null,
      ),
      buttons.some(Boolean) ? h("div", { class: "product-card__actions" }, buttons) : null,
    ),
  );
}

// --- order status and logistics -----------------------------------------------------------

const STATUS_TONES = [
  [/cancel|closed|refund|取消|关闭|退款/, "muted"],
  [/exception|fail|异常|失败/, "danger"],
  [/deliver|complete|signed|签收|完成/, "success"],
  [/pending|unpaid|待付|待支付/, "warning"],
];

/** A colour family for a status badge, from the status code or, failing that, the label. */
function statusTone(status, label) {
  const key = `${text(status)} ${text(label)}`.toLowerCase();
  for (const [pattern, tone] of STATUS_TONES) if (pattern.test(key)) return tone;
  return "info";
}

function statusBadge(status, label) {
  const shown = text(label) || text(status);
  return shown ? h("span", { class: `badge badge--${statusTone(status, label)}`, text: shown }) : null;
}

export function orderTimeline(custom, ctx) {
  const order = custom.order && typeof custom.order === "object" ? custom.order : {};
  const events = list(order.events).filter((e) => e && typeof e === "object");
  const items = list(order.items).filter((i) => i && typeof i === "object");
  const carrierLine = [text(order.carrier), text(order.tracking_no)].filter(Boolean);

  const timeline = h(
    "ol",
    { class: "timeline" },
    events.map((event, index) =>
      h(
        "li",
        {
          class: `timeline__event${index === 0 ? " timeline__event--latest" : ""}`,
          hidden: index >= TIMELINE_VISIBLE_EVENTS,
        },
        h("span", { class: "timeline__dot", "aria-hidden": "true" }),
        h("p", { class: "timeline__text", text: text(event.text) }),
        h(
          "p",
          { class: "timeline__meta" },
          h("time", { datetime: text(event.time), text: eventTime(event.time) }),
          text(event.location) ? h("span", { class: "timeline__loc", text: text(event.location) }) : null,
        ),
      ),
    ),
  );

  let more = null;
  if (events.length > TIMELINE_VISIBLE_EVENTS) {
    more = h("button", {
      type: "button",
      class: "timeline__more",
      text: `查看全部 ${events.length} 条物流信息`,
      onclick: () => {
        const collapsed = timeline.querySelector("li[hidden]");
        timeline.querySelectorAll("li").forEach((li, i) => {
          li.hidden = !collapsed && i >= TIMELINE_VISIBLE_EVENTS;
        });
        more.textContent = collapsed ? "收起物流信息" : `查看全部 ${events.length} 条物流信息`;
        ctx.changed();
      },
    });
  }

  return h(
    "section",
    { class: "rich rich--order", "aria-label": "订单物流", dataset: { orderNo: text(order.order_no) } },
    h(
      "header",
      { class: "order-head" },
      h("div", { class: "order-head__no" }, h("span", { class: "order-head__label", text: "订单号" }), text(order.order_no)),
      statusBadge(order.status, order.status_label),
    ),
    carrierLine.length || text(order.eta)
      ? h(
          "div",
          { class: "order-ship" },
          carrierLine.length ? h("p", { class: "order-ship__carrier", text: carrierLine.join("  ") }) : null,
          text(order.eta) ? h("p", { class: "order-ship__eta", text: text(order.eta) }) : null,
        )
      : null,
    items.length
      ? h(
          "ul",
          { class: "order-items" },
          items.map((item) =>
            h(
              "li",
              { class: "order-items__row" },
              h(
                "span",
                { class: "order-items__name" },
                h("span", { class: "order-items__title", text: text(item.title) }),
                text(item.sku) ? h("span", { class: "order-items__sku", text: text(item.sku) }) : null,
              ),
              item.quantity != null ? h("span", { class: "order-items__qty", text: `×${text(item.quantity)}` }) : null,
              h("span", { class: "order-items__price", text: priceText(item.price_text, item.price) }),
            ),
          ),
          text(order.total_text)
            ? h("li", { class: "order-items__total" }, "实付 ", h("span", { class: "price price--small", text: text(order.total_text) }))
            : null,
        )
      : null,
    events.length ? timeline : h("p", { class: "rich__empty", text: "暂无物流信息" }),
    more,
  );
}

export function orderList(custom, ctx) {
  const orders = list(custom.orders).filter((o) => o && typeof o === "object");
  const title = text(custom.title) || "您的近期订单";
  return h(
    "section",
    { class: "rich rich--orders", "aria-label": title },
    richTitle(title, ctx),
    orders.length
      ? h(
          "ul",
          { class: "order-list" },
          orders.map((order) =>
            h(
              "li",
              { class: "order-row", dataset: { orderNo: text(order.order_no) } },
              h(
                "div",
                { class: "order-row__top" },
                h("span", { class: "order-row__no", text: `订单号 ${text(order.order_no)}` }),
                statusBadge(order.status, order.status_label),
              ),
              h("p", { class: "order-row__summary", text: text(order.summary) }),
              h(
                "div",
                { class: "order-row__bottom" },
                h("span", { class: "order-row__date", text: orderDate(order.created_at) }),
                h("span", { class: "price price--small", text: priceText(order.total_text, order.total) }),
                text(order.payload)
                  ? actionButton(
                      { title: "查看详情", payload: order.payload },
                      ctx,
                      "btn btn--ghost btn--small",
                      `查看订单 ${text(order.order_no)}`.trim(),
                    )
                  : null,
              ),
            ),
          ),
        )
      : h("p", { class: "rich__empty", text: "暂时没有订单" }),
  );
}

export const CUSTOM_RENDERERS = {
  product_cards: productCards,
  order_timeline: orderTimeline,
  order_list: orderList,
};
