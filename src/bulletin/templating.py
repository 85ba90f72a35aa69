"""Jinja2 environments for the shipped templates, with a user folder that may override any of them.

Text templates (spoken phrases) render without escaping; XML and HTML templates autoescape.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2


@lru_cache(maxsize=8)
def environment(user_dir: str = "") -> jinja2.Environment:
    """An environment that looks in ``user_dir`` first, then in the package's templates."""
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        loaders.append(jinja2.FileSystemLoader(user_dir))
    loaders.append(jinja2.PackageLoader("bulletin", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["xml", "html", "xml.j2", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, user_dir: str = "", **context: object) -> str:
    """Render template ``name`` with ``context``."""
    return environment(user_dir).get_template(name).render(**context)
