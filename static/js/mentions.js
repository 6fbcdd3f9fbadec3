// @mention completion in comment and idea text boxes (textarea[data-mentions]).
// Typing "@" and the start of a username or name lists matching members below the box:
// arrows move, Enter or Tab inserts "@username", Escape closes; a tap or click works too.
// Without this file people type the username themselves; nothing else depends on it.
(function () {
  "use strict";

  var url = document.body.getAttribute("data-mention-suggest-url");
  if (!url || !window.fetch) { return; }

  // "@" at the start or after a character that cannot be part of a word, e-mail or link,
  // then up to 30 word characters, right before the caret.
  var TOKEN = /(^|[^\w@\/\\`])@(\w{1,30})$/;
  var DELAY_MS = 150;
  var count = 0;

  function Completer(box) {
    count += 1;
    this.box = box;
    this.id = "mention-list-" + count;
    this.items = [];
    this.active = -1;
    this.token = null;
    this.timer = null;
    this.cache = {};

    this.list = document.createElement("ul");
    this.list.id = this.id;
    this.list.className = "mention-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Members to mention");
    this.list.hidden = true;
    this.status = document.createElement("p");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    var holder = document.createElement("div");
    holder.className = "mention-anchor";
    box.parentNode.insertBefore(holder, box.nextSibling);
    holder.appendChild(this.list);
    holder.appendChild(this.status);

    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", this.id);
    box.setAttribute("aria-haspopup", "listbox");
    // A textarea keeps its textbox role (aria-expanded is not allowed on it): the list is
    // tied to it by aria-controls and aria-activedescendant, and a status line announces it.

    var self = this;
    box.addEventListener("input", function () { self.schedule(); });
    box.addEventListener("click", function () { self.schedule(); });
    box.addEventListener("keydown", function (event) { self.onKey(event); });
    box.addEventListener("blur", function () { self.close(); });
    // Keep the focus (and a phone's keyboard) in the text box while an option is tapped.
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { self.choose(Number(option.getAttribute("data-index"))); }
    });
  }

  Completer.prototype.currentToken = function () {
    var box = this.box;
    if (box.selectionStart !== box.selectionEnd) { return null; }
    var match = TOKEN.exec(box.value.slice(0, box.selectionStart));
    return match ? match[2] : null;
  };

  Completer.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    var token = this.currentToken();
    if (!token) { this.close(); return; }
    this.timer = window.setTimeout(function () { self.lookUp(token); }, DELAY_MS);
  };

  Completer.prototype.lookUp = function (token) {
    var self = this;
    var key = token.toLowerCase();
    var show = function (users) {
      // Typing went on meanwhile: only the answer for what is there now is shown.
      if (self.currentToken() === token && document.activeElement === self.box) {
        self.open(token, users);
      }
    };
    if (this.cache[key]) { show(this.cache[key]); return; }
    fetch(url + "?q=" + encodeURIComponent(token), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { users: [] };
    }).then(function (data) {
      self.cache[key] = data.users || [];
      show(self.cache[key]);
    }).catch(function () { self.close(); });
  };

  Completer.prototype.open = function (token, users) {
    this.token = token;
    this.items = users;
    this.list.textContent = "";
    if (!users.length) {
      this.close();
      this.status.textContent = "No member found for @" + token + ".";
      return;
    }
    var self = this;
    users.forEach(function (user, index) {
      var option = document.createElement("li");
      option.id = self.id + "-" + index;
      option.className = "mention-list__option";
      option.setAttribute("role", "option");
      option.setAttribute("data-index", String(index));
      var avatar = document.createElement("span");
      avatar.className = "avatar avatar--small";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = user.display_name.charAt(0).toUpperCase();
      var name = document.createElement("span");
      name.className = "mention-list__name";
      name.textContent = user.display_name;
      var handle = document.createElement("span");
      handle.className = "mention-list__username";
      handle.textContent = "@" + user.username;
      option.appendChild(avatar);
      option.appendChild(name);
      option.appendChild(handle);
      self.list.appendChild(option);
    });
    this.list.hidden = false;
    this.highlight(0);
    this.status.textContent = users.length + (users.length === 1 ? " member" : " members") +
      " found. Up and down arrows to choose, Enter to insert, Escape to close.";
  };

  Completer.prototype.close = function () {
    window.clearTimeout(this.timer);
    if (this.list.hidden) { return; }
    this.list.hidden = true;
    this.list.textContent = "";
    this.items = [];
    this.active = -1;
    this.box.removeAttribute("aria-activedescendant");
  };

  Completer.prototype.highlight = function (index) {
    var options = this.list.children;
    if (!options.length) { return; }
    this.active = (index + options.length) % options.length;
    for (var i = 0; i < options.length; i += 1) {
      options[i].setAttribute("aria-selected", String(i === this.active));
    }
    var option = options[this.active];
    this.box.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
  };

  Completer.prototype.choose = function (index) {
    var user = this.items[index];
    if (!user) { return; }
    var box = this.box;
    var end = box.selectionStart;
    var start = end - this.token.length - 1;  // the "@" and what was typed after it
    var after = box.value.slice(end);
    var insert = "@" + user.username + (/^\s/.test(after) ? "" : " ");
    box.value = box.value.slice(0, start) + insert + after;
    var caret = start + insert.length;
    box.setSelectionRange(caret, caret);
    this.close();
    this.status.textContent = "Inserted @" + user.username + ".";
    box.focus();
  };

  Completer.prototype.onKey = function (event) {
    if (this.list.hidden) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.highlight(this.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape") {
      // Only the list closes; the form and any menu around it stay as they are.
      event.preventDefault();
      event.stopPropagation();
      this.close();
    }
  };

  document.querySelectorAll("textarea[data-mentions]").forEach(function (box) {
    new Completer(box);
  });
})();
