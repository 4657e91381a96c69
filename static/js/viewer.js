// Scan viewer: page through, zoom, rotate, pan; keyboard: + - zoom, 0 fit to width, r rotate,
// [ ] pages, arrows pan, f large view (Esc closes).
// Zoom changes the image's size, not a transform: the stage scrolls over the whole page, and
// zooming keeps the top-left corner (title, name, ID lines) in view unless the pointer zooms.
(function () {
  "use strict";
  var active = null;
  function setup(figure) {
    var stage = figure.querySelector(".viewer-stage");
    var images = Array.prototype.slice.call(figure.querySelectorAll(".viewer-stage img"));
    if (!stage || !images.length) { return; }
    var canvas = document.createElement("div");
    canvas.className = "viewer-canvas";
    // OCR highlights: one SVG a page (in the page image's pixels), laid over its image.
    var marks = Array.prototype.slice.call(figure.querySelectorAll(".viewer-stage svg[data-marks-for]"));
    images.forEach(function (img) { canvas.appendChild(img); });
    marks.forEach(function (svg) { canvas.appendChild(svg); });
    stage.appendChild(canvas);
    var state = { page: 0, zoom: 1, rotate: 0 };
    var pageLabel = figure.querySelector("[data-role=page]");
    var zoomLabel = figure.querySelector("[data-role=zoom]");
    function ratio(img) {
      var w = Number(img.getAttribute("width")) || img.naturalWidth || 1;
      var h = Number(img.getAttribute("height")) || img.naturalHeight || 1;
      return h / w;
    }
    function render(anchor) {
      var img = images[state.page];
      var before = { w: canvas.offsetWidth || 1, h: canvas.offsetHeight || 1 };
      var across = Math.max(stage.clientWidth - 2, 50) * state.zoom;  // the width on screen
      var sideways = state.rotate % 180 !== 0;
      var w = sideways ? across / ratio(img) : across;  // the image's own width and height
      var h = w * ratio(img);
      images.forEach(function (other, index) { other.hidden = index !== state.page; });
      canvas.style.width = (sideways ? h : w) + "px";
      canvas.style.height = (sideways ? w : h) + "px";
      img.style.width = w + "px";
      img.style.height = h + "px";
      var shift = { 0: "", 90: "translate(" + h + "px, 0) ", 180: "translate(" + w + "px, " + h + "px) ", 270: "translate(0, " + w + "px) " }[state.rotate];
      img.style.transform = shift + "rotate(" + state.rotate + "deg)";
      img.dataset.zoom = String(state.zoom);
      marks.forEach(function (svg) {
        var shown = Number(svg.getAttribute("data-marks-for")) === state.page;
        if (shown) { svg.removeAttribute("hidden"); } else { svg.setAttribute("hidden", ""); }
        if (shown) {
          svg.style.width = img.style.width;
          svg.style.height = img.style.height;
          svg.style.transform = img.style.transform;
        }
      });
      if (pageLabel) { pageLabel.textContent = String(state.page + 1); }
      if (zoomLabel) { zoomLabel.textContent = Math.round(state.zoom * 100) + "%"; }
      if (anchor) {
        // Keep the point under the pointer where it was.
        var scaleX = canvas.offsetWidth / before.w, scaleY = canvas.offsetHeight / before.h;
        stage.scrollLeft = (stage.scrollLeft + anchor.x) * scaleX - anchor.x;
        stage.scrollTop = (stage.scrollTop + anchor.y) * scaleY - anchor.y;
      }
    }
    function zoomTo(value, anchor) {
      state.zoom = Math.min(4, Math.max(0.5, value));
      render(anchor);
    }
    var actions = {
      prev: function () { state.page = Math.max(0, state.page - 1); render(); },
      next: function () { state.page = Math.min(images.length - 1, state.page + 1); render(); },
      "zoom-in": function () { zoomTo(state.zoom + 0.25); },
      "zoom-out": function () { zoomTo(state.zoom - 0.25); },
      fit: function () { state.zoom = 1; render(); stage.scrollLeft = 0; stage.scrollTop = 0; },
      rotate: function () { state.rotate = (state.rotate + 90) % 360; render(); },
      large: function () {
        var on = !figure.classList.contains("viewer-large");
        figure.classList.toggle("viewer-large", on);
        document.body.classList.toggle("viewer-open", on);
        var button = figure.querySelector("[data-act=large]");
        if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
        render();
        figure.focus();
      }
    };
    figure.addEventListener("click", function (event) {
      var button = event.target.closest("[data-act]");
      active = figure;
      if (button && actions[button.dataset.act]) { actions[button.dataset.act](); }
    });
    figure.addEventListener("focusin", function () { active = figure; });
    // Ctrl + wheel zooms at the pointer; drag pans.
    stage.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) { return; }
      event.preventDefault();
      var box = stage.getBoundingClientRect();
      zoomTo(state.zoom + (event.deltaY < 0 ? 0.25 : -0.25), { x: event.clientX - box.left, y: event.clientY - box.top });
    }, { passive: false });
    var drag = null;
    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, left: stage.scrollLeft, top: stage.scrollTop };
      stage.classList.add("dragging");
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      stage.scrollLeft = drag.left - (event.clientX - drag.x);
      stage.scrollTop = drag.top - (event.clientY - drag.y);
    });
    window.addEventListener("pointerup", function () { drag = null; stage.classList.remove("dragging"); });
    window.addEventListener("resize", function () { render(); });
    images.forEach(function (img) { img.draggable = false; img.addEventListener("load", function () { render(); }); });
    figure.viewerAct = function (name) { actions[name](); };
    figure.viewerPan = function (dx, dy) { stage.scrollLeft += dx; stage.scrollTop += dy; };
    render();
  }
  document.querySelectorAll("[data-viewer]").forEach(setup);
  var keys = { "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "0": "fit", "r": "rotate", "[": "prev", "]": "next", "f": "large" };
  var pan = { ArrowLeft: [-60, 0], ArrowRight: [60, 0], ArrowUp: [0, -60], ArrowDown: [0, 60] };
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      var open = document.querySelector(".viewer-large");
      if (open && open.viewerAct) { open.viewerAct("large"); }
      return;
    }
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
    if (!active) { return; }
    if (pan[event.key] && active.viewerPan && active.contains(event.target)) {
      event.preventDefault();
      active.viewerPan(pan[event.key][0], pan[event.key][1]);
      return;
    }
    var name = keys[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (name && active.viewerAct) {
      event.preventDefault();
      active.viewerAct(name);
    }
  });
})();
