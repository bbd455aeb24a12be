// The dashboard's two charts, drawn with ECharts from the figures the page carries as JSON
// (#chart-data); the series' names come from the chart element's data attributes.
(function () {
  "use strict";
  const data = JSON.parse(JSON.parse(document.getElementById("chart-data").textContent));
  const colours = {green: "#2fb344", yellow: "#f59f00", red: "#d63939"};
  const element = document.getElementById("chart-curve");
  const plan = element.dataset.plan;
  const actual = element.dataset.actual;
  const curve = echarts.init(element);
  curve.setOption({
    animation: false, tooltip: {trigger: "axis"}, legend: {data: [plan, actual]},
    xAxis: {type: "category", data: data.curve.map(r => r.month + "")},
    yAxis: {type: "value"},
    series: [
      {name: plan, type: "line", data: data.curve.map(r => Number(r.plan))},
      {name: actual, type: "line", data: data.curve.map(r => r.actual === null ? null : Number(r.actual))}
    ]
  });
  const lights = echarts.init(document.getElementById("chart-lights"));
  lights.setOption({animation: false, series: [{type: "pie", radius: ["40%", "70%"],
    data: data.lights.map(l => ({name: l[1], value: l[2], itemStyle: {color: colours[l[0]]}}))}]});
})();
