// The shopping cart: kept in this browser (localStorage), checked out on the shop site.
// A card's 我要买 puts the product here with the recommendation exposures it was shown in,
// and records the click; /cart shows the cart, places the order for the signed-in shopper
// (POST /api/orders) and pays it with the demo's simulated payment.

const CART_KEY = "qy-chat/v1/cart";
const AUTH_KEY = "qy-chat/v1/auth";
const MAX_LINES = 20;

function readJson(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw == null ? null : JSON.parse(raw);
  } catch (error) {
    return null;
  }
}

/** The signed-in shopper's token while valid for another 30 s, else null (as the chat does). */
export function currentToken(now = Date.now()) {
  const auth = readJson(AUTH_KEY);
  if (!auth || typeof auth.token !== "string" || !(Date.parse(auth.expiresAt) - 30000 > now)) return null;
  return auth.token;
}

const isLine = (l) => l && typeof l === "object" && /^\d+$/.test(String(l.productId)) && Number(l.quantity) > 0;

export function readCart() {
  const lines = readJson(CART_KEY);
  return Array.isArray(lines) ? lines.filter(isLine) : [];
}

export function saveCart(lines) {
  try {
    window.localStorage.setItem(CART_KEY, JSON.stringify(lines.slice(0, MAX_LINES)));
  } catch (error) {
    // storage disabled: the cart lasts as long as the page
  }
}

export function clearCart() {
  saveCart([]);
}

/** Add one of `product` (a product card) shown in `exposureIds`; returns the cart size. */
export function addToCart(product, exposureIds) {
  const lines = readCart();
  const id = String(product.id);
  const exposures = (Array.isArray(exposureIds) ? exposureIds : []).filter((e) => Number.isInteger(e) && e > 0);
  const line = lines.find((l) => String(l.productId) === id);
  if (line) {
    line.quantity = Math.min(99, Number(line.quantity) + 1);
    line.exposureIds = Array.from(new Set([...(line.exposureIds || []), ...exposures])).slice(0, 8);
  } else {
    lines.push({
      productId: id,
      title: String(product.title || ""),
      price: Number(product.price) || 0,
      image: typeof product.image === "string" ? product.image : null,
      quantity: 1,
      exposureIds: exposures.slice(0, 8),
    });
  }
  saveCart(lines);
  return lines.reduce((n, l) => n + Number(l.quantity), 0);
}

async function post(path, body, token) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body) });
  } catch (error) {
    throw new Error("网络连接失败，请稍后再试");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (error) {
    // fall through
  }
  if (!response.ok) throw new Error((answer && answer.message) || "请求失败，请稍后再试");
  return answer;
}

/** Tell the shop which recommendation led to the click (best effort: never blocks buying). */
export function recordClick(productId, exposureIds) {
  if (!Array.isArray(exposureIds) || !exposureIds.length) return Promise.resolve(null);
  return post("/api/recommendation-clicks", { product_id: Number(productId), exposure_ids: exposureIds }, currentToken())
    .catch(() => null);
}

export function placeOrder(lines, token) {
  const items = lines.map((l) => ({
    product_id: Number(l.productId),
    quantity: Number(l.quantity),
    exposure_ids: l.exposureIds || [],
  }));
  return post("/api/orders", { items }, token);
}

export function payOrder(orderNo, token) {
  return post(`/api/orders/${encodeURIComponent(orderNo)}/pay`, {}, token);
}
