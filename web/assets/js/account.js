// The header's account area and the demo sign-in dialog.
//
// Signing in asks the shop site for a signed customer token (what a real shop's site does
// after its own login); the widget then sends that token with every message so the
// assistant's actions know, and verify, who is asking about "my order".

import { demoLogin, fetchDemoCustomers } from "./api.js";
import { h } from "./dom.js";

export function initial(name) {
  const first = Array.from(String(name || "").trim())[0];
  return first && first !== "*" ? first : "客";
}

/** The shopper's avatar: the first character of the name, or the guest icon. */
export function userAvatar(auth) {
  if (auth) {
    return h("span", { class: "avatar avatar--user", "aria-hidden": "true", text: initial(auth.customer.name) });
  }
  const img = h("img", { class: "avatar", alt: "", width: 36, height: 36 });
  img.setAttribute("src", "/assets/img/guest-avatar.svg");
  return img;
}

export class Account {
  /**
   * @param {{root: HTMLElement, dialog: HTMLDialogElement, list: HTMLElement,
   *          enabled: boolean, onSignIn: (auth) => void, onSignOut: () => void}} options
   */
  constructor({ root, dialog, list, enabled, onSignIn, onSignOut }) {
    Object.assign(this, { root, dialog, list, enabled, onSignIn, onSignOut });
  }

  show(auth) {
    if (auth) {
      this.root.replaceChildren(
        h(
          "div",
          { class: "account__who" },
          userAvatar(auth),
          h("span", { class: "account__name", text: auth.customer.name }),
        ),
        h("button", { type: "button", class: "account__btn account__btn--quiet", text: "退出", onclick: () => this.onSignOut() }),
      );
    } else if (this.enabled) {
      this.root.replaceChildren(
        h("button", { type: "button", class: "account__btn", text: "登录", onclick: () => this.open() }),
      );
    } else {
      this.root.replaceChildren();
    }
  }

  async open() {
    this.list.replaceChildren(h("p", { class: "signin__state", text: "正在加载演示账号…" }));
    if (!this.dialog.open) this.dialog.showModal();
    let customers;
    try {
      customers = await fetchDemoCustomers();
    } catch (error) {
      this.list.replaceChildren(h("p", { class: "signin__state signin__state--error", text: error.message }));
      return;
    }
    if (!customers.length) {
      this.list.replaceChildren(h("p", { class: "signin__state", text: "还没有演示账号，请先初始化商城数据。" }));
      return;
    }
    this.list.replaceChildren(...customers.map((customer) => this.customerButton(customer)));
  }

  customerButton(customer) {
    const button = h(
      "button",
      {
        type: "button",
        class: "signin__customer",
        dataset: { customerId: String(customer.id) },
        onclick: () => this.signIn(customer, button),
      },
      h("span", { class: "avatar avatar--user", "aria-hidden": "true", text: initial(customer.name) }),
      h(
        "span",
        { class: "signin__who" },
        h("span", { class: "signin__name", text: String(customer.name || "") }),
        h("span", { class: "signin__phone", text: String(customer.phone || "") }),
      ),
      h(
        "span",
        { class: "signin__extra" },
        customer.member_level ? h("span", { class: "signin__level", text: String(customer.member_level) }) : null,
        h("span", { class: "signin__orders", text: `${Number(customer.order_count) || 0} 个订单` }),
      ),
    );
    return button;
  }

  async signIn(customer, button) {
    this.list.querySelectorAll("button").forEach((b) => {
      b.disabled = true;
    });
    button.classList.add("is-busy");
    try {
      const answer = await demoLogin(customer.id);
      this.dialog.close();
      this.onSignIn({ token: answer.token, expiresAt: answer.expires_at, customer: answer.customer });
    } catch (error) {
      this.list.prepend(h("p", { class: "signin__state signin__state--error", text: `登录失败：${error.message}` }));
      this.list.querySelectorAll("button").forEach((b) => {
        b.disabled = false;
      });
      button.classList.remove("is-busy");
    }
  }
}
