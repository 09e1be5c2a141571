// 数据分析: fetch the figures for the chosen period and draw them with ECharts.
(function () {
  "use strict";
  var root = document.getElementById("analytics");
  if (!root) { return; }
  var query = "from=" + encodeURIComponent(root.dataset.from) + "&to=" + encodeURIComponent(root.dataset.to);

  // A CSAT cell: "4.50 / 12 次" (average score, ratings); "—" with no rating.
  function csat(c) { return !c || !c.rated ? "—" : c.average.toFixed(2) + " / " + c.rated + " 次"; }
  function pct(value) { return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%"; }
  function setText(id, text) { document.getElementById(id).textContent = text; }
  function chart(id, option) {
    var c = echarts.init(document.getElementById(id));
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  // A chart with nothing to draw says so in its box, as an empty table does (bare axes, or
  // full-width funnel bars for zeros, read as figures).
  function emptyChart(id, text) {
    document.getElementById(id).dataset.empty = "1";
    return chart(id, { title: { text: "暂无数据", subtext: text, left: "center", top: "middle",
      textStyle: { color: "#6b7480", fontSize: 16, fontWeight: "normal" }, subtextStyle: { color: "#6b7480" } } });
  }
  // Cards shown → clicked → ordered, as bars on one scale with each step's rate beside it.
  // (It was an ECharts funnel, which scales to 0–100 unless told — 6 cards drew as wide as
  // 6,000 — drew three zeros as three full bars, and at zero clicks left labels floating
  // under a triangle.) A step of zero is an empty bar, still labelled.
  function funnel(f) {
    if (!f.cards_shown) { return emptyChart("chart-funnel", "所选期间没有展示推荐卡片"); }
    var steps = [["展示卡片", f.cards_shown, ""], ["点击", f.clicks, "点击率 " + pct(f.click_rate)],
                 ["下单商品", f.ordered_items, f.clicks ? "点击后下单 " + pct(f.order_rate) : "没有点击，无下单率"]];
    return chart("chart-funnel", {
      tooltip: {}, grid: { left: 80, right: 150 },
      xAxis: { type: "value", min: 0, max: f.cards_shown, minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: steps.map(function (s) { return s[0]; }) },
      series: [{ type: "bar", name: "数量", barMaxWidth: 48,
        label: { show: true, position: "right", color: "#222" },
        data: steps.map(function (s) {
          return { value: s[1], label: { formatter: s[1] + (s[2] ? "（" + s[2] + "）" : "") } };
        }) }]
    });
  }

  function fillTable(id, rows) {
    var body = document.querySelector("#" + id + " tbody");
    body.textContent = "";
    if (!rows.length) {
      // An empty table said nothing (loading? broken?): say there is nothing in this period.
      var empty = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = document.querySelectorAll("#" + id + " thead th").length || 1;
      td.className = "muted empty";
      td.textContent = "所选期间没有数据";
      empty.appendChild(td);
      body.appendChild(empty);
      return;
    }
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (cell) { var td = document.createElement("td"); td.textContent = cell; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  fetch("/api/analytics?" + query, { credentials: "same-origin" })
    .then(function (r) {
      if (r.ok) { return r.json(); }
      // The server's own Chinese words when it gave them (e.g. which database is down).
      return r.json().then(function (body) { throw new Error(body.message || r.status); },
                           function () { throw new Error(r.status); });
    })
    .then(function (d) {
      setText("kpi-conversations", String(d.conversations));
      setText("kpi-assistant-resolved", pct(d.assistant_resolution_rate));
      setText("kpi-containment", pct(d.containment_rate));
      setText("kpi-handoff", pct(d.handoff_rate));
      // Asked for a human, then cancelled while waiting: no agent took these (not in 转人工).
      setText("kpi-handoff-cancelled", d.handoff_cancelled + "（" + pct(d.handoff_cancelled_rate) + "）");
      setText("kpi-fallback", pct(d.fallback_rate));
      setText("kpi-oos", pct(d.out_of_scope_rate));
      setText("kpi-clarify", pct(d.clarification_rate));
      var lat = d.latency_ms;
      setText("kpi-latency", lat.p50 === null ? "—" : lat.p50 + " / " + lat.p95 + " ms");
      var days = d.per_day.map(function (r) { return r.day; });
      chart("chart-per-day", {
        tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: days }, yAxis: { type: "value" },
        series: [
          { name: "会话", type: "bar", data: d.per_day.map(function (r) { return r.conversations; }) },
          { name: "转人工", type: "bar", data: d.per_day.map(function (r) { return r.handed_off; }) },
          { name: "取消转人工", type: "bar", data: d.per_day.map(function (r) { return r.handoff_cancelled; }) }
        ]
      });
      chart("chart-intents", {
        tooltip: { trigger: "axis" }, legend: { type: "scroll" }, xAxis: { type: "category", data: days },
        yAxis: { type: "value" },
        series: d.intents.names.map(function (name) {
          return { name: name, type: "bar", stack: "intents", data: d.intents.per_day.map(function (r) { return r[name]; }) };
        })
      });
      var intents = d.by_intent.slice(0, 12);
      if (!intents.length) { emptyChart("chart-by-intent", "所选期间没有顾客打字的消息"); } else chart("chart-by-intent", {
        tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: intents.map(function (r) { return r.intent; }) },
        series: [["兜底", "fallback"], ["超出范围", "out_of_scope"], ["澄清", "clarification"], ["转人工", "handoff"]]
          .map(function (s) {
            return { name: s[0], type: "bar", stack: "failures", data: intents.map(function (r) { return r[s[1]]; }) };
          })
      });
      fillTable("intent-failures", d.by_intent.map(function (r) {
        return [r.intent, r.messages, r.fallback, r.out_of_scope, r.clarification, r.handoff,
                pct(r.fallback_rate), pct(r.out_of_scope_rate), pct(r.handoff_rate)];
      }));
      if (d.funnel) {
        var f = d.funnel;
        funnel(f);
        // No clicks: 点击后下单率 has nothing to divide by — say why rather than a bare dash.
        setText("funnel-text", "订单 " + f.orders + " 笔，成交额 ¥" + f.gmv_yuan.toFixed(2) +
                "；点击率 " + (f.cards_shown ? pct(f.click_rate) : "—（没有展示）") +
                "，点击后下单率 " + (f.clicks ? pct(f.order_rate) : "—（没有点击）"));
        if (!d.after_sales_by_reason.length) { emptyChart("chart-after-sales", "所选期间没有售后申请"); } else chart("chart-after-sales", {
          tooltip: {}, xAxis: { type: "value" },
          yAxis: { type: "category", data: d.after_sales_by_reason.map(function (r) { return r.service_type_label + "·" + r.reason_label; }) },
          series: [{ type: "bar", data: d.after_sales_by_reason.map(function (r) { return r.requests; }) }]
        });
        fillTable("returns", d.return_rate_by_product.map(function (r) {
          return [r.title, r.units_sold, r.units_returned, pct(r.return_rate)];
        }));
        fillTable("desk-resolutions", d.desk.by_resolution.map(function (r) { return [r.label, r.tickets]; }));
        setText("desk-rate", "解决率 " + pct(d.desk.resolution_rate) + "（" + d.desk.closed_with_resolution + " 个有处理结果）");
        var tr = d.desk_transfers;
        setText("desk-transfers", "期间转接 " + tr.transfers + " 次（转给同事 " + tr.to_agent + "，退回排队 " + tr.to_queue +
                "）；每单转接 " + (tr.transfers_per_ticket === null ? "—" : tr.transfers_per_ticket.toFixed(2)) + " 次");
        var w = d.desk_waits;
        function secs(v) { return v === null ? "—" : (v < 90 ? v.toFixed(0) + " 秒" : (v / 60).toFixed(1) + " 分钟"); }
        setText("desk-waits", "接入 " + w.taken + " 个，等待中位 " + secs(w.wait_p50_s) + "，90% 在 " + secs(w.wait_p90_s) +
                " 内，最长 " + secs(w.wait_max_s) + "；顾客取消 " + w.cancelled + " 个（取消前等待中位 " +
                secs(w.cancelled_wait_p50_s) + "）");
        var agentRows = d.desk_agents.map(function (r) {
          return [r.name, r.claimed, secs(r.claim_wait_p50_s), r.closed, r.resolved, pct(r.resolution_rate), r.replies, r.tickets_replied, r.transferred,
                  r.received, r.reassigned_away, csat(r.csat)];
        });
        // The assistant's own CSAT last (nothing in the period: the table says so instead).
        if (agentRows.length || (d.csat_assistant && d.csat_assistant.rated)) {
          agentRows.push(["小柚（智能助手）", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", csat(d.csat_assistant)]);
        }
        fillTable("desk-agents", agentRows);
        var strategies = d.sales_by_strategy || [];
        if (!strategies.length) { emptyChart("chart-sales-strategy", "所选期间没有实验方案展示的卡片"); } else chart("chart-sales-strategy", {
          tooltip: {}, xAxis: { type: "category", data: strategies.map(function (r) { return r.experiment + "·" + r.strategy; }) },
          yAxis: { type: "value", name: "成交额（元）" },
          series: [{ type: "bar", name: "成交额", data: strategies.map(function (r) { return r.gmv_yuan; }) }]
        });
        fillTable("sales-by-strategy", strategies.map(function (r) {
          return [r.experiment, r.strategy, r.displays, r.clicks, r.ordered_items, r.orders, "¥" + r.gmv_yuan.toFixed(2)];
        }));
        fillTable("sales-by-variant", d.sales_by_variant.map(function (r) {
          return [r.experiment, r.variant, r.strategy || "—", r.displays, pct(r.click_rate), r.orders,
                  "¥" + r.gmv_yuan.toFixed(2)];
        }));
        fillTable("desk-transfers-per-ticket", tr.by_count.map(function (r) { return [r.transfers + " 次", r.tickets]; }));
      }
      fillTable("not-understood", d.not_understood.map(function (r) { return [r.text, r.count]; }));
      fillTable("unresolved", d.unresolved.map(function (r) {
        return [r.conversation_id, r.day, r.turns, r.fallback_turns, r.out_of_scope_turns, r.handed_off ? "是" : "否"];
      }));
      setText("unresolved-total", "共 " + d.unresolved_conversations + " 个" +
              (d.unresolved_conversations > d.unresolved.length ? "，显示最近 " + d.unresolved.length + " 个" : ""));
      var table = document.getElementById("unresolved");
      if (table.dataset.links && d.unresolved.length) {      // admins read the whole conversation
        Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr, i) {
          var cell = tr.firstChild, link = document.createElement("a");
          link.href = "/analytics/conversations/" + encodeURIComponent(d.unresolved[i].conversation_id);
          link.textContent = cell.textContent;
          cell.textContent = "";
          cell.appendChild(link);
        });
      }
      var consumer = document.getElementById("consumer-problem");    // admins only (scale-out)
      if (consumer) {
        consumer.textContent = d.consumer_problem || "";
        consumer.hidden = !d.consumer_problem;
      }
      if (d.rejected_events && document.getElementById("rejected-events")) {   // admins only
        var rejected = d.rejected_events;
        setText("rejected-total", "共 " + rejected.count + " 条" +
                (rejected.count > rejected.latest.length ? "，显示最近 " + rejected.latest.length + " 条" : ""));
        fillTable("rejected-events", rejected.latest.map(function (r) { return [r.at, r.error, r.body]; }));
      }
      chart("chart-latency", {
        tooltip: {}, xAxis: { type: "category", data: ["p50", "p90", "p95", "p99"] }, yAxis: { type: "value", name: "毫秒" },
        series: [{ type: "bar", data: [lat.p50, lat.p90, lat.p95, lat.p99] }]
      });
      root.dataset.loaded = "1";
    })
    .catch(function (e) {
      // Say so on the page: "…" in every box looked like figures still on their way.
      root.dataset.error = String(e);
      var box = document.getElementById("analytics-error");
      var said = String(e.message || e);
      if (box) {
        box.textContent = /^[0-9]+$/.test(said) ? "数据加载失败（" + said + "），请稍后刷新重试。" : said;
        box.hidden = false;
      }
    });
})();
