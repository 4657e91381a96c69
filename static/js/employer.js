// Employer's queue: select all, and the count of those chosen shown before submitting.
(function () {
  "use strict";
  var form = document.querySelector("form[data-bulk]");
  if (!form) { return; }
  var all = form.querySelector("[data-select-all]");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=applications]"));
  var count = form.querySelector("[data-selected-count]");
  function update() {
    var chosen = boxes.filter(function (box) { return box.checked; }).length;
    count.textContent = count.dataset.template.replace("{count}", String(chosen));
    all.checked = chosen === boxes.length && chosen > 0;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
  }
  all.closest("label").hidden = false;
  form.querySelector("[data-select-label]").hidden = true;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    update();
  });
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
