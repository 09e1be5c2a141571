// 顾客分群: sizes and value per segment, drawn with ECharts from /api/segments.
(function () {
  "use strict";
  var box = document.getElementById("chart-segments");
  if (!box) { return; }
  fetch("/api/segments", { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (d) {
      var names = d.segments.map(function (s) { return s.label; });
      var c = echarts.init(box);
      c.setOption({
        tooltip: { trigger: "axis" }, legend: {},
        xAxis: { type: "category", data: names },
        yAxis: [{ type: "value", name: "顾客数" }, { type: "value", name: "¥" }],
        series: [
          { name: "顾客数", type: "bar", data: d.segments.map(function (s) { return s.customers; }) },
          { name: "人均消费（¥）", type: "line", yAxisIndex: 1,
            data: d.segments.map(function (s) { return Math.round(s.gmv_per_customer_yuan * 100) / 100; }) }
        ]
      });
      window.addEventListener("resize", function () { c.resize(); });
      box.dataset.loaded = "1";
    })
    .catch(function () { box.textContent = "图表加载失败"; });
}());
