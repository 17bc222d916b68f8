/* The charts page: each [data-chart-url] element is drawn with ECharts from the JSON spec
 * its URL returns (sla/charts.py): categories, series of counts or rates (fractions), a
 * target line, and per point the link to the calls or orders behind it. Every word shown
 * comes from the server in the reader's language; the tooltip uses classes, not inline
 * styles (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("charts");
  if (!root || !window.echarts) { return; }
  var locale = root.dataset.locale || "ZH";
  var COLORS = ["#0b5cab", "#067647", "#b54708", "#7a5af8", "#c11574", "#0e9384",
                "#b42318", "#475467", "#dc6803", "#2e90fa"];

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }

  function formatter(axis) {
    if (axis === "percent") {
      return function (v) { return v == null ? "—" : (v * 100).toFixed(1) + "%"; };
    }
    return function (v) { return v == null ? "—" : String(v); };
  }

  function valueAxes(spec) {
    var axes = [];
    var kinds = [];
    ["count", "percent"].forEach(function (kind) {
      if (!spec.series.some(function (s) { return s.axis === kind; })) { return; }
      // A horizontal chart's value axis needs no name (its labels say count or %).
      var axis = {type: "value", name: spec.horizontal ? "" : spec.axes[kind], nameGap: 12,
                  splitLine: {show: axes.length === 0}};
      if (kind === "percent") {
        axis.min = 0;
        axis.max = 1;
        axis.axisLabel = {formatter: function (v) { return Math.round(v * 100) + "%"; }};
      } else {
        axis.minInterval = 1;
      }
      if (axes.length === 1 && !spec.horizontal) { axis.position = "right"; }
      axes.push(axis);
      kinds.push(kind);
    });
    return {axes: axes, kinds: kinds};
  }

  function tooltip(spec) {
    return function (params) {
      var items = Array.isArray(params) ? params : [params];
      if (!items.length) { return ""; }
      var html = '<div class="tt-title">' + esc(items[0].name) + "</div>";
      items.forEach(function (p) {
        var s = spec.series[p.seriesIndex];
        html += '<div><span class="tt-dot tt-c' + (p.seriesIndex % COLORS.length) + '"></span>' +
          esc(s.name) + ": <b>" + esc(formatter(s.axis)(p.value)) + "</b></div>";
      });
      return html;
    };
  }

  function option(spec) {
    var value = valueAxes(spec);
    // Names (categories, departments) are all shown, slanted when many; times and dates
    // thin themselves out.
    var named = spec.categories.some(function (c) { return !/^[0-9:-]+$/.test(c); });
    var category = {type: "category", data: spec.categories,
                    axisLabel: named ? {interval: 0, rotate: !spec.horizontal &&
                                        spec.categories.length > 5 ? 30 : 0,
                                        width: spec.horizontal ? 180 : 110,
                                        overflow: spec.horizontal ? "break" : "truncate"}
                                     : {hideOverlap: true}};
    var series = spec.series.map(function (s) {
      var item = {name: s.name, type: s.type, data: s.data, cursor: "pointer",
                  symbolSize: 7, connectNulls: false, emphasis: {focus: "series"}};
      var index = Math.max(0, value.kinds.indexOf(s.axis));
      item[spec.horizontal ? "xAxisIndex" : "yAxisIndex"] = index;
      if (s.stack) { item.stack = s.stack; }
      if (s.target != null) {
        var line = spec.horizontal ? {xAxis: s.target} : {yAxis: s.target};
        item.markLine = {symbol: "none", silent: true, data: [line],
                         lineStyle: {type: "dashed", color: "#b42318"},
                         label: {formatter: s.target_label, position: "insideEndTop"}};
      }
      return item;
    });
    var result = {
      color: COLORS,
      aria: {enabled: true},
      legend: {top: 0, left: 0, type: "scroll"},
      grid: {left: 8, right: 24, top: 48, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis", confine: true, formatter: tooltip(spec),
                axisPointer: {type: spec.horizontal ? "shadow" : "line"}},
      xAxis: spec.horizontal ? value.axes : category,
      yAxis: spec.horizontal ? category : value.axes,
      series: series
    };
    if (spec.empty) {
      result.graphic = {type: "text", left: "center", top: "middle",
                        style: {text: spec.empty, fill: "#6b7785", fontSize: 14}};
    }
    return result;
  }

  function linkAt(spec, seriesIndex, dataIndex) {
    var s = spec.series[seriesIndex];
    return s && s.links ? s.links[dataIndex] : null;
  }

  function draw(el, spec) {
    var chart = echarts.init(el, null, {locale: locale});
    chart.setOption(option(spec));
    chart.on("click", function (p) {
      if (p.componentType !== "series") { return; }
      var link = linkAt(spec, p.seriesIndex, p.dataIndex);
      if (link) { window.location.assign(link); }
    });
    // A click in a column's empty space opens the first figure of that column.
    chart.getZr().on("click", function (e) {
      if (e.target) { return; }
      var point = [e.offsetX, e.offsetY];
      if (!spec.categories.length || !chart.containPixel("grid", point)) { return; }
      var at = chart.convertFromPixel({seriesIndex: 0}, point);
      var index = Math.round(spec.horizontal ? at[1] : at[0]);
      for (var i = 0; i < spec.series.length; i += 1) {
        var link = linkAt(spec, i, index);
        if (link) { window.location.assign(link); return; }
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.state = "drawn";
  }

  Array.prototype.forEach.call(root.querySelectorAll("[data-chart-url]"), function (el) {
    el.textContent = root.dataset.loading || "";
    fetch(el.dataset.chartUrl, {credentials: "same-origin",
                                headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (spec) {
        var title = el.parentNode.querySelector(".chart-title");
        if (title) { title.textContent = spec.title; }
        el.setAttribute("aria-label", spec.title);
        el.textContent = "";
        draw(el, spec);
      })
      .catch(function () {
        el.textContent = root.dataset.error || "";
        el.classList.add("chart-empty");
        el.dataset.state = "failed";
      });
  });
}());
