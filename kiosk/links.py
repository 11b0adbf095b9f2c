"""Links in article HTML, made safe for a kiosk: nothing on the kiosk may take a visitor off the kiosk.

A link to another website, or to a document (a PDF, even on our own site), becomes a QR code the visitor
opens on their own phone, with the link's text and the address printed under it. `mailto:` and `tel:` links
become plain text (a kiosk has no mail or phone app), and so does anything else that is not an ordinary
web address. Links to our own pages stay links, made relative so they stay on the kiosk.

Pure: no Flask, no database. The HTML comes from knowledge_base.markdown (already sanitised by nh3); it is
parsed with the standard library's parser and written out again with every text and attribute escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from markupsafe import Markup

from .qr import qr_svg

SCAN_LABEL = "Scan to open on your phone"
DOCUMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".xls", ".xlsx", ".ods", ".csv", ".ppt", ".pptx"}
    | {".odp", ".zip", ".epub", ".jpg", ".jpeg", ".png", ".gif", ".mp3", ".mp4"}
)
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "input", "col", "source"})
# A figure may not sit inside these: it goes after the element instead.
PHRASING_CONTAINERS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "caption"})
# A figure may sit inside these: it goes at their end, after the sentence that mentions it.
FLOW_CONTAINERS = frozenset({"li", "td", "th", "blockquote", "dd"})
UNWRITTEN = "~"  # marks an open <a> on the stack whose tag was not written out
DEFAULT_PORTS = {"http": "80", "https": "443"}
# What browsers ignore in an address (WHATWG URL): tabs and newlines anywhere, control characters and
# spaces at either end.
_IGNORED_INSIDE = re.compile(r"[\t\n\r]")
_IGNORED_AT_ENDS = "".join(chr(code) for code in range(0x21))


@dataclass(frozen=True)
class Treatment:
    kind: str  # "keep" (a link on the kiosk), "qr" (a QR code of url) or "text" (no link at all)
    url: str = ""
    shown_address: str = ""  # for "text": the address shown after the text when the text lacks it


def treat(href: str | None, own_hosts: frozenset[str], page_url: str) -> Treatment:
    """What a kiosk does with one link. page_url: this page's public address, to resolve relative links."""
    href = _IGNORED_INSIDE.sub("", href or "").strip(_IGNORED_AT_ENDS)
    if not href or "\\" in href:  # a backslash reads as a slash to browsers: "/\evil.example" leaves
        return Treatment("text")
    if href.startswith("#"):
        return Treatment("keep", href)
    try:
        parts = urlsplit(href)
        absolute = urlsplit(urljoin(page_url, href))
        port = absolute.port
    except ValueError:
        return Treatment("text")
    scheme = parts.scheme.lower()
    if scheme in {"mailto", "tel"}:
        return Treatment("text", shown_address=parts.path)
    web = {"http", "https"}
    if scheme not in {"", *web} or absolute.scheme not in web or not absolute.hostname:
        return Treatment("text")
    host = absolute.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    if port is not None and str(port) != DEFAULT_PORTS[absolute.scheme]:
        host = f"{host}:{port}"
    public = urlunsplit(absolute._replace(netloc=host))  # without any user name or password in it
    if host not in own_hosts or _is_document(absolute.path):
        return Treatment("qr", public)
    return Treatment("keep", urlunsplit(("", "", absolute.path or "/", absolute.query, absolute.fragment)))


