// The idea picker on staff forms: search ideas as you type, choose with the keyboard or the
// mouse, and see the chosen ideas as removable chips. An ARIA combobox with a listbox popup.
// Without this file the form shows ticked boxes, a text field and a plain search instead.
(function () {
  "use strict";

  var root = document.querySelector("[data-idea-picker]");
  if (!root || !window.fetch) { return; }
  var input = root.querySelector("input[name=idea_ids]");
  var chosen = root.querySelector("[data-idea-chosen]");
  var empty = root.querySelector("[data-idea-empty]");
  var status = root.querySelector("[data-idea-status]");
  var url = root.getAttribute("data-search-url");
  var fieldName = "linked_ideas";
  if (!input || !chosen) { return; }

  root.classList.add("idea-picker--enhanced");
  var hint = document.getElementById(input.id + "-hint");
  if (hint) { hint.textContent = "Type words from an idea’s title, then choose it with the arrow keys and Enter."; }
  var listbox = document.createElement("ul");
  listbox.id = input.id + "-options";
  listbox.className = "idea-picker__options";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Ideas found");
  listbox.hidden = true;
  input.parentNode.insertBefore(listbox, input.nextSibling);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  var options = [];
  var active = -1;
  var timer = null;
  var asked = "";

  function say(text) {
    // Cleared first so the same words are read again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function chosenIds() {
    return Array.prototype.map.call(chosen.querySelectorAll("[data-idea-id]"), function (chip) {
      return chip.getAttribute("data-idea-id");
    });
  }

  function meta(idea) {
    return idea.status_label + " · " + idea.vote_count + (idea.vote_count === 1 ? " vote" : " votes") + " · #" + idea.id;
  }

  function removeButton(chip, title) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "idea-chip__remove";
    button.setAttribute("aria-label", "Remove “" + title + "”");
    button.textContent = "×";
    button.addEventListener("click", function () {
      chip.remove();
      empty.hidden = chosen.children.length > 0;
      say("“" + title + "” removed.");
      input.focus();
    });
    return button;
  }

  // A chip: the title, its status and votes, a hidden field that sends it, and a remove button.
  function makeChip(chip, id, title, details) {
    chip.className = "idea-chip";
    chip.setAttribute("data-idea-id", id);
    chip.textContent = "";
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = fieldName;
    field.value = id;
    var name = document.createElement("span");
    name.className = "idea-chip__title";
    name.textContent = title;
    var info = document.createElement("span");
    info.className = "idea-chip__meta";
    info.textContent = details;
    var text = document.createElement("span");
    text.className = "idea-chip__text";
    text.append(name, info);
    chip.append(field, text, removeButton(chip, title));
    return chip;
  }

  // The ideas the page came with: ticked boxes become chips (an unticked one is not chosen).
  Array.prototype.forEach.call(chosen.querySelectorAll("li"), function (chip) {
    var box = chip.querySelector("input[type=checkbox]");
    var details = chip.querySelector(".idea-chip__meta");
    if (box && !box.checked) { chip.remove(); return; }
    makeChip(chip, chip.getAttribute("data-idea-id"), chip.getAttribute("data-idea-title"), details ? details.textContent.trim() : "");
  });
  empty.hidden = chosen.children.length > 0;

  function setActive(index) {
    options.forEach(function (option, number) {
      option.element.setAttribute("aria-selected", String(number === index));
      option.element.classList.toggle("is-active", number === index);
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function open() {
    if (!options.length) { return; }
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function pick(index) {
    var idea = options[index] && options[index].idea;
    if (!idea) { return; }
    chosen.appendChild(makeChip(document.createElement("li"), String(idea.id), idea.title, meta(idea)));
    empty.hidden = true;
    input.value = "";
    asked = "";
    options = [];
    listbox.textContent = "";
    close();
    say("“" + idea.title + "” added. " + chosen.children.length + (chosen.children.length === 1 ? " idea" : " ideas") + " linked.");
    input.focus();
  }

  function show(ideas, words) {
    var taken = chosenIds();
    ideas = ideas.filter(function (idea) { return taken.indexOf(String(idea.id)) === -1; });
    listbox.textContent = "";
    options = ideas.map(function (idea, number) {
      var element = document.createElement("li");
      element.id = listbox.id + "-" + number;
      element.className = "idea-picker__option";
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      var title = document.createElement("span");
      title.className = "idea-picker__option-title";
      title.textContent = idea.title;
      var info = document.createElement("span");
      info.className = "idea-picker__option-meta";
      info.textContent = meta(idea);
      element.append(title, info);
      // Keep the focus in the field when an option is clicked.
      element.addEventListener("mousedown", function (event) { event.preventDefault(); });
      element.addEventListener("click", function () { pick(number); });
      listbox.appendChild(element);
      return { idea: idea, element: element };
    });
    setActive(-1);
    if (options.length) {
      open();
      say(options.length + (options.length === 1 ? " idea found" : " ideas found") + ": use the up and down arrows to choose.");
    } else {
      close();
      say("No idea to link has “" + words + "” in its title.");
    }
  }

  function search() {
    var words = input.value.trim();
    if (words === asked) { return; }
    asked = words;
    if (words.length < 2) { options = []; listbox.textContent = ""; close(); return; }
    fetch(url + "?q=" + encodeURIComponent(words), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("search refused"); }
      return response.json();
    }).then(function (data) {
      if (words === input.value.trim()) { show(data.ideas, words); }
    }).catch(function () {
      say("The search did not answer. Type an idea’s number or link instead, and save.");
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });

  input.addEventListener("keydown", function (event) {
    var expanded = !listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!expanded) { open(); }
      if (options.length) { setActive(active < options.length - 1 ? active + 1 : 0); }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (!expanded) { open(); }
      if (options.length) { setActive(active > 0 ? active - 1 : options.length - 1); }
    } else if (event.key === "Enter") {
      // With the list open, Enter chooses; it never sends the form from here by accident.
      if (expanded) {
        event.preventDefault();
        if (active >= 0) { pick(active); }
      }
    } else if (event.key === "Escape") {
      if (expanded) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
        asked = "";
      }
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () { close(); });
  input.addEventListener("focus", function () { if (options.length && input.value.trim()) { open(); } });
})();
