// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Ask before destructive buttons (remove an exercise, a medication, ...).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A slow phone: one tap sends the form once.
    var form = event.target;
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });

  // Coming back with the Back button: the forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
    });
  });

  // Sign-up: start from the browser's own time zone.
  var zone = document.querySelector("select[data-browser-timezone]");
  if (zone && window.Intl && !zone.dataset.touched) {
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (var i = 0; i < zone.options.length; i++) {
      if (zone.options[i].value === browserZone) { zone.value = browserZone; break; }
    }
  }

  // After a failed submit, move focus to the error summary so it is read out.
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }

  // Fields that apply only to some answers ("Why not fully done" once a task is skipped, the
  // weekly fields once "Weekly" is chosen) show only then. Hidden fields are disabled, so
  // they are not sent; without this script every field simply stays visible.
  function showWhatApplies(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (box) {
      var rule = box.getAttribute("data-show-when").split("=");
      var chosen = form.querySelector('input[name="' + rule[0] + '"]:checked');
      var applies = chosen !== null && rule[1].split(",").indexOf(chosen.value) !== -1;
      box.hidden = !applies;
      box.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !applies;
      });
    });
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when]")) { return; }
    showWhatApplies(form);
    form.addEventListener("change", function () { showWhatApplies(form); });
  });

  var print = document.querySelector("[data-print]");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
