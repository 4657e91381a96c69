// Roster import progress: polls the import's progress until validation is done, then reloads.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box || box.dataset.done) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-role=progress-text]");
  function poll() {
    fetch(box.dataset.importProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (bar) { bar.value = data.percent; }
        if (text) { text.textContent = data.processed + " / " + data.total; }
        if (data.done) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
