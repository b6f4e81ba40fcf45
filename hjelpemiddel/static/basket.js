// The need form's basket: one blank product row on screen and «Legg til produkt» for the next.
// Without this script the server's three blank rows are the room (blank rows are ignored).
(function () {
  "use strict";
  const form = document.querySelector("form[data-basket]");
  if (!form) return;
  const MAX_ROWS = 20;
  const rows = () => Array.from(form.querySelectorAll("[data-basket-row]"));
  const isBlank = (row) => !row.querySelector("select") &&
    Array.from(row.querySelectorAll("input[name$='-product'], input[name$='-product_id']")).every((el) => !el.value);
  const indexOf = (row) => Number(/^rows-(\d+)-/.exec(row.querySelector("[name]").name)[1]);

  const all = rows();
  const template = all[all.length - 1].cloneNode(true);  // the server always ends with a blank row
  let blankSeen = false;
  all.forEach((row) => {
    if (!isBlank(row)) return;
    if (blankSeen) row.remove();
    blankSeen = true;
  });

  function numbered(row, index, position) {
    row.querySelectorAll("[name]").forEach((el) => { el.name = el.name.replace(/^rows-\d+-/, "rows-" + index + "-"); });
    row.setAttribute("data-testid", "basket-row-" + index);
    const label = row.querySelector(".typeahead label");
    if (label && label.firstChild) label.firstChild.textContent = "Produkt " + position + " ";
    return row;
  }

  const add = form.querySelector("[data-add-row]");
  add.hidden = false;
  add.addEventListener("click", () => {
    const current = rows();
    if (current.length >= MAX_ROWS) return;
    const row = numbered(template.cloneNode(true), Math.max(...current.map(indexOf)) + 1, current.length + 1);
    current[current.length - 1].after(row);
    if (window.enhanceTypeaheads) window.enhanceTypeaheads(row);
    row.querySelector("input[data-typeahead]").focus();
    if (current.length + 1 >= MAX_ROWS) add.hidden = true;
  });
})();
