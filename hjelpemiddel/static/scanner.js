// What every scanning page shares: one input that always keeps focus and takes a keyboard-wedge
// scanner's characters + Enter (some send Tab) as well as typing; a loud refusal (red flash and a
// beep) and a quiet acceptance; JSON calls with the page's CSRF token and Norwegian error messages.
window.Scanner = (function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let audio = null;

  function attach(input, onCode, onEscape) {
    let busy = Promise.resolve();
    const keepFocus = () => { if (document.activeElement !== input) input.focus({ preventScroll: true }); };
    input.addEventListener("blur", () => setTimeout(keepFocus, 0));
    document.addEventListener("click", () => setTimeout(keepFocus, 0));
    window.addEventListener("focus", keepFocus);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        const code = input.value.trim();
        input.value = "";
        if (code) busy = busy.then(() => onCode(code));
      } else if (event.key === "Escape" && onEscape) {
        onEscape();
      }
    });
    keepFocus();
    return keepFocus;
  }

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = 330;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.35);
    } catch (e) { /* no audio device: the red flash still shows */ }
  }

  function ok(status, text) {
    status.className = "scan-status ok";
    status.textContent = text;
  }

  function bad(status, text) {
    status.className = "scan-status bad";
    status.textContent = text;
    document.body.classList.remove("flash-red");
    void document.body.offsetWidth;  // restart the animation on repeated errors
    document.body.classList.add("flash-red");
    beep();
  }

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
      throw new Error(data && data.error ? data.error.message : "Feil " + response.status);
    }
    return data;
  }

  return { attach, ok, bad, api };
})();
