// The cart page (/cart): the lines from readCart(), then 提交订单 -> 模拟支付.
import { clearCart, currentToken, payOrder, placeOrder, readCart, saveCart } from "./cart.js";
import { h } from "./dom.js";
import { priceText } from "./format.js";

const $ = (id) => document.getElementById(id);

function notice(text) {
  $("cart-notice").hidden = !text;
  $("cart-notice").textContent = text || "";
}

function render() {
  const lines = readCart();
  const list = $("cart-lines");
  list.replaceChildren(
    ...lines.map((line, index) =>
      h(
        "li",
        { class: "cart-line", dataset: { productId: String(line.productId) } },
        h("span", { class: "cart-line__title", text: line.title || `商品 ${line.productId}` }),
        h("span", { class: "price", text: priceText(null, line.price) }),
        h(
          "span",
          { class: "cart-line__qty" },
          h("button", { type: "button", class: "btn btn--ghost btn--small", "aria-label": "减少", text: "−",
            onclick: () => change(index, -1) }),
          h("span", { class: "cart-line__count", text: String(line.quantity) }),
          h("button", { type: "button", class: "btn btn--ghost btn--small", "aria-label": "增加", text: "+",
            onclick: () => change(index, 1) }),
        ),
        h("button", { type: "button", class: "btn btn--ghost btn--small", text: "删除", onclick: () => change(index, -999) }),
      ),
    ),
  );
  const total = lines.reduce((sum, l) => sum + Number(l.price) * Number(l.quantity), 0);
  $("cart-summary").textContent = lines.length ? `商品合计 ${priceText(null, total)}（运费和优惠以提交后为准）` : "";
  $("place-order").disabled = !lines.length;
  if (!lines.length) notice("购物车是空的，回到客服让小柚给您推荐吧。");
  else if (!currentToken()) notice("请先回到客服页登录，再提交订单。");
  else notice("");
}

function change(index, delta) {
  const lines = readCart();
  const line = lines[index];
  if (!line) return;
  line.quantity = Math.min(99, Number(line.quantity) + delta);
  if (line.quantity <= 0) lines.splice(index, 1);
  saveCart(lines);
  render();
}

function showResult(...children) {
  $("cart-result").hidden = false;
  $("cart-result").replaceChildren(...children);
}

async function submit() {
  const token = currentToken();
  if (!token) {
    notice("请先回到客服页登录，再提交订单。");
    return;
  }
  $("place-order").disabled = true;
  try {
    const order = await placeOrder(readCart(), token);
    clearCart();
    render();
    const pay = h("button", { type: "button", class: "btn btn--primary", id: "pay-order", text: "模拟支付" });
    pay.addEventListener("click", async () => {
      pay.disabled = true;
      try {
        const paid = await payOrder(order.order_no, token);
        showResult(h("p", { id: "order-paid", text: `${paid.message} 订单 ${paid.order_no}：${paid.status_label}` }));
      } catch (error) {
        pay.disabled = false;
        notice(error.message);
      }
    });
    showResult(
      h("p", { id: "order-placed", dataset: { orderNo: order.order_no },
        text: `订单 ${order.order_no} 已提交（${order.status_label}），应付 ${priceText(null, order.payable)}` +
          (order.coupon ? `，已使用「${order.coupon}」` : "") }),
      pay,
    );
  } catch (error) {
    notice(error.message);
    $("place-order").disabled = false;
  }
}

$("place-order").addEventListener("click", submit);
render();
