// «Tilbake» on the error page: the browser's own back, so the form left behind keeps what was typed.
// Without a page to go back to, the link's own address (the start page) is followed.
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
