// Calls to the shop site that served this page (same origin).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(path, options = {}) {
  let response;
  try {
    response = await fetch(path, {
      credentials: "same-origin",
      headers: { Accept: "application/json", ...(options.body ? { "Content-Type": "application/json" } : {}) },
      ...options,
    });
  } catch (error) {
    throw new ApiError(0, "network_error", "网络连接失败，请稍后再试");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    // A proxy's HTML error page: fall through to the generic message.
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || "http_error", (body && body.message) || "请求失败，请稍后再试");
  }
  return body;
}

/** {rasa: {url|null, port, socket_path}, demo_login} */
export const fetchConfig = () => call("/api/config");

/** [{id, name, phone, member_level, order_count}] (names and phones masked) */
export const fetchDemoCustomers = async () => (await call("/api/demo/customers")).customers || [];

/** {token, expires_at, expires_in, customer: {id, name}} */
export const demoLogin = (customerId) =>
  call("/api/demo/login", { method: "POST", body: JSON.stringify({ customer_id: customerId }) });

/** Where Rasa's socket.io server is, as seen from this browser. */
export function rasaBaseUrl(config, location = window.location) {
  const rasa = (config && config.rasa) || {};
  if (rasa.url) return rasa.url;
  const port = Number(rasa.port) || 5005;
  // Unset RASA_URL: the same host this page came from, on Rasa's port.
  return `${location.protocol}//${location.hostname.includes(":") ? `[${location.hostname}]` : location.hostname}:${port}`;
}
