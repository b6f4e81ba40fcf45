// «Alle punkter OK» on the inspection page: with JavaScript it ticks OK on every point and leaves the
// form for a last look (one point can still be set to «Avvik»); without it the button submits the
// form and the server passes every point.
(function () {
  "use strict";
  const button = document.querySelector("[data-all-ok]");
  if (!button) {
    return;
  }
  const form = button.form;
  const status = document.querySelector("[data-all-ok-status]");
  button.addEventListener("click", (event) => {
    event.preventDefault();
    form.querySelectorAll('input[type="radio"][value="ok"]').forEach((radio) => {
      radio.checked = true;
    });
    if (status) {
      status.textContent = "Alle punkter er satt til OK. Endre et punkt ved avvik, og lagre kontrollen.";
    }
    const save = form.querySelector("[data-save]");
    if (save) {
      save.focus();
    }
  });
})();
