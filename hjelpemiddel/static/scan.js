// Scan station (input handling in scanner.js). A location scan starts "move mode":
// following device scans are put away there until the location is scanned again or Esc. A place
// that does not fit the unit is a warning: «Flytt likevel» (or scanning the unit again) moves it.
(function () {
  "use strict";
  const input = document.getElementById("scan-input");
  const status = document.getElementById("scan-status");
  const result = document.getElementById("result");
  const moveBox = document.getElementById("move-mode");
  const moveTargetEl = document.getElementById("move-target");
  const movedList = document.getElementById("moved-list");
  const confirmBox = document.getElementById("move-confirm");
  const confirmText = document.getElementById("move-confirm-text");
  const canMove = input.dataset.canMove === "true";
  const { ok: say, info: tell, bad: refuse, api } = window.Scanner;
  const ok = (text) => say(status, text);
  const info = (text) => tell(status, text);
  const bad = (text) => refuse(status, text);
  let moveTarget = null;
  let pending = null;  // {device, scan}: a move waiting for «Flytt likevel»

  const keepFocus = window.Scanner.attach(input, (code) => handle(code).catch((err) => bad(String(err.message || err))), escape);
  document.getElementById("move-stop").addEventListener("click", stopMove);
  document.getElementById("move-force").addEventListener("click", () => {
    if (pending) window.Scanner.submit(pending.device.barcode);
  });
  document.getElementById("move-cancel").addEventListener("click", () => {
    if (pending) info(pending.device.barcode + " ble ikke flyttet.");
    clearPending();
  });

  function clearPending() {
    pending = null;
    confirmBox.hidden = true;
    keepFocus();
  }

  function escape() {
    if (pending) {
      info(pending.device.barcode + " ble ikke flyttet.");
      clearPending();
      return;
    }
    stopMove();
  }

  function stopMove() {
    clearPending();
    if (moveTarget) info("Flytting til " + moveTarget.code + " avsluttet.");
    moveTarget = null;
    moveBox.hidden = true;
    keepFocus();
  }

  async function handle(code) {
    if (moveTarget && [moveTarget.code, moveTarget.barcode].includes(code.toUpperCase())) {
      stopMove();
      return;
    }
    if (pending && moveTarget && code.toUpperCase() === pending.device.barcode) {
      const { device, scan } = pending;
      clearPending();
      await move(device, scan, true);
      return;
    }
    clearPending();
    let scan;
    try {
      scan = await api("GET", "/api/v1/scan/" + encodeURIComponent(code));
    } catch (err) {
      bad(err.message);
      return;
    }
    if (scan.kind === "location") {
      showLocation(scan.location);
      if (!canMove) {
        ok("Lokasjon " + scan.location.code + ".");
        return;
      }
      moveTarget = scan.location;
      moveTargetEl.textContent = scan.location.code + (scan.location.name ? " (" + scan.location.name + ")" : "");
      moveBox.hidden = false;
      movedList.textContent = "";
      ok("Lokasjon " + scan.location.code + " valgt. Skann hjelpemidlene.");
      return;
    }
    if (moveTarget && scan.device.state === "returned") {
      // A unit off the van, scanned onto the receiving place: that is receiving it.
      await receive(scan.device, moveTarget.code);
      return;
    }
    if (moveTarget) {
      await move(scan.device, scan, false);
      return;
    }
    ok(scan.retired_label ? "Gammel etikett: hjelpemiddelet har nå " + scan.device.barcode + "." : scan.device.barcode + " funnet.");
    showDevice(scan.device, scan.history, scan);
  }

  async function move(device, scan, force) {
    try {
      const body = { location_code: moveTarget.code };
      if (force) body.force = true;
      const moved = await api("POST", "/api/v1/devices/" + encodeURIComponent(device.barcode) + "/move", body);
      device = moved.device;
      const history = await api("GET", "/api/v1/devices/" + encodeURIComponent(device.barcode) + "/history");
      const item = document.createElement("li");
      item.textContent = device.barcode + " " + device.product.name + (moved.moved ? " → " + moveTarget.code : " (stod der allerede)");
      movedList.prepend(item);
      ok(moved.moved ? device.barcode + " flyttet til " + moveTarget.code + "." : device.barcode + " står allerede på " + moveTarget.code + ".");
      showDevice(device, history, scan);
    } catch (err) {
      showDevice(device, scan.history, scan);
      if (err.code === "place_mismatch") {
        pending = { device, scan };
        confirmText.textContent = "Skann " + device.barcode + " en gang til eller trykk «Flytt likevel» for å flytte den til "
          + moveTarget.code + ". Esc eller «Ikke flytt» lar den stå.";
        confirmBox.hidden = false;
        refuse(status, err.message, "warn");
        return;
      }
      bad(err.message);
    }
  }

  async function receive(device, locationCode) {
    try {
      const body = { device_barcode: device.barcode };
      if (locationCode) body.location_code = locationCode;
      const receipt = await api("POST", "/api/v1/returns/receive", body);
      const again = await api("GET", "/api/v1/scan/" + encodeURIComponent(device.barcode));
      ok(receipt.message);
      showDevice(again.device, again.history, again);
    } catch (err) {
      bad(err.message);
    }
  }

  const KIND_LABELS = { depot: "Lager", zone: "Sone", rack: "Reol", shelf: "Hylle", bin: "Hyllerom", van: "Bil" };
  const RECEIVABLE = ["returned", "on_loan", "awaiting_pickup"];
  const FINAL = ["scrapped", "returned_to_nav"];

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function fact(dl, label, value) {
    dl.append(el("dt", label), el("dd", value === null || value === undefined || value === "" ? "–" : value));
  }

  function showLocation(location) {
    result.hidden = false;
    result.textContent = "";
    result.append(el("h2", "Lokasjon " + location.code));
    const dl = el("dl", null, "facts");
    fact(dl, "Navn", location.name);
    fact(dl, "Type", KIND_LABELS[location.kind] || location.kind);
    fact(dl, "Ligger i", location.path);
    fact(dl, "Kapasitet", location.capacity);
    fact(dl, "Strekkode", location.barcode);
    result.append(dl);
  }

  function showDevice(device, history, scan) {
    const { holder, run, hold } = scan;
    result.hidden = false;
    result.textContent = "";
    const title = el("h2", device.product.name + " ");
    const link = el("a", device.barcode, "mono");
    link.href = "/hjelpemidler/" + encodeURIComponent(device.barcode);
    title.append(link);
    result.append(title);
    const dl = el("dl", null, "facts");
    dl.dataset.testid = "device-card";
    fact(dl, "Status", device.state_label);
    fact(dl, "Lokasjon", device.location ? device.location.code + (device.location.path ? " (" + device.location.path + ")" : "") : null);
    fact(dl, "Eier", device.owner === "nav" ? "NAV" : "Kommunen");
    if (device.owner === "nav") fact(dl, "HMS-nr / NAV-serienr", device.nav_hms_nr + " / " + device.nav_serial);
    fact(dl, "Serienummer", device.serial_number);
    if (run) fact(dl, "Kjørerunde", "I " + (device.location ? device.location.code : "bilen") + " på kjørerunde " + run.id
      + (run.stop_sequence ? ", stopp " + run.stop_sequence : ""));
    if (holder) fact(dl, "Hos", holder.name + (holder.loan_until ? " (utlånt til " + new Date(holder.loan_until).toLocaleDateString("nb-NO") + ")" : ""));
    // A unit a recall keeps from lending says so while its state still reads free.
    if (hold) {
      fact(dl, "Holdes tilbake", hold);
      dl.lastChild.dataset.testid = "device-hold";
    }
    // A unit in quarantine after an incident says so at once, before its history.
    const incident = device.state === "quarantined"
      ? (history || []).filter((e) => e.kind === "incident").pop() : null;
    if (incident) {
      fact(dl, "Uhell", (incident.note || "").replace(/^Uhell: /, ""));
      dl.lastChild.dataset.testid = "device-incident";
    }
    result.append(dl);
    if (!FINAL.includes(device.state)) {
      const report = el("a", "Meld uhell", "button secondary");
      report.href = "/uhell/ny?strekkode=" + encodeURIComponent(device.barcode);
      report.dataset.testid = "report-incident";
      result.append(report);
    }
    if (canMove && RECEIVABLE.includes(device.state)) {
      const button = el("button", device.state === "returned" ? "Ta imot på lageret" : "Ta imot (levert inn over disken)");
      button.type = "button";
      button.dataset.testid = "receive";
      button.addEventListener("click", () => receive(device, null));
      result.append(button);
    }
    result.append(el("h2", "Historikk"));
    const wrap = el("div", null, "table-wrap");
    const table = el("table");
    wrap.append(table);
    const head = el("tr");
    ["Tid", "Hendelse", "Status", "Sted", "Av", "Merknad"].forEach((h) => head.append(el("th", h)));
    table.append(head);
    (history || []).slice().reverse().forEach((e) => {
      const row = el("tr");
      const when = new Date(e.occurred_at).toLocaleString("nb-NO", { dateStyle: "short", timeStyle: "short" });
      row.append(el("td", when), el("td", e.kind_label), el("td", e.to_state_label || ""),
        el("td", (e.from_location && e.from_location !== e.to_location ? e.from_location + " → " : "") + (e.to_location || "")),
        el("td", e.actor || "system"), el("td", e.note || ""));
      table.append(row);
    });
    result.append(wrap);
  }

})();
