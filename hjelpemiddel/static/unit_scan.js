// The scan field on the driver's run page and on the service page (a phone's pages: the field does
// not take the focus by itself). The unit is looked up as every page that wants a unit does (a
// location's label, a wrong check digit, an unknown code get the same words); on the run page its
// line is marked and its stop's buttons get the focus, on the service page its own service page opens.
(function () {
  "use strict";
  const input = document.getElementById("unit-scan");
  if (!input) return;
  const status = document.getElementById("unit-scan-status");
  const onRun = input.dataset.unitScan === "run";

  window.Scanner.attach(input, async (code) => {
    try {
      const unit = await window.Scanner.api("GET", "/api/v1/devices/" + encodeURIComponent(code));
      if (!onRun) {
        window.Scanner.ok(status, "Åpner service for " + unit.barcode + ".");
        window.location.assign("/service/" + encodeURIComponent(unit.barcode));
        return;
      }
      const line = document.querySelector('[data-unit="' + CSS.escape(unit.barcode) + '"]');
      if (!line) {
        window.Scanner.bad(status, unit.barcode + " (" + unit.product.name + ") er ikke med på denne runden.");
        return;
      }
      document.querySelectorAll(".unit-scanned").forEach((el) => el.classList.remove("unit-scanned"));
      line.classList.add("unit-scanned");
      const stop = line.closest(".stop");
      stop.scrollIntoView({ block: "start" });
      window.Scanner.ok(status, unit.barcode + ": " + stop.querySelector("h2").textContent.trim() + ", "
        + stop.querySelector("p strong").textContent.trim() + ".");
      const button = stop.querySelector("button[name=outcome]");
      if (button) button.focus({ preventScroll: true });
    } catch (err) {
      window.Scanner.bad(status, String(err.message || err));
    }
  }, null, { holdFocus: false });
})();
