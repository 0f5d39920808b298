// Wording check as staff type a reply: banned phrases are flagged at once from the pack's
// list, then the server's check (the same one that refuses the reply on submit) adds hints.
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  document.querySelectorAll('textarea[data-lint]').forEach(function (box) {
    var out = box.parentNode.nextElementSibling, timer = null;
    var banned = (box.dataset.banned || '').split('|').filter(Boolean);
    var allowed = (box.dataset.allowed || '').split('|').filter(Boolean)
      .sort(function (a, b) { return b.length - a.length; });
    function show(items) {
      out.innerHTML = '';
      items.forEach(function (f) {
        var p = document.createElement('p'); p.className = f.level; p.textContent = f.message;
        out.appendChild(p);
      });
    }
    box.addEventListener('input', function () {
      var text = box.value, screened = text;
      allowed.forEach(function (p) { screened = screened.split(p).join('\u0000'); });
      var local = banned.filter(function (p) { return screened.indexOf(p) >= 0; });
      show(local.map(function (p) { return { level: 'error', message: '⚠ ' + p }; }));
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams({ text: text, ref: box.dataset.ref, csrf_token: token });
        fetch(box.dataset.lint, { method: 'POST', body: body, credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : { findings: [] }; })
          .then(function (j) { show(j.findings); });
      }, 300);
    });
  });
})();
