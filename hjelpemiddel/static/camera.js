// «Skann med kamera»: drivers and technicians carry phones, not keyboard-wedge scanners. A button
// marked data-camera-scan opens the rear camera in a dialog and reads Code 128 (our labels), QR and
// DataMatrix; the code then goes to the page exactly as a scanner would have typed it.
// The browser's BarcodeDetector is used where it exists (Android, macOS); elsewhere the vendored ZXing
// library (static/vendor, pure JavaScript: no eval, no WebAssembly, so the CSP stays as it is) is
// loaded on first use only, so desks with a scanner never download it.
(function () {
  "use strict";
  const buttons = Array.from(document.querySelectorAll("[data-camera-scan]"));
  const libraryUrl = document.currentScript && document.currentScript.dataset.zxing;
  if (!buttons.length || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  const DETECTOR_FORMATS = ["code_128", "qr_code", "data_matrix"];
  const PAUSE_MS = 120;  // between two attempts on the library path: keeps a phone's page responsive
  const MAX_SIDE = 960;  // frames are scaled down to this before decoding; labels stay readable
  let dialog = null;
  let session = null;

  // Desktops without a camera keep the button hidden; one plugged in later shows it.
  async function showWhereACameraIs() {
    let devices = [];
    try { devices = await navigator.mediaDevices.enumerateDevices(); } catch (e) { devices = []; }
    const hasCamera = devices.some((device) => device.kind === "videoinput");
    buttons.forEach((button) => { button.hidden = !hasCamera; });
  }
  buttons.forEach((button) => button.addEventListener("click", () => open(button)));
  navigator.mediaDevices.addEventListener("devicechange", showWhereACameraIs);
  showWhereACameraIs();

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (text) node.textContent = text;
    return node;
  }

  function buildDialog() {
    const box = el("dialog", { class: "camera-dialog", "aria-labelledby": "camera-title", "data-testid": "camera-dialog" });
    const title = el("h2", { id: "camera-title" }, "Skann med kamera");
    const status = el("p", { class: "camera-status", role: "status", "aria-live": "polite", "data-testid": "camera-status" });
    const frame = el("div", { class: "camera-frame" });
    const video = el("video", { "aria-label": "Bilde fra kameraet", muted: "", playsinline: "", autoplay: "" });
    video.muted = true;
    frame.append(video);
    const close = el("button", { type: "button", class: "camera-close" }, "Lukk kameraet");
    close.addEventListener("click", () => box.close());
    box.append(title, status, frame, close);
    // Esc and «Lukk» both end here: the camera light must go off whichever way the dialog closes.
    box.addEventListener("close", stop);
    document.body.append(box);
    return { box, status, video };
  }

  async function open(button) {
    dialog = dialog || buildDialog();
    stop();
    const current = { button, stream: null, timer: null, closed: false };
    session = current;
    dialog.status.textContent = "Starter kameraet …";
    dialog.box.showModal();
    try {
      current.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (err) {
      if (!current.closed) dialog.status.textContent = cameraProblem(err);
      return;
    }
    if (current.closed) { release(current); return; }
    dialog.video.srcObject = current.stream;
    try { await dialog.video.play(); } catch (e) { /* autoplay refused: frames still arrive once shown */ }
    let detect;
    try {
      detect = await makeDetector();
    } catch (err) {
      if (!current.closed) dialog.status.textContent = "Strekkodeleseren kunne ikke lastes ned. Sjekk nettverket og prøv igjen.";
      return;
    }
    if (current.closed) return;
    dialog.status.textContent = "Hold strekkoden inne i bildet.";
    scanLoop(current, detect);
  }

  function cameraProblem(err) {
    const name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Nettleseren har ikke lov til å bruke kameraet. Gi tilgang i nettleserens innstillinger, eller skann med skanneren.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") return "Fant ikke noe kamera på denne enheten.";
    if (name === "NotReadableError") return "Kameraet er i bruk av et annet program. Lukk det og prøv igjen.";
    return "Kameraet kunne ikke startes.";
  }

  function scanLoop(current, detect) {
    const attempt = async () => {
      if (current.closed) return;
      let code = null;
      try { code = await detect(dialog.video); } catch (e) { code = null; }
      if (current.closed) return;
      if (code) {
        found(current, code);
        return;
      }
      current.timer = setTimeout(attempt, PAUSE_MS);
    };
    attempt();
  }

  function found(current, code) {
    if (navigator.vibrate) navigator.vibrate(80);
    dialog.box.close();
    deliver(current.button, code.trim());
  }

  function stop() {
    if (!session) return;
    session.closed = true;
    release(session);
    session = null;
  }

  function release(current) {
    clearTimeout(current.timer);
    if (current.stream) current.stream.getTracks().forEach((track) => track.stop());
    if (dialog) dialog.video.srcObject = null;
  }

  // --- decoding: the browser's own detector, else ZXing -----------------------------------------

  let detectorPromise = null;
  function makeDetector() {
    detectorPromise = detectorPromise || nativeDetector().then((native) => native || libraryDetector());
    detectorPromise.catch(() => { detectorPromise = null; });  // a failed download may work next time
    return detectorPromise;
  }

  async function nativeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    let formats = [];
    try { formats = await window.BarcodeDetector.getSupportedFormats(); } catch (e) { return null; }
    const wanted = DETECTOR_FORMATS.filter((format) => formats.includes(format));
    // Without Code 128 the detector cannot read our own labels: the library can.
    if (!wanted.includes("code_128")) return null;
    const detector = new window.BarcodeDetector({ formats: wanted });
    return async (video) => {
      if (video.readyState < 2) return null;
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    };
  }

  function loadLibrary() {
    if (window.ZXing) return Promise.resolve(window.ZXing);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = libraryUrl;
      script.addEventListener("load", () => (window.ZXing ? resolve(window.ZXing) : reject(new Error("ZXing"))));
      script.addEventListener("error", () => { script.remove(); reject(new Error("ZXing")); });
      document.head.append(script);
    });
  }

  async function libraryDetector() {
    const ZXing = await loadLibrary();
    const hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS,
      [ZXing.BarcodeFormat.CODE_128, ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.DATA_MATRIX]);
    hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
    const reader = new ZXing.MultiFormatReader();
    reader.setHints(hints);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (video.readyState < 2 || !width || !height) return null;
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(new ZXing.HTMLCanvasElementLuminanceSource(canvas)));
      try {
        return reader.decodeWithState(bitmap).getText();
      } catch (e) {
        return null;  // nothing readable in this frame (not found, checksum, format): try the next one
      } finally {
        reader.reset();
      }
    };
  }

  // --- handing the code to the page -------------------------------------------------------------

  // The scan field a button fills: the first empty one beside it (HMS-nr, then serial number), or the
  // first one when all are filled (a new scan replaces the old).
  function targetOf(button) {
    const container = button.closest("form, section, .card") || document;
    const inputs = Array.from(container.querySelectorAll("[data-scan-input]"));
    return inputs.find((input) => !input.value.trim()) || inputs[0] || null;
  }

  // As if typed by a keyboard-wedge scanner. data-scan-input says what the field does with a code:
  // "scanner": a scanning page's own input, which gets the code and Enter (or the shared scanner
  //   code's submit, where it has one);
  // "submit": a form field; the form is sent once nothing it requires is missing, else the missing
  //   field gets the focus;
  // "fill": a form that needs more from the person (who picks it up, why it is quarantined): the
  //   code is filled in and the next field gets the focus.
  function deliver(button, code) {
    const input = targetOf(button);
    if (!input) return;
    const mode = input.dataset.scanInput;
    if (mode === "scanner") {
      input.focus({ preventScroll: true });
      if (window.hjmScan && typeof window.hjmScan.submit === "function") {
        window.hjmScan.submit(code);
        return;
      }
      input.value = code;
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true, cancelable: true }));
      return;
    }
    input.value = code;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const form = input.form;
    if (!form) { input.focus(); return; }
    if (mode === "submit") {
      const missing = form.querySelector(":invalid");
      if (!missing) {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
        return;
      }
      missing.focus();
      return;
    }
    const fields = Array.from(form.elements).filter((field) =>
      !field.disabled && field.type !== "hidden" && field.tagName !== "FIELDSET" && !field.hasAttribute("data-camera-scan"));
    const next = fields[fields.indexOf(input) + 1];
    (next || input).focus();
  }
})();
