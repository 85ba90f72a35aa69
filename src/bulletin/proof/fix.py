"""``--fix``: the accepted respellings written into the user's lexicon.

In: the suggestions (word → respelling) and the config. Out: the lexicon file written (created
when none is named: ``lexicon.toml`` beside bulletin.toml, which then names it under
``[script]``). An entry already there is replaced in place; comments and other lines stay. Every
file is replaced atomically. ``write_fixes(fixes, config)`` → the lexicon's path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from ..config import DEFAULT_CONFIG_FILE, Config
from ..fileio import atomic_write_text
from ..script.lexicon import read_lexicon

LEXICON_FILE = "lexicon.toml"


def _key(word: str) -> str:
    return word if re.fullmatch(r"[A-Za-z0-9_-]+", word) else json.dumps(word)


def _entry_line(word: str) -> re.Pattern[str]:
    quoted = re.escape(json.dumps(word))
    return re.compile(rf"^[ \t]*(?:{re.escape(word)}|{quoted})[ \t]*=.*$", re.MULTILINE)


def write_fixes(fixes: Mapping[str, str], config: Config) -> Path:
    """Write ``fixes`` into the user's lexicon (see the module's description)."""
    named = config.script.lexicon
    path = Path(named) if named else _name_lexicon(config)
    text = path.read_text("utf-8") if path.is_file() else ""
    if text:
        read_lexicon(path)  # an InputError naming it if it is not a lexicon now
    for word, said in fixes.items():
        line = f"{_key(word)} = {json.dumps(said)}"
        if _entry_line(word).search(text):
            text = _entry_line(word).sub(lambda _, line=line: line, text, count=1)
        else:
            text = text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"
    atomic_write_text(path, text)
    read_lexicon(path)
    return path


def _name_lexicon(config: Config) -> Path:
    """Name ``lexicon.toml`` under ``[script]`` in bulletin.toml (made if there is none)."""
    toml = config.source or DEFAULT_CONFIG_FILE
    text = toml.read_text("utf-8") if toml.is_file() else ""
    line = f'lexicon = "{LEXICON_FILE}"'
    header = re.search(r"^\[script\][ \t]*(#.*)?$", text, re.MULTILINE)
    unset = re.search(r'^[ \t]*lexicon[ \t]*=[ \t]*""[ \t]*(#.*)?$', text, re.MULTILINE)
    if unset:  # lexicon = "" given: name it there
        text = text[:unset.start()] + line + text[unset.end():]
    elif header:
        text = text[:header.end()] + "\n" + line + text[header.end():]
    else:
        text = text + ("" if not text or text.endswith("\n") else "\n") + f"\n[script]\n{line}\n"
    atomic_write_text(toml, text)
    return toml.parent / LEXICON_FILE
