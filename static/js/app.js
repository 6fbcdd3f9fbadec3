// Progressive enhancements shared by every page. Everything works without this file.
(function () {
  "use strict";

  // Mobile navigation: the toggle only appears when JavaScript runs.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.hidden = false;
    document.documentElement.classList.add("js");
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("is-open", open);
    };
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and puts focus back on its button.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Ask before destructive posts (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Fields with a length limit (data-maxlength): say how much room is left near the limit, and how
  // much to cut past it, as the person types or pastes. Nothing is cut; the server refuses too.
  document.querySelectorAll("[data-maxlength]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-maxlength"), 10);
    if (!limit || !input.id) { return; }
    var count = document.createElement("p");
    count.className = "field__count";
    count.id = input.id + "-count";
    count.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", count);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + count.id);
    var number = function (n) { return n.toLocaleString("en"); };
    var update = function () {
      var left = limit - input.value.length;
      var over = left < 0;
      count.classList.toggle("field__count--over", over);
      if (over) {
        count.textContent = number(-left) + (left === -1 ? " character" : " characters") +
          " too many: the limit is " + number(limit) + ". Shorten it before you send it.";
      } else if (left <= Math.max(10, Math.floor(limit / 5))) {
        count.textContent = number(left) + (left === 1 ? " character" : " characters") + " left.";
      } else {
        count.textContent = "";
      }
    };
    input.addEventListener("input", update);
    update();
  });

  // Copy buttons: data-copy="#selector" copies that input's value.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = label; }, 2500);
      }, function () {
        // Clipboard refused (permissions): select the text so it can be copied by hand.
        source.focus();
        source.select();
      });
    });
  });
})();
