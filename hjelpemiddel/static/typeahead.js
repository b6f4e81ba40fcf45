// A type-ahead over a JSON list (an accessible combobox, WAI-ARIA 1.2 pattern): an input marked
// data-typeahead="<url>" asks <url>?q=…&limit=10 as the user types and lists what it answers; arrow
// keys move through the list, Enter or a click chooses, Escape closes. The chosen id goes into the
// [data-typeahead-id] field of the same [data-typeahead-scope]; with data-typeahead-value="code" the
// chosen item's code goes into the input itself (a location). Without this script the input is a
// plain text field the server resolves (and answers with a choice when several match).
(function () {
  "use strict";
  let counter = 0;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function idField(input) {
    const scope = input.closest("[data-typeahead-scope]") || input.form;
    let field = scope && scope.querySelector("[data-typeahead-id]");
    const select = scope && scope.querySelector("select[name$='-product_id']");
    if (!field && select) {
      // The server offered a choice between several matches; a new text replaces that choice.
      field = document.createElement("input");
      field.type = "hidden";
      field.name = select.name;
      field.setAttribute("data-typeahead-id", "");
      select.closest("label").replaceWith(field);
    }
    return field;
  }

  function enhance(input) {
    if (input.dataset.typeaheadReady) return;
    input.dataset.typeaheadReady = "1";
    const listId = "typeahead-list-" + (++counter);
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "typeahead-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Forslag");
    list.hidden = true;
    (input.closest(".typeahead") || input.parentElement).appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    let items = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      active = index;
      Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      const item = items[index];
      if (!item) return;
      input.value = input.dataset.typeaheadValue ? String(item[input.dataset.typeaheadValue]) : item.name;
      const field = input.dataset.typeaheadValue ? null : idField(input);
      if (field) field.value = String(item.id);
      // A search still waiting (typed just before the choice) must not reopen the list over the form.
      clearTimeout(timer);
      asked++;
      close();
      status.textContent = "Valgt: " + item.name;
    }

    function show(found) {
      items = found;
      list.replaceChildren();
      found.forEach((item, i) => {
        const li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.code ? item.code + " – " + item.name : item.name + (item.hms_nr ? " · HMS-nr " + item.hms_nr : "");
        li.addEventListener("mousedown", (event) => event.preventDefault());  // keep focus in the input
        li.addEventListener("click", () => choose(i));
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
      active = -1;
      status.textContent = found.length ? found.length + " forslag. Bruk pil ned for å velge." : "Ingen treff.";
    }

    function ask() {
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      const mine = ++asked;
      const url = input.dataset.typeahead + "?" + new URLSearchParams({ q: q, limit: "10" });
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((answer) => (answer.ok ? answer.json() : []))
        .then((found) => { if (mine === asked && document.activeElement === input) show(found); })
        .catch(() => { if (mine === asked) close(); });
    }

    input.addEventListener("input", () => {
      const field = input.dataset.typeaheadValue ? null : idField(input);
      if (field) field.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (items.length) mark(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();  // choosing is not sending the form
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("input[data-typeahead]").forEach(enhance);
  }
  window.enhanceTypeaheads = enhanceAll;
  enhanceAll(document);
})();
