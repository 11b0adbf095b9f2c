"""JSON as the API sends it: what residents typed is echoed back, so it must never read as HTML."""

from __future__ import annotations

from flask.json.provider import DefaultJSONProvider

# Outside strings JSON has none of these characters, so escaping them keeps the document's meaning.
HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """As Jinja's |tojson does: <, >, & and ' are written as \\u escapes, so a query such as
    "<script>" comes back as data and a browser sniffing the response finds no markup in it."""

    def dumps(self, obj, **kwargs) -> str:
        return super().dumps(obj, **kwargs).translate(HTML_SAFE)
