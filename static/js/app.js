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
        // A number on the tally sheet is a row number: go to that row, hide none.
        if ("rowJump" in search.dataset && /^\d+$/.test(needle)) {
          rows.forEach(function (row) { row.classList.remove("hidden"); });
          var target = rows[parseInt(needle, 10) - 1];
          if (target) {
            document.querySelectorAll(".jumped").forEach(function (el) { el.classList.remove("jumped"); });
            target.classList.add("jumped");
            target.scrollIntoView({ block: "center" });
          }
          return;
        }
        rows.forEach(function (row) {
          row.classList.toggle("hidden", needle !== "" && row.dataset.folded.indexOf(needle) === -1);
        });
      });
      search.addEventListener("keydown", function (event) {
        // Enter in the jump box puts the cursor in the row found, not a form submission.
        if (event.key !== "Enter") return;
        event.preventDefault();
        var first = document.querySelector(".tally-row.jumped input, " + search.dataset.rowFilter + ":not(.hidden) input");
        if (first) first.focus();
      });
    });

    // Tally sheet: a large sheet lists the exclusion grounds once, numbered, and each
    // row offers their numbers (what works without script); here every row's list gets
    // the names, with the codes as values, keeping the choice the server rendered.
    var legend = document.querySelector("[data-grounds-legend]");
    if (legend) {
      var items = Array.prototype.slice.call(legend.querySelectorAll("li[data-code]"));
      document.querySelectorAll(".tally-row select[name^=excl_]").forEach(function (select) {
        var index = select.selectedIndex;
        var chosen = index > 0 && index <= items.length ? items[index - 1].dataset.code : select.value;
        var options = [new Option("–", "")].concat(items.map(function (item) {
          return new Option(item.textContent, item.dataset.code);
        }));
        if (chosen && !items.some(function (item) { return item.dataset.code === chosen; })) {
          options.push(new Option(chosen, chosen));
        }
        select.replaceChildren.apply(select, options);
        select.value = chosen;
      });
      legend.hidden = true;
    }

    // Tally sheet: the running count, read with the rule set's threshold (as the service will).
    var counter = document.querySelector("[data-tally-count]");
    var rulesData = document.getElementById("tally-rules");
    var tally = document.querySelector("form[data-tally]");
    if (counter && rulesData && tally) {
      var rules = JSON.parse(rulesData.textContent);
      var isCount = function (value) { return /^\d+$/.test(value.trim()); };
      var recount = function () {
        var presentInput = tally.querySelector("input[name=present]");
        var present = presentInput && isCount(presentInput.value) ? parseInt(presentInput.value, 10) : null;
        var entered = 0, proposed = 0;
        tally.querySelectorAll(".tally-row[id]").forEach(function (row) {
          var inputs = row.querySelectorAll("input");
          var excl = row.querySelector("select");
          var excluded = excl && excl.value !== "";
          if (!isCount(inputs[0].value) || !isCount(inputs[1].value)) return;
          entered += 1;
          var yes = parseInt(inputs[0].value, 10), no = parseInt(inputs[1].value, 10);
          if (excluded || present === null) return;
          if (rules.approval_pct === null ? yes > no : yes * 100 >= parseFloat(rules.approval_pct) * present) proposed += 1;
        });
        var text = present === null ? counter.dataset.textNoPresent : counter.dataset.text;
        counter.textContent = text.replace("{entered}", entered).replace("{total}", rules.total)
          .replace("{proposed}", proposed);
      };
      tally.addEventListener("input", recount);
      tally.addEventListener("change", recount);
      if (fill) fill.addEventListener("click", recount);
      recount();
      var summary = document.getElementById("tally-errors");
      if (summary) summary.focus();
    }

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
        // A 1–2 s submit of a long sheet shows that it is on its way.
        form.querySelectorAll("[data-busy-text]").forEach(function (button) {
          button.dataset.idleText = button.textContent;
          button.textContent = button.dataset.busyText;
          button.setAttribute("aria-busy", "true");
        });
      });
    });
    // The installable app (issue 15): the service worker keeps the shell and the tally
    // pages opened, for a meeting without a connection. Logging out forgets those pages.
    var sw = document.body.dataset.sw;
    if (sw && "serviceWorker" in navigator) {
      // A page the worker served is kept by it already; one loaded before the worker is fetched again.
      var uncontrolled = !navigator.serviceWorker.controller;
      navigator.serviceWorker.register(sw, { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        if (uncontrolled && document.querySelector("form[data-tally]")) {
          registration.active.postMessage({ keep: location.href.split("#")[0] });
        }
      }).catch(function () { /* no worker: the site works online as before */ });
      document.querySelectorAll("form.logout").forEach(function (form) {
        form.addEventListener("submit", function () {
          if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ forget: true });
        });
      });
    }
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-sending]").forEach(function (form) { delete form.dataset.sending; });
      document.querySelectorAll("[data-idle-text]").forEach(function (button) {
        button.textContent = button.dataset.idleText;
        button.removeAttribute("aria-busy");
      });
    });
  });
})();
