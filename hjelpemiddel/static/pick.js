// Picking by scan (input handling in scanner.js): the right unit ticks its line; anything else is
// refused loudly with the reason from the service, and nothing is ticked.
(function () {
  "use strict";
  const input = document.getElementById("pick-input");
  const status = document.getElementById("pick-status");
  const runId = input.dataset.runId;

  window.Scanner.attach(input, async (code) => {
    try {
      const result = await window.Scanner.api("POST", "/api/v1/runs/" + runId + "/pick", { barcode: code });
      let row = document.querySelector('[data-barcode="' + CSS.escape(result.barcode) + '"]');
      if (result.substituted_for) {
        row = document.querySelector('[data-barcode="' + CSS.escape(result.substituted_for) + '"]');
        if (row) {
          row.dataset.barcode = result.barcode;
          row.querySelector(".barcode").textContent = result.barcode + " (erstatter " + result.substituted_for + ")";
        }
      }
      if (row) {
        row.classList.add("picked");
        row.querySelector(".tick").textContent = "✓";
      }
      window.Scanner.ok(status, result.barcode + " plukket." + (result.substituted_for ? " Erstatter " + result.substituted_for + "." : "")
        + (result.remaining ? " " + result.remaining + " igjen." : " Alt er plukket."));
    } catch (err) {
      window.Scanner.bad(status, String(err.message || err));
    }
  });
})();
