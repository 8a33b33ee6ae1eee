/* 武隆督办 charts: every element with data-chart="<id>" is drawn by Apache ECharts (served
 * by the app, web/vendor/echarts) from the JSON block <script id="<id>" type=
 * "application/json"> (Django's json_script; a data block, not executed), or with
 * data-chart-url="<url>" data-chart-key="<key>" from that key of the JSON the URL answers
 * (fetched once per URL, so the page itself stays a few queries). SVG renderer: sharp on
 * screen and in print; charts follow the window and the print layout. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "svg", locale: "ZH" });
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    el.setAttribute("data-drawn", "true");
    var fallback = el.getAttribute("data-fallback");
    if (fallback) {
      var hidden = document.getElementById(fallback);
      if (hidden) { hidden.hidden = true; }
    }
  }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (source) { draw(el, JSON.parse(source.textContent)); }
  });
  var requests = {};
  document.querySelectorAll("[data-chart-url]").forEach(function (el) {
    var url = el.getAttribute("data-chart-url");
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); });
    }
    requests[url].then(function (options) {
      var option = options[el.getAttribute("data-chart-key")];
      if (option) { draw(el, option); }
    });
  });
  function resize() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
