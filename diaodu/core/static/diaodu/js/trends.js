// A project's months (#trend-data, from the snapshots): its light as coloured points on the
// physical progress line, and its investment this year against the plan to date.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  const colours = {green: "#2fb344", yellow: "#f59f00", red: "#d63939"};
  const progress = document.getElementById("trend-progress");
  echarts.init(progress).setOption({
    animation: false, tooltip: {trigger: "axis"}, grid: {left: 40, right: 16, top: 24, bottom: 24},
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", min: 0, max: 100},
    series: [{
      name: progress.dataset.physical, type: "line", connectNulls: true, symbolSize: 10,
      data: data.physical.map((value, i) => ({
        value: value, itemStyle: {color: colours[data.lights[i]] || "#999"}
      }))
    }]
  });
  const investment = document.getElementById("trend-investment");
  echarts.init(investment).setOption({
    animation: false, tooltip: {trigger: "axis"}, grid: {left: 60, right: 16, top: 24, bottom: 24},
    legend: {data: [investment.dataset.invested, investment.dataset.planned], top: 0},
    xAxis: {type: "category", data: data.months}, yAxis: {type: "value"},
    series: [
      {name: investment.dataset.invested, type: "bar", data: data.invested},
      {name: investment.dataset.planned, type: "line", data: data.planned}
    ]
  });
})();
