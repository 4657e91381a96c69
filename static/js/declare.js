// The declaration: the chsi tick follows the graduation date (chsi registers degrees from
// 2002 on), and the error summary takes the focus so a screen reader hears it first.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  var graduated = document.getElementById("id_graduation_date");
  var registered = document.getElementById("id_chsi_registered");
  if (!graduated || !registered) return;
  function follow() {
    var early = /^\d{4}-\d{2}$/.test(graduated.value) && graduated.value < "2002-01";
    if (early) registered.checked = false;
    registered.disabled = early;
  }
  graduated.addEventListener("change", follow);
  graduated.addEventListener("input", follow);
  follow();
})();
