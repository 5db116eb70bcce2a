// Conveniences only: every form works without this file.
(function () {
  "use strict";

  // Lower case without diacritics: NFD, combining marks dropped, đ/Đ as d.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

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

    // Tally sheet and appraisal list: filter rows by name or code to find one household
    // among hundreds; "nguyen" finds "Nguyễn" (same folding as directory/search.py).
    document.querySelectorAll("[data-row-filter]").forEach(function (search) {
      var rows = document.querySelectorAll(search.dataset.rowFilter);
      rows.forEach(function (row) { row.dataset.folded = fold(row.dataset.name || ""); });
      search.addEventListener("input", function () {
        var needle = fold(search.value.trim());
        rows.forEach(function (row) {
          row.classList.toggle("hidden", needle !== "" && row.dataset.folded.indexOf(needle) === -1);
        });
      });
    });

    // Dossier history: a step's households are fetched when it is unfolded (the link
    // inside opens the same list as a page without this file).
    document.querySelectorAll("details[data-load]").forEach(function (box) {
      box.addEventListener("toggle", function () {
        if (!box.open || box.dataset.loaded) return;
        box.dataset.loaded = "1";
        fetch(box.dataset.load, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
          .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
          .then(function (html) {
            var holder = document.createElement("div");
            holder.innerHTML = html;
            box.appendChild(holder);
            var fallback = box.querySelector(":scope > p");
            if (fallback) fallback.hidden = true;
          })
          .catch(function () { delete box.dataset.loaded; });
      });
    });

    // Registration: "select all shown" ticks the visible boxes. It is never sent:
    // the server registers exactly the ticked boxes, so unticking one after
    // "select all" leaves it out, and the master box shows the mixed state.
    document.querySelectorAll("[data-select-all]").forEach(function (master) {
      var boxes = function () { return document.querySelectorAll(master.dataset.selectAll); };
      var sync = function () {
        var all = boxes(), ticked = 0;
        all.forEach(function (box) { if (box.checked) ticked += 1; });
        master.checked = all.length > 0 && ticked === all.length;
        master.indeterminate = ticked > 0 && ticked < all.length;
      };
      master.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = master.checked; });
        master.indeterminate = false;
      });
      boxes().forEach(function (box) { box.addEventListener("change", sync); });
      sync();
    });

    // A second tap on a submit button while the first is still on its way is
    // ignored (the server also refuses a replayed form: its one-time token).
    // The guard lifts when the page is shown again (back button, bfcache).
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); return; }
        form.dataset.sending = "1";
      });
    });
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-sending]").forEach(function (form) { delete form.dataset.sending; });
    });
  });
})();
