// Dashboard behaviour: draw Chart.js charts from JSON data blocks, show the custom-range
// fields only when "Custom" is chosen. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  function settlingSegments(config) {
    var from = config.flux && config.flux.settlingFrom;
    if (from === null || from === undefined) return;
    config.data.datasets.forEach(function (dataset) {
      dataset.segment = {
        borderDash: function (ctx) { return ctx.p1DataIndex >= from ? [6, 4] : undefined; },
      };
    });
  }

  function drawCharts(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      settlingSegments(config);
      config.options = config.options || {};
      config.options.maintainAspectRatio = false;
      config.options.animation = false;
      var existing = Chart.getChart(canvas);
      if (existing) existing.destroy();
      new Chart(canvas, config);
    });
  }

  function toggleCustom(form) {
    var select = form.querySelector("select[name=range]");
    if (!select) return;
    var custom = select.value === "custom";
    form.querySelectorAll(".period-custom").forEach(function (el) {
      el.classList.toggle("d-none", !custom);
      el.querySelectorAll("input").forEach(function (input) { input.disabled = !custom; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    document.querySelectorAll("form.dashboard-period").forEach(function (form) {
      toggleCustom(form);
      form.addEventListener("change", function () { toggleCustom(form); });
    });
  });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
