// Ideas: vote in place, and similar ideas while a title is typed. Both work without it.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  // Vote buttons: post the same form with fetch and update the button in place. The button is
  // never disabled while the vote is on its way: that would drop the keyboard focus to <body>.
  // A press meanwhile is ignored instead (aria-busy says so).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-vote]") || !window.fetch) { return; }
    var button = form.querySelector("button");
    if (!button) { return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("vote refused"); }
      return response.json();
    }).then(function (data) {
      form.querySelector("[data-vote-count]").textContent = data.vote_count;
      form.querySelector("[data-vote-label]").textContent = data.voted ? "Voted" : "Vote";
      form.querySelector("input[name=intent]").value = data.voted ? "remove" : "add";
      button.classList.toggle("is-voted", data.voted);
      button.setAttribute("aria-pressed", String(data.voted));
    }).catch(function () {
      // Fall back to the plain form post, which shows the reason on the page.
      form.submit();
    }).finally(function () {
      form.removeAttribute("aria-busy");
    });
  });

  // Similar ideas while the title is typed on the new-idea form.
  var form = document.querySelector("form[data-similar-form]");
  if (form && window.fetch) {
    var title = form.querySelector("input[name=title]");
    var target = form.querySelector("[data-similar-target]");
    var confirmed = form.querySelector("input[name=confirmed]");
    var timer = null;
    var last = "";
    var lookUp = function () {
      var text = title.value.trim();
      if (text === last) { return; }
      last = text;
      if (text.length < 4) { target.innerHTML = ""; return; }
      fetch(form.getAttribute("data-similar-url") + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "text/html" }, credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (text !== title.value.trim()) { return; }
        target.innerHTML = html;
        // The author has seen the similar ideas: no separate confirmation step is needed.
        if (confirmed && html.trim()) { confirmed.value = "1"; }
      });
    };
    title.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 300);
    });
  }
})();
