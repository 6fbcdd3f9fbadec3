// Send a form once: while a post is on its way, its submit buttons are disabled and the form is
// aria-busy, so a double click or an impatient second press sends nothing more. The server keeps
// its own guard (a one-time token on the forms that create), so this is a courtesy, not a lock.
(function () {
  "use strict";

  var BUSY = "data-submitting";

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return (element.type === "submit" || element.type === "image") && !element.disabled;
    });
  }

  function release(form) {
    form.removeAttribute(BUSY);
    form.removeAttribute("aria-busy");
    form.querySelectorAll("[data-disabled-while-sending]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-disabled-while-sending");
    });
  }

  // Registered after the other scripts' listeners (this file loads last), so a post they took
  // over (votes sent with fetch) or one the person cancelled (data-confirm) is left alone.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM" || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute(BUSY)) {
      event.preventDefault();  // already on its way
      return;
    }
    if (event.defaultPrevented || form.target === "_blank") { return; }
    form.setAttribute(BUSY, "");
    form.setAttribute("aria-busy", "true");
    // After this turn: the browser has read the form by then, so the pressed button's
    // name and value (like intent=remove) are still sent.
    window.setTimeout(function () {
      if (event.defaultPrevented) { release(form); return; }
      submitButtons(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("data-disabled-while-sending", "");
      });
    }, 0);
  });

  // Back or forward to a page kept in memory (bfcache): its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[" + BUSY + "]").forEach(release);
  });
})();
