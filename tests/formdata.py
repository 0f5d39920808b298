"""What a browser would submit for a form of a rendered page (for tests of generated forms)."""
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None
        self._options = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea[1]
            self.fields.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(html, form_id):
    """[(name, value)] in document order, as the browser would send them."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.fields


class Form:
    """A submitted form to edit: ``form["name"] = value``, ``form.check(name, value)``."""

    def __init__(self, html, form_id):
        self.fields = form_fields(html, form_id)

    def names(self):
        return {n for n, _ in self.fields}

    def get(self, name):
        return next((v for n, v in self.fields if n == name), None)

    def __getitem__(self, name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __setitem__(self, name, value):
        for i, (n, _) in enumerate(self.fields):
            if n == name:
                self.fields[i] = (n, value)
                return
        self.fields.append((name, value))

    def check(self, name, value):
        self.fields.append((name, value))

    def uncheck(self, name, value=None):
        self.fields = [(n, v) for n, v in self.fields
                       if not (n == name and (value is None or v == value))]

    def data(self):
        from werkzeug.datastructures import MultiDict
        return MultiDict(self.fields)
