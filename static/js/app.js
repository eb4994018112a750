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

  // The request form's cost note follows the rate, times, days and end as they change. The
  // sums mirror payments/costs.py exactly (integer cents, rounded half up to the cent) and the
  // words mirror payments/_cost.html; without this script the note stays as the server wrote it.
  var costNote = document.querySelector("[data-cost-rules]");
  var costForm = costNote && costNote.closest("form");
  var costSummary = costNote && costNote.querySelector("[data-cost-summary]");
  if (costForm && costSummary && window.JSON && window.Intl) {
    var costRules = JSON.parse(costNote.getAttribute("data-cost-rules"));
    var costZone = costNote.getAttribute("data-timezone");
    var showCost = function () { showRequestCost(costForm, costSummary, costRules, costZone); };
    costForm.addEventListener("input", showCost);
    costForm.addEventListener("change", showCost);
    window.addEventListener("pageshow", showCost);  // fields the browser filled in again
  }

  function showRequestCost(form, summary, rules, zone) {
    var cost = requestCost(readRequest(form), rules, zone);
    var words = cost ? costWords(cost, rules.symbols) : [
      "Each visit costs the hourly rate times its length; a series costs that for every visit " +
      "in it."
    ];
    var text = words.map(function (part) {
      return typeof part === "string" ? part : part.strong;
    }).join("");
    if (summary.textContent.replace(/\s+/g, " ").trim() === text) { return; }
    summary.textContent = "";
    words.forEach(function (part) {
      if (typeof part === "string") {
        summary.appendChild(document.createTextNode(part));
      } else {
        var strong = document.createElement("strong");
        strong.textContent = part.strong;
        summary.appendChild(strong);
      }
    });
  }

  function readRequest(form) {
    function value(name) {
      var field = form.querySelector('[name="' + name + '"]');
      return field ? field.value : "";
    }
    function chosen(name, fallback) {
      var field = form.querySelector('input[name="' + name + '"]:checked');
      return field ? field.value : fallback;
    }
    var days = [];
    form.querySelectorAll('input[name="weekdays"]:checked').forEach(function (box) {
      days.push(box.value);
    });
    var ends = chosen("ends", "until");
    return {
      rate: value("rate"),
      currency: value("currency"),
      start: parseTime(value("start_time")),
      end: parseTime(value("end_time")),
      first: parseDate(value("first_date")),
      weekly: chosen("repeat", "once") === "weekly",
      days: days,
      until: ends === "until" ? parseDate(value("until_date")) : null,
      count: ends === "count" ? parseWhole(value("count")) : null
    };
  }

  // "25", "25.5", "$25.50" or "1,025.00" as cents; null if it is not a plain amount.
  function parseCents(text) {
    var cleaned = text.trim();
    ["CA$", "A$", "$", "€", "£"].forEach(function (symbol) {
      if (cleaned.indexOf(symbol) === 0) { cleaned = cleaned.slice(symbol.length); }
    });
    cleaned = cleaned.trim();
    if (/^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?$/.test(cleaned)) {
      cleaned = cleaned.replace(/,/g, "");
    }
    var parts = /^(-?)([0-9]{1,9})(?:\.([0-9]{1,2}))?$/.exec(cleaned);
    if (!parts) { return null; }
    var cents = parseInt(parts[2], 10) * 100 + parseInt(((parts[3] || "") + "00").slice(0, 2), 10);
    return parts[1] ? -cents : cents;
  }

  function parseWhole(text) {
    var cleaned = text.trim();
    return /^-?[0-9]{1,30}$/.test(cleaned) ? parseInt(cleaned, 10) : null;
  }

  // "09:30" as minutes after midnight; null unless it is a time of day.
  function parseTime(text) {
    var parts = /^([0-9]{1,2}):([0-9]{1,2})$/.exec(text);
    if (!parts || +parts[1] > 23 || +parts[2] > 59) { return null; }
    return +parts[1] * 60 + +parts[2];
  }

  // "2027-03-08" as a day number (UTC midnight, in days); null unless it is a real date.
  function parseDate(text) {
    var parts = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(text);
    if (!parts) { return null; }
    var moment = new Date(0);
    moment.setUTCFullYear(+parts[1], +parts[2] - 1, +parts[3]);  // years below 100 too
    var real = moment.getUTCMonth() === +parts[2] - 1 && moment.getUTCDate() === +parts[3];
    if (+parts[1] < 1 || !real) { return null; }
    return moment.getTime() / 86400000;
  }

  // As costs.estimate: per visit once the rate and times are there; for the whole series once
  // its days and end are known too (else per week).
  function requestCost(request, rules, zone) {
    var rate = parseCents(request.rate);
    if (rate === null || rate < rules.min_rate || rate > rules.max_rate) { return null; }
    if (request.start === null || request.end === null) { return null; }
    var minutes = request.end - request.start;
    var currency = rules.currencies.indexOf(request.currency) !== -1 ? request.currency : "USD";
    if (!request.weekly) { return priced(rate, currency, minutes, 1, null); }
    var days = [];
    request.days.forEach(function (day) {
      if (/^[0-9]+$/.test(day) && +day <= 6 && days.indexOf(+day) === -1) { days.push(+day); }
    });
    if (!days.length) { return priced(rate, currency, minutes, null, null); }
    var visits = null;
    if (request.first !== null && (request.until !== null || request.count !== null)) {
      visits = seriesLength(request, days, rules, zone);
    }
    return priced(rate, currency, minutes, visits, days.length);
  }

  function priced(rate, currency, minutes, visits, perWeek) {
    if (rate <= 0 || minutes <= 0) { return null; }
    var perVisit = Math.floor((rate * minutes + 30) / 60);  // services.price_for_minutes
    return { currency: currency, rate: rate, minutes: minutes, perVisit: perVisit,
             visits: visits, perWeek: perWeek };
  }

  // How many visits the weekly series makes (scheduling/recurrence.py), or null where the
  // server refuses it: the form says what is wrong, and the cost waits.
  function seriesLength(request, days, rules, zone) {
    var length = request.end - request.start;
    if (length <= 0 || length > rules.max_minutes || length < rules.min_minutes) { return null; }
    var lastAllowed = request.first + rules.max_weeks * 7 - 1;
    if (request.until !== null && (request.until < request.first || request.until > lastAllowed)) {
      return null;
    }
    if (request.count !== null && !(request.count >= 1 && request.count <= rules.max_weeks * 7)) {
      return null;
    }
    var dates = [];
    for (var day = request.first; ; day++) {
      if (request.until !== null ? day > request.until : dates.length >= request.count) { break; }
      if (days.indexOf((new Date(day * 86400000).getUTCDay() + 6) % 7) !== -1) { dates.push(day); }
    }
    if (!dates.length || dates[dates.length - 1] > lastAllowed) { return null; }
    for (var i = 0; i < dates.length; i++) {
      if (!wallTimeExists(dates[i], request.start, zone) ||
          !wallTimeExists(dates[i], request.end, zone)) {
        return null;  // the clocks skip that time that day
      }
    }
    return dates.length;
  }

  var wallClocks = {};
  function wallClock(zone) {
    if (!wallClocks[zone]) {
      wallClocks[zone] = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric"
      });
    }
    return wallClocks[zone];
  }

  // The wall-clock time at an instant in the zone, as if it were UTC (milliseconds).
  function wallTime(instant, zone) {
    var parts = {};
    wallClock(zone).formatToParts(new Date(instant)).forEach(function (part) {
      parts[part.type] = +part.value;
    });
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute);
  }

  // Whether some instant shows this wall-clock time in the zone (not in a spring-forward gap).
  function wallTimeExists(day, minutes, zone) {
    var wall = day * 86400000 + minutes * 60000;
    try {
      return [wall - 86400000, wall + 86400000].some(function (near) {
        var offset = wallTime(near, zone) - near;
        return wallTime(wall - offset, zone) === wall;
      });
    } catch (error) {
      return true;  // a zone this browser does not know: the server has the last word
    }
  }

  function money(cents, currency, symbols) {
    var symbol = symbols[currency] || currency + " ";
    var whole = String(Math.floor(Math.abs(cents) / 100)).replace(/\B(?=([0-9]{3})+$)/g, ",");
    return (cents < 0 ? "-" : "") + symbol + whole + "." + ("0" + Math.abs(cents) % 100).slice(-2);
  }

  function duration(minutes) {
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    if (!hours) { return rest + " min"; }
    return rest ? hours + " h " + rest + " min" : hours + " h";
  }

  // The note's words; {strong: "..."} parts are shown in bold.
  function costWords(cost, symbols) {
    function amount(cents) { return money(cents, cost.currency, symbols); }
    var words = [
      { strong: amount(cost.perVisit) + " per visit" },
      " (" + duration(cost.minutes) + " at " + amount(cost.rate) + " an hour)"
    ];
    if (cost.visits && cost.visits > 1) {
      words.push("; ", { strong: amount(cost.perVisit * cost.visits) + " for the whole series" },
                 " of " + cost.visits + " visits");
    } else if (cost.visits === null && cost.perWeek) {
      words.push("; about " + amount(cost.perVisit * cost.perWeek) + " per week (" + cost.perWeek +
                 " visit" + (cost.perWeek > 1 ? "s" : "") + " a week)");
    }
    words.push(".");
    return words;
  }

  var print = document.querySelector("[data-print]");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
