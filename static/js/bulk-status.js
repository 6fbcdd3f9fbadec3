// Bulk status on the staff dashboard: tick every idea at once, count the ticks, and keep the
// action bar in sight (stuck to the bottom of the screen) while any idea is ticked.
(function () {
  "use strict";

  var bar = document.querySelector("[data-bulk-bar]");
  if (!bar) { return; }
  var form = bar.closest("form");
  var all = bar.querySelector("[data-select-all]");
  var label = bar.querySelector("[data-select-all-label]");
  var count = bar.querySelector("[data-bulk-count]");
  var boxes = Array.prototype.slice.call(
    form.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']")
  );
  if (!boxes.length) { return; }
  label.hidden = false;

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    count.textContent = ticked ? ticked + (ticked === 1 ? " idea ticked" : " ideas ticked") : "";
    bar.classList.toggle("is-active", ticked > 0);
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    update();
  });
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
