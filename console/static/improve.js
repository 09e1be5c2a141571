// 改进理解: the improvement loop's groups; an admin picks an intent per group and the
// group's messages are appended to data/nlu/<intent>.yml (then: make train).
(function () {
  "use strict";
  var box = document.getElementById("improve-groups");
  if (!box) { return; }
  var status = document.getElementById("improve-status");
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function label(group, select, button, result) {
    var texts = group.messages.map(function (m) { return m.text; });
    button.disabled = true;
    fetch("/api/improve/label", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ intent: select.value, texts: texts })
    }).then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
      .then(function (pair) {
        var ok = pair[0], d = pair[1];
        if (!ok) { result.textContent = d.message || "失败"; result.className = "error"; button.disabled = false; return; }
        var added = 0;
        Object.keys(d.added).forEach(function (k) { added += d.added[k].examples.length; });
        result.textContent = "已添加 " + added + " 条" + (d.duplicates.length ? "，" + d.duplicates.length + " 条已存在" : "") +
          (d.rejected.length ? "，" + d.rejected.length + " 条不可用" : "") + "。" + d.note;
        result.className = "notice";
      })
      .catch(function () { result.textContent = "请求失败"; result.className = "error"; button.disabled = false; });
  }

  fetch("/api/improve/groups", { credentials: "same-origin" })
    .then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
    .then(function (pair) {
      var ok = pair[0], d = pair[1];
      if (!ok) { status.textContent = d.message || "无法读取"; return; }
      status.textContent = d.groups.length ? "共 " + d.messages_listed + " 条消息，" + d.groups.length + " 组。" : "没有未能理解的消息。";
      d.groups.forEach(function (g) {
        var div = el("div", undefined, "improve-group");
        div.dataset.group = g.group;
        div.appendChild(el("h3", "第 " + g.group + " 组（" + g.count + " 次，" + g.conversations + " 个会话）" +
          (g.suggested ? " · 建议：" + g.suggested : "")));
        var ul = el("ul");
        g.messages.forEach(function (m) {
          ul.appendChild(el("li", m.text + " ×" + m.count + (m.in_training_data ? "（已是 " + m.in_training_data + " 的例句）" : "")));
        });
        div.appendChild(ul);
        if (d.can_label) {
          var select = el("select");
          d.intents.forEach(function (name) {
            var o = el("option", name); o.value = name;
            if (name === g.suggested) { o.selected = true; }
            select.appendChild(o);
          });
          var button = el("button", "标注为此意图"), result = el("span");
          button.type = "button";
          button.addEventListener("click", function () { label(g, select, button, result); });
          div.appendChild(select); div.appendChild(button); div.appendChild(result);
        }
        box.appendChild(div);
      });
    })
    .catch(function () { status.textContent = "无法读取"; });
}());
