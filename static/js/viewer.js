// Scan viewer: page through, zoom and rotate; keyboard: + - zoom, r rotate, [ ] pages.
(function () {
  "use strict";
  var active = null;
  function setup(figure) {
    var images = Array.prototype.slice.call(figure.querySelectorAll(".viewer-stage img"));
    if (!images.length) { return; }
    var state = { page: 0, zoom: 1, rotate: 0 };
    var pageLabel = figure.querySelector("[data-role=page]");
    function render() {
      images.forEach(function (img, index) {
        img.hidden = index !== state.page;
        img.style.transform = "rotate(" + state.rotate + "deg) scale(" + state.zoom + ")";
      });
      if (pageLabel) { pageLabel.textContent = String(state.page + 1); }
    }
    var actions = {
      prev: function () { state.page = Math.max(0, state.page - 1); },
      next: function () { state.page = Math.min(images.length - 1, state.page + 1); },
      "zoom-in": function () { state.zoom = Math.min(4, state.zoom + 0.25); },
      "zoom-out": function () { state.zoom = Math.max(0.5, state.zoom - 0.25); },
      rotate: function () { state.rotate = (state.rotate + 90) % 360; }
    };
    figure.addEventListener("click", function (event) {
      var button = event.target.closest("[data-act]");
      active = figure;
      if (button && actions[button.dataset.act]) {
        actions[button.dataset.act]();
        render();
      }
    });
    figure.addEventListener("focus", function () { active = figure; });
    figure.viewerAct = function (name) { actions[name](); render(); };
    render();
  }
  document.querySelectorAll("[data-viewer]").forEach(setup);
  var keys = { "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "r": "rotate", "[": "prev", "]": "next" };
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "d" || event.key === "D") {
      var decision = document.getElementById("decision");
      if (decision) {
        event.preventDefault();
        decision.focus();
        var first = decision.querySelector("input[name=kind]");
        if (first) { first.focus(); }
      }
      return;
    }
    var name = keys[event.key];
    if (name && active && active.viewerAct) {
      event.preventDefault();
      active.viewerAct(name);
    }
  });
})();
