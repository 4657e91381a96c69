// Uploads with a progress bar. Without JavaScript the form posts normally.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function bind(form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    var msg = form.dataset;
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input.files.length) {
        event.preventDefault();
        status.textContent = msg.msgChoose;
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.classList.remove("error", "ok");  // a new try starts neutral, whatever came before
      status.textContent = msg.msgUploading + "…";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((e.loaded / e.total) * 100);
          bar.value = percent;
          status.textContent = msg.msgUploading + " " + percent + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        if (data && data.ok) {
          status.classList.add("ok");
          status.textContent = msg.msgDone;
          window.location.assign(data.redirect);
          window.location.reload();
          return;
        }
        button.disabled = false;
        bar.value = 0;
        bar.hidden = true;
        status.textContent = data && data.errors ? data.errors.join(" ") : msg.msgFailed;
        status.classList.add("error");
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        bar.value = 0;
        bar.hidden = true;
        status.textContent = msg.msgNetwork;
        status.classList.add("error");
      });
      xhr.send(new FormData(form));
    });
  }
  document.querySelectorAll("form[data-upload]").forEach(bind);
  // Removing a file asks first (the file stays stored, but leaves the current set).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
