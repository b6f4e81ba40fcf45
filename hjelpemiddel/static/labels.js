// The label form: «skip used labels» only for layouts with a sheet to skip on; the labels are made
// without leaving the page. A PDF opens in a new tab only when it was made; a refusal is shown here,
// above the form, with the words the server gave. Without this script the form still posts.
(function () {
  "use strict";
  const form = document.getElementById("labels-form");
  const layout = document.getElementById("label-layout");
  const field = document.getElementById("start-position-field");
  const start = document.getElementById("start-position");
  const hint = document.getElementById("start-position-hint");
  const submit = document.getElementById("labels-submit");
  const errors = document.getElementById("label-errors");
  const result = document.getElementById("label-result");
  const resultText = document.getElementById("label-result-text");
  const link = document.getElementById("label-link");
  let objectUrl = null;

  function sync() {
    const perPage = parseInt(layout.selectedOptions[0].dataset.perPage, 10) || 1;
    const roll = perPage <= 1;
    field.hidden = roll;
    start.disabled = roll;
    start.max = String(Math.max(perPage - 1, 0));
    if (roll) start.value = "0";
    hint.textContent = "0–" + Math.max(perPage - 1, 0) + ": så mange etiketter øverst på arket er brukt fra før.";
  }

  function showError(nodes) {
    result.hidden = true;
    errors.replaceChildren(...nodes);
    errors.focus();
  }

  function plainError(text) {
    const box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    const p = document.createElement("p");
    p.textContent = text;
    box.append(p);
    return [box];
  }

  async function errorFrom(response) {
    // Our own page, rendered with the error above the form: take that block as it is.
    try {
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const block = doc.getElementById("label-errors");
      if (block && block.children.length) return Array.from(block.childNodes).map((n) => document.importNode(n, true));
      const heading = doc.querySelector("main h1");
      if (heading) return plainError(heading.textContent.trim());
    } catch (e) { /* fall through to the status */ }
    return plainError("Etikettene ble ikke laget (feil " + response.status + ").");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      let response;
      try {
        response = await fetch(form.action || window.location.href,
          { method: "POST", body: new FormData(form), credentials: "same-origin" });
      } catch (e) {
        showError(plainError("Får ikke kontakt med tjenesten. Sjekk nettverket og prøv igjen."));
        return;
      }
      if (!response.ok) {
        showError(await errorFrom(response));
        return;
      }
      const blob = await response.blob();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = URL.createObjectURL(blob);
      const zpl = blob.type.indexOf("zpl") !== -1;
      errors.replaceChildren();
      link.href = objectUrl;
      if (zpl) {
        link.download = "etiketter.zpl";
        link.textContent = "Last ned etikettene (ZPL-fil til etikettskriveren)";
        resultText.textContent = "Etikettene er klare.";
      } else {
        link.removeAttribute("download");
        link.textContent = "Åpne etikettene (PDF)";
        resultText.textContent = "Etikettene er klare og åpnes i en ny fane. Åpnes de ikke, bruk lenken.";
        window.open(objectUrl, "_blank");
      }
      result.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  layout.addEventListener("change", sync);
  sync();
})();
