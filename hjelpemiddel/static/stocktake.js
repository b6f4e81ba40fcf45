// A stocktake's counting page (input handling and sounds in scanner.js): a bin's label makes it the
// bin being counted, a unit's code counts the unit there; the server says which a code was, with the
// same words as every scanning page. The progress (bins, units, counters) is polled, so several
// counters see each other's work.
(function () {
  "use strict";
  const box = document.getElementById("stocktake");
  if (!box) return;
  const input = document.getElementById("scan-input");
  const status = document.getElementById("scan-status");
  const binEl = document.getElementById("current-bin");
  const list = document.getElementById("counted-list");
  const { ok, info, bad, api } = window.Scanner;
  const POLL_MS = 3000;
  let bin = null;

  // A phone counts with its camera: its field must not take the focus and open the keyboard.
  window.Scanner.attach(input, handle, null, { holdFocus: !window.matchMedia("(pointer: coarse)").matches });

  async function handle(code) {
    let answer;
    try {
      answer = await api("POST", box.dataset.scanUrl, { code: code, bin_code: bin });
    } catch (err) {
      bad(status, err.message);
      return;
    }
    if (answer.kind === "bin") {
      bin = answer.bin_code;
      binEl.textContent = bin;
      ok(status, answer.message);
    } else if (answer.repeated) {
      info(status, answer.message);
    } else {
      ok(status, answer.message);
      const item = document.createElement("li");
      item.textContent = answer.barcode + " – " + answer.product_name + " (" + answer.bin_code + ")";
      list.prepend(item);
      while (list.children.length > 20) list.lastElementChild.remove();
    }
    refresh();
  }

  function show(id, value) {
    const el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }

  async function refresh() {
    let progress;
    try {
      progress = await api("GET", box.dataset.progressUrl);
    } catch (err) {
      return;  // the next poll tries again; scanning goes on
    }
    if (progress.status !== "counting") {
      window.location.assign(box.dataset.resultUrl);
      return;
    }
    show("bins-done", progress.bins_done);
    show("bins-total", progress.bins_total);
    show("units-counted", progress.units_counted);
    const counters = document.getElementById("counters");
    counters.replaceChildren(...progress.counters.map((c) => {
      const item = document.createElement("li");
      item.textContent = c.name + ": " + c.units;
      return item;
    }));
  }

  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
})();
