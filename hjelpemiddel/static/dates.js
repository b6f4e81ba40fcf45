// Date fields show and take dd.mm.åååå whatever the browser's language (a native date input
// would show mm/dd/yyyy in an English browser). Each `input[data-date]` is a text field; a
// calendar button next to it opens the browser's own picker and writes the chosen day back.
(function () {
  "use strict";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function toIso(text) {
    var m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(text || "");
    return m ? m[3] + "-" + two(+m[2]) + "-" + two(+m[1]) : "";
  }
  function fromIso(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "." + m[2] + "." + m[1] : "";
  }
  function enhance(field) {
    var picker = document.createElement("input");
    picker.type = "date";
    picker.className = "date-picker";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    if (typeof picker.showPicker !== "function") { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary date-button";
    button.textContent = "📅";
    button.setAttribute("aria-label", "Velg dato i kalender");
    button.addEventListener("click", function () {
      picker.value = toIso(field.value);
      try { picker.showPicker(); } catch (e) { field.focus(); }
    });
    picker.addEventListener("change", function () {
      field.value = fromIso(picker.value);
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    field.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", picker);
  }
  document.querySelectorAll("input[data-date]").forEach(enhance);
})();
