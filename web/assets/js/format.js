// Display formats. Times from the shop (logistics events, order dates) are shown in China
// time whatever the browser's zone; chat timestamps are the shopper's own clock.

const CHINA = "Asia/Shanghai";

const priceFormat = new Intl.NumberFormat("zh-CN", {
  style: "currency",
  currency: "CNY",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** "¥3,999.00": the server's price_text when it sent one, else formatted here. */
export function priceText(priceText, price) {
  if (typeof priceText === "string" && priceText.trim()) return priceText.trim();
  const value = Number(price);
  return Number.isFinite(value) ? priceFormat.format(value).replace(/^CN¥/, "¥") : "";
}

function parts(date, options) {
  const out = {};
  for (const part of new Intl.DateTimeFormat("zh-CN", { hourCycle: "h23", ...options }).formatToParts(date)) {
    out[part.type] = part.value;
  }
  return out;
}

function parseDate(value) {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Logistics event time: "11-22 10:00" (China time); unparsable input is shown as given. */
export function eventTime(value) {
  const date = parseDate(value);
  if (!date) return typeof value === "string" ? value : "";
  const p = parts(date, { timeZone: CHINA, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Order date: "2026-11-20" (China time). */
export function orderDate(value) {
  const date = parseDate(value);
  if (!date) return typeof value === "string" ? value : "";
  const p = parts(date, { timeZone: CHINA, year: "numeric", month: "2-digit", day: "2-digit" });
  return `${p.year}-${p.month}-${p.day}`;
}

function clock(date) {
  const p = parts(date, { hour: "2-digit", minute: "2-digit" });
  return `${p.hour}:${p.minute}`;
}

function dayStart(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** Chat divider like WeChat: "14:05", "昨天 14:05", "11月20日 14:05", "2025年11月20日 14:05". */
export function chatTime(ms, now = Date.now()) {
  const date = new Date(ms);
  const current = new Date(now);
  const day = dayStart(date);
  if (day === dayStart(current)) return clock(date);
  // Built from the calendar, not "minus 24 hours", so daylight-saving days come out right.
  const yesterday = new Date(current.getFullYear(), current.getMonth(), current.getDate() - 1);
  if (day === dayStart(yesterday)) return `昨天 ${clock(date)}`;
  const sameYear = date.getFullYear() === current.getFullYear();
  const prefix = `${sameYear ? "" : `${date.getFullYear()}年`}${date.getMonth() + 1}月${date.getDate()}日`;
  return `${prefix} ${clock(date)}`;
}

/** Full local time for tooltips: "2026-11-22 14:05:09". */
export function fullTime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}:${pad(d.getSeconds())}`;
}
