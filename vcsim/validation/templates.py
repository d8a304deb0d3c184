"""Text templates of the table: ``{treat.fetuin_a_g_per_L:g}`` filled from resolved parameters.

A field is ``{root}`` or ``{root.key}`` with an optional ``!r``/``!s`` conversion and format
spec; ``root`` names a value or a mapping (an arm's :class:`vcsim.params.Parameters`), ``key``
an entry of that mapping. Indexing (``{a[0]}``) and nested fields are not allowed. Every error
is one line naming where the template is and the name that did not resolve.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping
from typing import Any

from vcsim.validation.design import TableError


def _fields(where: str, text: str) -> list[tuple[str, str | None, str, str | None]]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TableError(f"{where}: {text!r} is not a valid template: {exc}") from None
    for _, name, spec, _ in parts:
        if name is not None and ("[" in name or "{" in (spec or "")):
            raise TableError(f"{where}: '{{{name}}}': indexing and nested fields are not allowed")
    return parts


def fill(where: str, text: str, names: Mapping[str, Any], allowed: str = "") -> str:
    """Fill ``text``: ``{a.b:spec}`` looks up ``names[a][b]`` (``names[a]`` a mapping), ``{a}``
    ``names[a]``. An unknown name is a TableError naming ``where`` and the key (``allowed``
    says what may be named; default: the names)."""
    out = []
    for literal, name, spec, conversion in _fields(where, text):
        out.append(literal)
        if name is None:
            continue
        root, _, key = name.partition(".")
        if root not in names:
            close = difflib.get_close_matches(root, list(names), n=1, cutoff=0.7)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = allowed or ", ".join(f"{r}.<parameter>" if isinstance(v, Mapping) else r
                                           for r, v in names.items())
            raise TableError(f"{where}: unknown template name '{{{name}}}'{hint}; "
                             f"allowed: {allowed}")
        value = names[root]
        if isinstance(value, Mapping):
            if not key or key not in value:
                close = difflib.get_close_matches(key, list(value), n=1, cutoff=0.6)
                hint = f"; did you mean '{root}.{close[0]}'?" if close else ""
                raise TableError(f"{where}: template name '{{{name}}}': '{key}' is not a "
                                 f"parameter{hint}")
            value = value[key]
        elif key:
            raise TableError(f"{where}: unknown template name '{{{name}}}'; '{root}' is a number")
        if conversion:
            value = repr(value) if conversion == "r" else str(value)
        try:
            out.append(format(value, spec or ""))
        except (ValueError, TypeError) as exc:
            raise TableError(f"{where}: '{{{name}:{spec}}}' cannot format {value!r}: "
                             f"{exc}") from None
    return "".join(out)
