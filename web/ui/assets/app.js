// Tally pages: light progressive enhancement. Every page works without
// this file; with it, live parts refresh in place and calculators update as
// you type.
(function () {
  "use strict";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  // <div data-refresh="/path" data-interval="10">: the element's content is
  // replaced by the HTML at /path every interval seconds (default 15),
  // while the page is visible.
  function refreshers() {
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      var every = Math.max(2, parseInt(el.getAttribute("data-interval") || "15", 10)) * 1000;
      var busy = false;
      setInterval(function () {
        if (busy || document.hidden) return;
        busy = true;
        fetch(el.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html !== null) { el.innerHTML = html; el.setAttribute("data-refreshed", String(Date.now())); }
          })
          .catch(function () {})
          .finally(function () { busy = false; });
      }, every);
    });
  }

  // <form data-live="/path" data-target="#id">: as the fields change, the
  // form's values are sent as a query to /path and #id shows the answer.
  function liveForms() {
    document.querySelectorAll("form[data-live]").forEach(function (form) {
      var target = document.querySelector(form.getAttribute("data-target"));
      if (!target) return;
      var timer = null, seq = 0;
      function update() {
        var mine = ++seq;
        var q = new URLSearchParams(new FormData(form));
        q.delete("csrf_token");
        fetch(form.getAttribute("data-live") + "?" + q.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.text(); })
          .then(function (html) { if (mine === seq) target.innerHTML = html; })
          .catch(function () {});
      }
      form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
      form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 50); });
    });
  }

  // <form data-confirm="Void this invoice?">: asks before submitting.
  function confirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  // <button data-print>: opens the print dialog (the print view's CSS
  // makes a clean page, or a PDF).
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  window.tally = { csrf: csrf };
  document.addEventListener("DOMContentLoaded", function () {
    refreshers(); liveForms(); confirms(); printButtons();
  });
})();
