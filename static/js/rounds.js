// The feedback-round builder: times in the browser's time zone, question rows added and removed in
// place, and the options field only for choice questions. Without this file the form still works:
// times are in UTC and the Add and Remove buttons send the form back with one row more or less.
(function () {
  "use strict";

  // ---- Time zone: show the times in the browser's zone and send that zone with the form ----

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  // "2030-01-15T09:00", the value of a datetime-local input, for a moment seen in `zone`.
  function localValue(moment, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  document.querySelectorAll("input[name=time_zone]").forEach(function (field) {
    var zone = browserZone();
    var form = field.form;
    if (!zone || !form || zone === field.value) { return; }
    try {
      form.querySelectorAll("input[data-utc]").forEach(function (input) {
        var moment = new Date(input.getAttribute("data-utc"));
        if (input.getAttribute("data-utc") && !isNaN(moment.getTime())) {
          input.value = localValue(moment, zone);
        }
      });
    } catch (error) {
      return;  // a zone this browser can't format: keep the times as the server sent them
    }
    field.value = zone;
    form.querySelectorAll("[data-time-zone-name]").forEach(function (name) { name.textContent = zone; });
  });

  // ---- Question rows ----

  var section = document.querySelector("[data-question-rows]");
  var template = document.getElementById("question-row-template");
  if (!section || !template) { return; }
  var list = section.querySelector("[data-question-list]");
  var status = section.querySelector("[data-question-status]");
  var addButton = section.querySelector("[data-add-question]");
  var most = parseInt(section.getAttribute("data-max"), 10) || 20;

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-question-row]"));
  }

  function say(message) {
    if (status) { status.textContent = message; }
  }

  // Options only for the kinds the options field names; hidden options are disabled, so they are
  // not sent, and come back as typed when the kind changes back.
  function showOptions(row) {
    var kind = row.querySelector("[data-question-kind]");
    var options = row.querySelector("[data-options-for]");
    if (!kind || !options) { return; }
    var wanted = options.getAttribute("data-options-for").split(" ").indexOf(kind.value) !== -1;
    options.hidden = !wanted;
    options.querySelectorAll("textarea").forEach(function (input) { input.disabled = !wanted; });
  }

  function renumber() {
    var all = rows();
    all.forEach(function (row, index) {
      var number = index + 1;
      row.querySelector("[data-question-legend]").textContent = "Question " + number;
      var remove = row.querySelector("[data-remove-question]");
      remove.setAttribute("aria-label", "Remove question " + number);
      remove.hidden = all.length < 2;
    });
    if (addButton) { addButton.hidden = all.length >= most; }
  }

  function nextIndex() {
    var highest = -1;
    rows().forEach(function (row) {
      var number = parseInt(row.id.replace("row-", ""), 10);
      if (number > highest) { highest = number; }
    });
    return highest + 1;
  }

  function addRow() {
    var index = String(nextIndex());
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("*").forEach(function (element) {
      ["id", "name", "for", "value", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && value.indexOf("__index__") !== -1) {
          element.setAttribute(attribute, value.split("__index__").join(index));
        }
      });
    });
    var row = fragment.querySelector("[data-question-row]");
    list.appendChild(fragment);
    showOptions(row);
    renumber();
    var prompt = row.querySelector("input[type=text]");
    if (prompt) { prompt.focus(); }
    say("Question " + rows().length + " added.");
  }

  function removeRow(row) {
    var all = rows();
    var place = all.indexOf(row);
    if (all.length < 2) { return; }
    row.parentNode.removeChild(row);
    renumber();
    var left = rows();
    var next = left[Math.min(place, left.length - 1)];
    var focus = next && next.querySelector("input[type=text]");
    if (focus) { focus.focus(); }
    say("Question " + (place + 1) + " removed.");
  }

  rows().forEach(showOptions);
  list.addEventListener("change", function (event) {
    if (event.target.matches("[data-question-kind]")) {
      showOptions(event.target.closest("[data-question-row]"));
    }
  });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-question]");
    if (!button) { return; }
    event.preventDefault();
    removeRow(button.closest("[data-question-row]"));
  });
  if (addButton) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (rows().length < most) { addRow(); }
    });
  }
})();
