// The customer's signature drawn on the desk tablet (templates/web/actions/confirm.html).
// No framework and no inline script (Content-Security-Policy): pointer events draw on the
// <canvas>; on submit the drawing goes into the hidden field as a PNG data URL, which the
// server checks (core/voice/signatures.py: a real PNG, at most 64 KB, a sane size).
(function () {
  "use strict";
  var field = document.querySelector("[data-signature-pad]");
  if (!field) { return; }
  var canvas = field.querySelector("canvas");
  var output = field.querySelector("input[name=signature]");
  var form = field.closest("form");
  var ways = form.querySelectorAll("input[data-signature-way]");
  var context = canvas.getContext("2d");
  var drawn = false, last = null;

  function tablet() {
    var chosen = form.querySelector("input[data-signature-way]:checked");
    return chosen && chosen.value === "tablet";
  }

  function size() {
    // Device pixels up to 2x, so the line is sharp but the PNG stays small.
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var box = canvas.getBoundingClientRect();
    if (!box.width) { return; }
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    drawn = false;
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function show() {
    field.hidden = !tablet();
    if (!field.hidden && canvas.width !== Math.round(canvas.getBoundingClientRect().width *
        Math.min(window.devicePixelRatio || 1, 2))) { size(); }
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    context.beginPath();
    context.arc(last.x, last.y, 1, 0, 2 * Math.PI);
    context.fill();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!last) { return; }
    var here = point(event);
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(here.x, here.y);
    context.stroke();
    last = here;
  });
  function stop() { last = null; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    output.value = "";
  });
  Array.prototype.forEach.call(ways, function (way) { way.addEventListener("change", show); });
  form.addEventListener("submit", function () {
    output.value = tablet() && drawn ? canvas.toDataURL("image/png") : "";
  });
  field.closest("details").addEventListener("toggle", show);
  show();
}());
