// Building DOM safely. Every piece of text from the server or the shopper goes in through
// textContent (a Text node), never innerHTML, so "<img src=x onerror=alert(1)>" is shown as
// those characters and never parsed as markup. URLs from data pass safeImageUrl first.

/**
 * h("div", {class: "x", onclick: fn, "aria-label": "..."}, child, "text", [more])
 * Strings and numbers become Text nodes; null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = String(value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "src" || name === "href") throw new Error("use safeImageUrl and set src explicitly");
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Site-relative paths, http(s) and inline raster/SVG images; anything else is refused. */
export function safeImageUrl(value) {
  if (typeof value !== "string" || !value.trim()) return null;
  const text = value.trim();
  if (/^data:image\/(png|jpe?g|gif|webp);base64,[a-z0-9+/=]+$/i.test(text)) return text;
  try {
    const url = new URL(text, window.location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (error) {
    return null;
  }
}

/** An <img> for a data-supplied URL, with a placeholder when the URL is bad or fails. */
export function image(src, { alt = "", className = "", placeholder = null } = {}) {
  const el = h("img", { class: className, alt, loading: "lazy", decoding: "async" });
  const safe = safeImageUrl(src);
  const fallback = () => {
    if (placeholder && el.getAttribute("src") !== placeholder) el.setAttribute("src", placeholder);
  };
  el.addEventListener("error", fallback);
  if (safe) el.setAttribute("src", safe);
  else fallback();
  return el;
}
