"""Fail if a built page of the documentation loads anything from outside the site.

The site must work without a network (every asset local, math rendered by the bundled MathJax):
this scans every HTML, CSS and JS file of the build for resources fetched from a remote URL
(``<script src>``, ``<link href>`` of stylesheets, icons and preloads, ``<img>``/``<source>``/
``<iframe>`` ``src``, CSS ``url(...)`` and ``@import``). Plain hyperlinks (``<a href>``) are
allowed: following one is the reader's choice, not something the page loads. ::

    python docs/check_offline.py docs/_build/html
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.I)
LOADING_RELS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest",
                "apple-touch-icon", "shortcut"}


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in {"script", "img", "source", "iframe", "embed", "audio", "video", "track"}:
            for key in ("src", "srcset", "data-src"):
                if REMOTE.match(a.get(key, "")):
                    self.remote.append(f"<{tag} {key}={a[key]}>")
        if tag == "link" and set(a.get("rel", "").lower().split()) & LOADING_RELS:
            if REMOTE.match(a.get("href", "")):
                self.remote.append(f"<link rel={a['rel']} href={a['href']}>")
        if tag == "object" and REMOTE.match(a.get("data", "")):
            self.remote.append(f"<object data={a['data']}>")
        if "style" in a:
            self.remote += CSS_URL.findall(a["style"])
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.remote += CSS_URL.findall(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False


def remote_assets(site: Path) -> dict[str, list[str]]:
    """Every remote resource each file of ``site`` would load, by path relative to ``site``."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        if path.suffix not in {".html", ".css"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            parser = _Assets()
            parser.feed(text)
            hits = parser.remote
        else:
            hits = CSS_URL.findall(text)
        if hits:
            found[str(path.relative_to(site))] = hits
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site = Path(args[0] if args else "docs/_build/html")
    if not (site / "index.html").is_file():
        print(f"check_offline: {site} has no index.html; build the docs first (make docs)")
        return 2
    found = remote_assets(site)
    for page, hits in found.items():
        for hit in hits:
            print(f"check_offline: {page} loads a remote resource: {hit}")
    n = sum(1 for _ in site.rglob("*.html"))
    if found:
        return 1
    print(f"check_offline: {n} pages, no remote resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
