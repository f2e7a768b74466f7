// Draws each <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">.
// The data sits in the page, so the charts need no extra request and no inline script.
(function () {
  "use strict";
  const styles = getComputedStyle(document.documentElement);
  const accent = styles.getPropertyValue("--accent").trim() || "#4338ca";
  const muted = styles.getPropertyValue("--muted").trim() || "#4f566b";
  const palette = [accent, "#0f766e", "#b45309", "#be185d", "#1d4ed8", "#4d7c0f"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    const spec = JSON.parse(source.textContent);
    const datasets = spec.datasets.map((set, i) => ({
      borderColor: palette[i % palette.length],
      backgroundColor: spec.type === "bar" ? palette[i % palette.length] : palette[i % palette.length] + "22",
      fill: spec.type === "line" && i === 0,
      tension: 0.25,
      pointRadius: spec.labels.length > 60 ? 0 : 3,
      yAxisID: set.axis || "y",
      ...set,
    }));
    const scales = {
      x: { ticks: { color: muted, maxTicksLimit: 8, autoSkip: true } },
      y: { beginAtZero: true, ticks: { color: muted, precision: 0 } },
    };
    if (datasets.some((set) => set.yAxisID === "y2")) {
      scales.y2 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { color: muted } };
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, labels: { color: muted } } },
        scales,
      },
    });
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