def _is_document(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return "." in name and name[name.rindex(".") :] in DOCUMENT_EXTENSIONS


def normalise_host(host: str) -> str:
    """'Example.org:443' and 'example.org' are the same host for an https page; ports kept otherwise."""
    host = host.strip().lower()
    for default in (":80", ":443"):
        if host.endswith(default):
            return host[: -len(default)]
    return host


def kiosk_links(html: str, own_hosts, page_url: str, scan_label: str = SCAN_LABEL) -> Markup:
    """The HTML with every link that would leave the kiosk replaced (see the module's description).

    own_hosts: host names (with a port where it is not the default) that are this site; page_url: the page's
    public address; scan_label: the words over each QR code, in the visitor's language."""
    own_hosts = [own_hosts] if isinstance(own_hosts, str) else own_hosts
    hosts = frozenset(normalise_host(host) for host in own_hosts)
    writer = _KioskLinkWriter(hosts, page_url, scan_label)
    writer.feed(str(html or ""))
    writer.close()
    return Markup(writer.output())  # noqa: S704 - every text and attribute is escaped as it is written  # nosec B704


@dataclass
class _OpenLink:
    treatment: Treatment
    depth: int
    words: list[str] = field(default_factory=list)


class _KioskLinkWriter(HTMLParser):
    def __init__(self, own_hosts: frozenset[str], page_url: str, scan_label: str):
        super().__init__(convert_charrefs=True)
        self.own_hosts = own_hosts
        self.page_url = page_url
        self.scan_label = scan_label
        self.out: list[str] = []
        self.stack: list[str] = []
        self.link: _OpenLink | None = None
        self.pending: list[tuple[int, str, str]] = []  # (container depth, url, figure html)

    def output(self) -> str:
        while self.stack:  # anything left open is closed, a link's words included
            self._close(self.stack.pop(), len(self.stack))
        self._flush(0)
        return "".join(self.out)

    # parser callbacks

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open_link(dict(attrs))
            return
        self.out.append(_start_tag(tag, attrs))
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag != "a":
            self.out.append(_start_tag(tag, attrs))

    def handle_endtag(self, tag):
        if tag not in {open_tag.rstrip(UNWRITTEN) for open_tag in self.stack}:
            return  # a stray end tag: dropped
        while self.stack:
            depth = len(self.stack) - 1
            open_tag = self.stack.pop()
            self._close(open_tag, depth)
            if open_tag.rstrip(UNWRITTEN) == tag:
                break

    def handle_data(self, data):
        if self.link is not None:
            self.link.words.append(data)
        self.out.append(escape(data, quote=False))

    # comments, declarations and processing instructions are dropped (nh3 has removed them already)

    # writing

    def _open_link(self, attrs: dict):
        if self.link is not None:  # a link inside a link is not valid HTML: its text only
            self.stack.append("a" + UNWRITTEN)
            return
        treatment = treat(attrs.get("href"), self.own_hosts, self.page_url)
        if treatment.kind == "keep":
            kept = [(name, value) for name, value in attrs.items() if name != "href"]
            self.out.append(_start_tag("a", [("href", treatment.url), *kept]))
            self.stack.append("a")
            return
        self.stack.append("a" + UNWRITTEN)
        self.link = _OpenLink(treatment, len(self.stack) - 1)
        css = "app-kiosk-qr-ref" if treatment.kind == "qr" else "app-kiosk-link-text"
        self.out.append(f'<span class="{css}">')

    def _close(self, tag: str, depth: int):
        if self.link is not None and depth == self.link.depth:
            self._close_link()
            return
        if tag.endswith(UNWRITTEN):
            return
        if tag in FLOW_CONTAINERS:
            self._flush(depth)
        self.out.append(f"</{tag}>")
        if tag in PHRASING_CONTAINERS:
            self._flush(depth)

    def _close_link(self):
        link, self.link = self.link, None
        words = " ".join("".join(link.words).split())
        treatment = link.treatment
        if treatment.kind == "text":
            address = treatment.shown_address
            if address and "".join(address.split()) not in "".join(words.split()):
                self.out.append(escape(f" ({address})" if words else address, quote=False))
            self.out.append("</span>")
            return
        self.out.append("</span>")
        container = next(
            (index for index in range(len(self.stack) - 1, -1, -1)
             if self.stack[index] in PHRASING_CONTAINERS | FLOW_CONTAINERS),
            None,
        )  # fmt: skip
        figure = self._figure(treatment.url, words or treatment.url)
        if container is None:
            self.out.append(figure)
        elif (container, treatment.url) not in {(depth, url) for depth, url, _ in self.pending}:
            self.pending.append((container, treatment.url, figure))

    def _flush(self, depth: int):
        """Write the QR codes waiting for the container at `depth` (and any deeper ones left over)."""
        waiting = [figure for container, _, figure in self.pending if container >= depth]
        self.pending = [entry for entry in self.pending if entry[0] < depth]
        self.out.extend(waiting)

    def _figure(self, url: str, words: str) -> str:
        label = f"{self.scan_label}: {words}"
        return (
            f'<figure class="app-kiosk-qr" aria-label="{escape(label)}">'
            f'<div class="app-kiosk-qr__code">{qr_svg(url, url)}</div>'
            f'<figcaption class="app-kiosk-qr__caption">'
            f'<span class="app-kiosk-qr__scan">{escape(self.scan_label)}</span> '
            f'<span class="app-kiosk-qr__text">{escape(words)}</span> '
            f'<span class="app-kiosk-qr__address">{escape(url)}</span>'
            f"</figcaption></figure>"
        )


def _start_tag(tag: str, attrs) -> str:
    written = []
    for name, value in attrs:
        if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
            continue  # nh3 keeps none of these; never written, whatever came in
        written.append(f" {name}" if value is None else f' {name}="{escape(value)}"')
    return f"<{tag}{''.join(written)}>"
