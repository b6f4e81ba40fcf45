// What every scanning page shares: one input that always keeps focus and takes a keyboard-wedge
// scanner's characters + Enter (some send Tab) as well as typing; one place that acts on a scanned
// code (window.hjmScan.submit, also for the camera); distinct sounds and a vibration for success and
// refusal (window.scanFeedback), with the same words in the page's live status region; JSON calls
// with the page's CSRF token and Norwegian error messages.
window.scanFeedback = (function () {
  "use strict";
  let audio = null;
  const root = document.documentElement;

  // Counted on <html> (data-scan-ok / data-scan-error) so tests can see feedback without sound.
  function count(kind) {
    const key = kind === "ok" ? "scanOk" : "scanError";
    root.dataset[key] = String((parseInt(root.dataset[key] || "0", 10) || 0) + 1);
  }

  function tone(frequency, type, start, length, volume) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = type;
    osc.frequency.value = frequency;
    gain.gain.value = volume;
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length);
  }

  function play(tones) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      tones.forEach((t) => tone(...t));
    } catch (e) { /* no audio device: the status text (and the red flash) still show */ }
  }

  function vibrate(pattern) {
    try { if (navigator.vibrate) navigator.vibrate(pattern); } catch (e) { /* not on this device */ }
  }

  // Success: one short high beep. Refusal: a low double buzz, unmistakable across a noisy depot.
  function ok() {
    count("ok");
    play([[1320, "sine", 0, 0.09, 0.15]]);
    vibrate(60);
  }

  function error() {
    count("error");
    play([[170, "square", 0, 0.16, 0.2], [170, "square", 0.24, 0.16, 0.2]]);
    vibrate([120, 80, 120]);
  }

  return { ok, error };
})();

window.Scanner = (function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let handler = null;
  let busy = Promise.resolve();

  // The one way a code is acted on, whether it came from the keyboard scanner, typing or the camera:
  // codes are handled one after the other, in the order they came.
  function submit(code) {
    code = String(code || "").trim();
    if (!code || !handler) return busy;
    busy = busy.then(() => handler(code)).catch(() => undefined);
    return busy;
  }

  const editable = (el) => el && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));

  // holdFocus false (a phone's page, where a focused field opens the keyboard): the field takes
  // codes typed or scanned into it and from the camera, but never takes the focus by itself.
  function attach(input, onCode, onEscape, options) {
    handler = onCode;
    const holdFocus = !options || options.holdFocus !== false;
    // The scan field takes the focus back when it goes nowhere (a click on the page, the window
    // regained), never from a control a keyboard user moved to: that would trap them in the field.
    const keepFocus = () => {
      const active = document.activeElement;
      if (!active || active === document.body) input.focus({ preventScroll: true });
    };
    if (holdFocus) {
      input.addEventListener("blur", () => setTimeout(keepFocus, 0));
      document.addEventListener("click", () => setTimeout(keepFocus, 0));
      window.addEventListener("focus", keepFocus);
      // A scanner types wherever the focus is: a character typed outside a field goes to the scan field.
      document.addEventListener("keydown", (event) => {
        if (event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey
            && !editable(document.activeElement)) {
          input.focus({ preventScroll: true });
        }
      });
    }
    input.addEventListener("keydown", (event) => {
      // Scanners end a code with Enter or Tab; a Tab in an empty field is a person moving on.
      if (event.key === "Enter" || (event.key === "Tab" && input.value.trim())) {
        event.preventDefault();
        const code = input.value;
        input.value = "";
        submit(code);
      } else if (event.key === "Escape" && onEscape) {
        onEscape();
      }
    });
    // What a page calls when its own action is done (a move confirmed or cancelled): back to scanning.
    const focusScan = () => input.focus({ preventScroll: true });
    if (holdFocus) focusScan();
    return focusScan;
  }

  function ok(status, text) {
    status.className = "scan-status ok";
    status.textContent = text;
    window.scanFeedback.ok();
  }

  // Neither a success nor a refusal (a location chosen, move mode ended): words only.
  function info(status, text) {
    status.className = "scan-status ok";
    status.textContent = text;
  }

  function bad(status, text, cls) {
    status.className = "scan-status " + (cls || "bad");
    status.textContent = text;
    document.body.classList.remove("flash-red");
    void document.body.offsetWidth;  // restart the animation on repeated errors
    document.body.classList.add("flash-red");
    window.scanFeedback.error();
  }

  // An API refusal as an Error carrying the answer's code and details, for pages that act on them.
  async function api(method, url, body) {
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: Object.assign({ Accept: "application/json" },
          body ? { "Content-Type": "application/json", "X-CSRF-Token": csrf } : {}),
        body: body ? JSON.stringify(body) : undefined,
        credentials: "same-origin",
      });
    } catch (e) {
      throw new Error("Får ikke kontakt med tjenesten. Sjekk nettverket og skann på nytt.");
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const err = new Error(data && data.error ? data.error.message : "Feil " + response.status);
      err.code = data && data.error ? data.error.code : null;
      err.details = data && data.error ? data.error.details : null;
      err.status = response.status;
      throw err;
    }
    return data;
  }

  return { attach, submit, ok, info, bad, api };
})();

window.hjmScan = { submit: window.Scanner.submit };
