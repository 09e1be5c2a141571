// 满意度: the CSAT per shop day, the assistant against the human desk, from /api/satisfaction.
(function () {
  "use strict";
  var box = document.getElementById("chart-csat-per-day");
  var page = document.getElementById("satisfaction");
  if (!box || !page) { return; }
  var query = "?from=" + encodeURIComponent(page.dataset.from) + "&to=" + encodeURIComponent(page.dataset.to);
  function pct(t) { return t && t.csat !== null ? Math.round(t.csat * 1000) / 10 : null; }
  fetch("/api/satisfaction" + query, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (d) {
      var days = d.by_day.map(function (r) { return r.day; });
      var c = echarts.init(box);
      c.setOption({
        tooltip: { trigger: "axis" }, legend: {},
        xAxis: { type: "category", data: days },
        yAxis: [{ type: "value", name: "满意率 %", min: 0, max: 100 }, { type: "value", name: "评价数" }],
        series: [
          { name: "小柚 满意率", type: "line", connectNulls: true, data: d.by_day.map(function (r) { return pct(r.assistant); }) },
          { name: "人工 满意率", type: "line", connectNulls: true, data: d.by_day.map(function (r) { return pct(r.desk); }) },
          { name: "小柚 评价数", type: "bar", yAxisIndex: 1, data: d.by_day.map(function (r) { return r.assistant.rated; }) },
          { name: "人工 评价数", type: "bar", yAxisIndex: 1, data: d.by_day.map(function (r) { return r.desk.rated; }) }
        ]
      });
      window.addEventListener("resize", function () { c.resize(); });
      box.dataset.loaded = "1";
    })
    .catch(function () { box.textContent = "图表加载失败"; });
}());
