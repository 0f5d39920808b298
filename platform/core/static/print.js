// Print buttons ([data-print]): a static script, as the Content-Security-Policy allows no
// inline event handlers (core/web/headers.py).
(function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
})();
