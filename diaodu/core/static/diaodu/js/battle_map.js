// The battle map (#battle-map-data, from diaodu.monitoring.battle_map): one row a project, the
// planned period in grey, the actual one in blue, a dashed stretch from today to the forecast
// finish (orange when late), its milestones as dots coloured by state, today's line, and a time
// axis one zooms with the slider above it (or the wheel with Shift). A header row begins each
// group. The chart grows with its rows; it is drawn only while it is shown (576 px wide and
// more): below, the page's list stands in for it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("battle-map-data").textContent);
  const element = document.getElementById("battle-map");
  const labels = element.dataset;
  const ROW = 28, TOP = 64, BOTTOM = 16;
  const colours = {
    planned: "#c8d3e1", actual: "#206bc4", forecast: "#2fb344", late: "#f76707", today: "#d63939",
    done: "#2fb344", done_late: "#74b816", pending: "#8a94a6", overdue: "#d63939"
  };
  const day = text => new Date(text + "T00:00:00").getTime();
  const plain = text => String(text).replace(/[{}|]/g, " ");
  const escape = text => String(text).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);

  // The vertical axis: a header before each group's rows, then its projects.
  const categories = [];
  const position = [];
  let group = null, groupIndex = -1;
  data.rows.forEach(row => {
    if (row.group !== null && row.group !== group) {
      group = row.group;
      groupIndex += 1;
      categories.push({label: "{h|" + plain(group) + " · " + data.groups[groupIndex].count + "}", header: true});
    }
    position.push(categories.length);
    categories.push({label: "{" + row.light + "|●} " + plain(row.name), row: row});
  });

  function bars(kind) {
    const items = [];
    data.rows.forEach((row, i) => {
      let span = null;
      if (kind === "forecast" && row.forecast) span = [row.forecast.start, row.forecast.finish];
      else if (kind !== "forecast") span = row[kind];
      if (span) {
        items.push({value: [position[i], day(span[0]), day(span[1])], row: i, late: kind === "forecast" && row.forecast.late});
      }
    });
    return items;
  }

  // Where each bar sits in its row (a fraction of the row's height from its middle) and how thick.
  const layout = {planned: [-0.34, 0.26], actual: [-0.02, 0.2], forecast: [-0.02, 0.2]};

  const spans = {planned: bars("planned"), actual: bars("actual"), forecast: bars("forecast")};

  function series(kind, name) {
    return {
      type: "custom", name: name, data: spans[kind], encode: {x: [1, 2], y: 0},
      itemStyle: {color: colours[kind]},  // the legend's
      renderItem: function (params, api) {
        const start = api.coord([api.value(1), api.value(0)]);
        const end = api.coord([api.value(2), api.value(0)]);
        const band = api.size([0, 1])[1];
        const shape = echarts.graphic.clipRectByRect({
          x: start[0], y: start[1] + layout[kind][0] * band,
          width: Math.max(end[0] - start[0], 2), height: layout[kind][1] * band
        }, params.coordSys);
        if (!shape) return null;
        const late = spans[kind][params.dataIndex].late;
        const colour = kind === "forecast" ? (late ? colours.late : colours.forecast) : colours[kind];
        const style = kind === "forecast"
          ? {fill: null, stroke: colour, lineWidth: 1.5, lineDash: [4, 3]}
          : {fill: colour};
        return {type: "rect", shape: shape, style: style};
      }
    };
  }

  const milestones = [];
  data.rows.forEach((row, i) => row.milestones.forEach(m => milestones.push({
    value: [day(m.date), position[i]], row: i, milestone: m, itemStyle: {color: colours[m.state]}
  })));

  function tooltip(params) {
    const item = params.data;
    if (!item || item.row === undefined) return "";
    const row = data.rows[item.row];
    const lines = ["<b>" + escape(row.name) + "</b> · " + escape(row.light_label)];
    if (item.milestone) {
      lines.push(escape(item.milestone.name) + " " + item.milestone.date + " · " + escape(item.milestone.state_label));
    } else {
      if (row.planned) lines.push(escape(labels.planned) + " " + row.planned[0] + " – " + row.planned[1]);
      if (row.actual) lines.push(escape(labels.actual) + " " + row.actual[0] + " – " + row.actual[1]);
      if (row.forecast) {
        lines.push(escape(labels.forecast) + " " + row.forecast.finish + (row.forecast.late ? " (" + escape(labels.late) + ")" : "")
          + (row.forecast.spi !== null ? " · SPI " + row.forecast.spi : "") + "<br>" + escape(row.forecast.method));
      }
    }
    return lines.join("<br>");
  }

  function option() {
    const bold = {fontWeight: "bold", color: "#1e293b"};
    return {
      animation: false,
      tooltip: {trigger: "item", confine: true, formatter: tooltip},
      legend: {top: 0, left: 0, data: [labels.planned, labels.actual, labels.forecast, labels.milestones]},
      grid: {left: 230, right: 24, top: TOP, bottom: BOTTOM},
      dataZoom: [
        {type: "slider", xAxisIndex: 0, top: 26, height: 16, filterMode: "weakFilter", labelFormatter: ""},
        {type: "inside", xAxisIndex: 0, filterMode: "weakFilter", zoomOnMouseWheel: "shift", moveOnMouseWheel: false}
      ],
      xAxis: {
        type: "time", position: "top", min: day(data.axis.min), max: day(data.axis.max),
        axisLabel: {hideOverlap: true}, splitLine: {show: true, lineStyle: {type: "dashed", color: "#e6e9ef"}}
      },
      yAxis: {
        type: "category", inverse: true, triggerEvent: true,
        data: categories.map(c => c.label),
        axisTick: {show: false},
        axisLabel: {
          width: 220, overflow: "truncate", align: "right",
          rich: {h: bold, green: {color: colours.done}, yellow: {color: "#f59f00"}, red: {color: colours.overdue}}
        },
        splitLine: {show: true, lineStyle: {color: "#f1f3f6"}}
      },
      series: [
        Object.assign(series("planned", labels.planned), {
          markLine: {
            symbol: "none", silent: true, animation: false,
            lineStyle: {color: colours.today, type: "solid", width: 1.5},
            label: {formatter: labels.today + " " + data.axis.today, position: "end"},
            data: [{xAxis: day(data.axis.today)}]
          }
        }),
        series("actual", labels.actual),
        series("forecast", labels.forecast),
        {type: "scatter", name: labels.milestones, data: milestones, symbolSize: 9, z: 5,
         itemStyle: {color: colours.pending, borderColor: "#fff", borderWidth: 1}}
      ]
    };
  }

  let chart = null;
  const wide = window.matchMedia("(min-width: 576px)");
  function draw() {
    if (!wide.matches) return;
    if (chart) { chart.resize(); return; }
    element.style.height = (TOP + categories.length * ROW + BOTTOM) + "px";
    const lang = (document.documentElement && document.documentElement.lang) || "";
    chart = echarts.init(element, null, {locale: lang.startsWith("zh") ? "ZH" : "EN"});
    chart.setOption(option());
    chart.on("click", params => {
      const index = params.componentType === "yAxis" ? categories.findIndex(c => c.label === params.value) : -1;
      const row = index >= 0 ? categories[index].row : (params.data && data.rows[params.data.row]);
      if (row) window.location.href = row.url;
    });
  }
  wide.addEventListener("change", draw);
  window.addEventListener("resize", () => { if (chart && wide.matches) chart.resize(); });
  draw();
})();
