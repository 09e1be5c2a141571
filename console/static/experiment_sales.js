// 实验 → 每日成交额: what the assistant sold under each variant per day, drawn with ECharts
// from the figures the page carries (data-sales: growth.analyse.sales_per_day).
(function () {
  "use strict";
  var box = document.getElementById("chart-sales");
  if (!box) { return; }
  try {
    var d = JSON.parse(box.dataset.sales);
    var c = echarts.init(box);
    c.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return "¥" + Number(v).toFixed(2); } },
      legend: {}, xAxis: { type: "category", data: d.days }, yAxis: { type: "value", name: "¥" },
      series: d.variants.map(function (v) { return { name: v.variant, type: "line", data: v.gmv_yuan }; })
    });
    window.addEventListener("resize", function () { c.resize(); });
    box.dataset.loaded = "1";
  } catch (e) {
    box.textContent = "图表加载失败";
  }
}());
