// Conveniences only: every form works without this file.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });

    // Tally sheet: fill every row with for = present, against = 0 (only empty cells,
    // so numbers already typed are kept).
    var fill = document.querySelector("[data-fill-all]");
    if (fill) {
      fill.addEventListener("click", function () {
        var present = document.querySelector("input[name=present]");
        var value = present ? present.value.trim() : "";
        if (!/^\d+$/.test(value)) {
          if (present) { present.focus(); present.reportValidity && present.reportValidity(); }
          return;
        }
        document.querySelectorAll(".tally-row input[name^=for_]").forEach(function (input) {
          if (!input.value.trim()) input.value = value;
        });
        document.querySelectorAll(".tally-row input[name^=against_]").forEach(function (input) {
          if (!input.value.trim()) input.value = "0";
        });
      });
    }

    // Tally sheet: filter rows by name or code to find one household among hundreds.
    var search = document.querySelector("[data-tally-search]");
    if (search) {
      search.addEventListener("input", function () {
        var needle = search.value.trim().toLowerCase();
        document.querySelectorAll(".tally-row[data-name]").forEach(function (row) {
          row.classList.toggle("hidden", needle !== "" && row.dataset.name.indexOf(needle) === -1);
        });
      });
    }

    // Registration: "select all not yet registered" also ticks the visible boxes.
    document.querySelectorAll("[data-select-all]").forEach(function (master) {
      master.addEventListener("change", function () {
        document.querySelectorAll(master.dataset.selectAll).forEach(function (box) { box.checked = master.checked; });
      });
    });
  });
})();
