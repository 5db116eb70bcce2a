// The dashboard's charts (Chart.js, served locally). Each chart repeats the table beside it, which stays
// the accessible source of the same figures; without JavaScript the tables alone are shown.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var bar = { color: "#1d4ed8" };
  function draw(id, type, labels, values) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: [{ data: values, backgroundColor: bar.color, borderColor: bar.color }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: type === "bar" ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: type === "bar" ? { x: { min: 0, max: 100 } } : { y: { min: 0, max: 100 } }
      }
    });
  }
  draw("rate-chart", "bar", data.labels, data.rates);
  draw("years-chart", "line", data.years, data.year_rates);
})();
