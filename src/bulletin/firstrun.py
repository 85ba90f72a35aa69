"""A first run that asks: ``init_config(path, given, force)`` writes a commented bulletin.toml.

In: the file to write, the answers given as options (``Answers``; None for one not given) and
whether an existing file may be replaced. Out: ``Written`` (the file, whether it replaced one, the
answers, warnings), once the file, rendered from ``templates/bulletin.toml.j2``, is in place
(written atomically). It names the show's title, author, e-mail, language and public base URL,
and the voice (engine and voice), and shows every other setting, commented, at its default.

Every answer is held to its setting's rule (config.py) and, where a first run can tell more, a
stricter one: the author is not empty, the e-mail is an address, the language a code like en-gb,
the engine one bulletin has, the voice one that engine can speak. A bad option is refused in one
line naming it (``InputError``); a bad answer at the prompt is asked again. What no option gives is
asked for (``typer.prompt``); at the end of input, with no one to answer, a question with a
default takes it and one without is refused naming its option. An existing file is never replaced
without ``force``.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import typer

from . import interrupt
from .config import Config
from .conversion import named
from .errors import InputError, ToolError
from .fileio import atomic_write_text, file_kind
from .templating import render

TEMPLATE = "bulletin.toml.j2"
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Answers:
    """The first run's answers; None: not given (asked for)."""

    title: str | None = None
    author: str | None = None
    email: str | None = None
    language: str | None = None
    base_url: str | None = None
    engine: str | None = None
    voice: str | None = None


@dataclass(frozen=True)
class Written:
    """What ``init_config`` did: the file, whether it replaced one, the answers it wrote, and
    what the user should know (an engine that cannot run on this machine)."""

    path: Path
    replaced: bool
    answers: Answers
    warnings: tuple[str, ...] = ()


def _required(value: str) -> str | None:
    return None if value else "must not be empty"


def _email(value: str) -> str | None:
    return None if _EMAIL.fullmatch(value) else "must be an e-mail address, like news@example.org"


def _language(value: str) -> str | None:
    if _LANGUAGE.fullmatch(value):
        return None
    return "must be a language code, like en-gb, en-us or fr"


def _engine(value: str) -> str | None:
    from .tts import ENGINES

    return None if value in ENGINES else f"must be one of {', '.join(sorted(ENGINES))}"


@dataclass(frozen=True)
class _Question:
    """One question: the ``Answers`` field it fills, the setting it gives (``show.title``), what
    the prompt says, whether Enter takes the setting's default, and a rule stricter than the
    setting's own."""

    name: str
    setting: str
    prompt: str
    has_default: bool = False
    check: Callable[[str], str | None] | None = None

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def default(self) -> str | None:
        table, key = self.setting.split(".")
        return getattr(getattr(Config(), table), key) if self.has_default else None

    def problem(self, value: str) -> str | None:
        """What is wrong with ``value`` by the setting's rule, then by this question's own."""
        table, key = self.setting.split(".")
        section = getattr(Config(), table)
        rule = next(f for f in fields(section) if f.name == key).metadata["rule"]
        return rule(value, section) or (self.check(value) if self.check else None)


QUESTIONS = (
    _Question("title", "show.title", "The show's title"),
    _Question("author", "show.author", "Its author (a person, or the newsroom)", check=_required),
    _Question("email", "show.email", "The owner's e-mail address", check=_email),
    _Question("language", "show.language", "Its language, as a code (en-gb, en-us, fr)",
              check=_language),
    _Question("base_url", "show.base_url", "The address it will be published at "
              "(Enter: this machine only, for now)", has_default=True),
    _Question("engine", "voice.engine", "The speech engine (piper, espeak or gtts)",
              has_default=True, check=_engine),
    _Question("voice", "voice.voice", "The voice (see `bulletin voices`; Enter: the engine's "
              "own)", has_default=True),
)


def _voice(engine: str, voice: str, warnings: list[str]) -> str | None:
    """What is wrong with ``voice`` for ``engine``, by building the engine as a build would; an
    engine that cannot run on this machine now is a warning, not a wrong answer."""
    from .config import VoiceConfig
    from .tts import get_engine

    try:
        get_engine(VoiceConfig(engine=engine, voice=voice))
    except InputError as exc:
        return str(exc)
    except ToolError as exc:
        warnings.append(f"{exc} (the file names it all the same)")
    return None


def _check(question: _Question, value: str, answers: Mapping[str, str],
           warnings: list[str]) -> str | None:
    problem = question.problem(value)
    if problem is None and question.name == "voice":
        problem = _voice(answers["engine"], value, warnings)
    return problem


def _ask(question: _Question, answers: Mapping[str, str], warnings: list[str]) -> str:
    """The answer typed at the prompt, asked again until it is valid."""
    def valid(typed: str) -> str:
        value = typed.strip()
        problem = _check(question, value, answers, warnings)
        if problem:
            raise typer.BadParameter(f"{value!r}: {problem}" if value else problem)
        return value

    try:
        return typer.prompt(question.prompt, default=question.default, value_proc=valid,
                            show_default=bool(question.default))
    except typer.Abort:
        if interrupt.happened():
            interrupt.report()
        if question.default is None:  # the end of input: nobody to ask
            raise InputError(f"{question.option}: not given, and no answer to the question "
                             f"({question.prompt})") from None
        return question.default


def _refuse_to_replace(path: Path, force: bool) -> bool:
    """Whether ``path`` exists (and ``force`` lets it be replaced); ``InputError`` otherwise."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: is a {file_kind(mode)}, not a settings file")
    if not force:
        raise InputError(f"{path}: already exists; give --force to replace it")
    return True


def _toml(value: str) -> str:
    """``value`` as a TOML basic string (a JSON string is one, for text without control
    characters, which every rule refuses)."""
    return json.dumps(value, ensure_ascii=False)


def init_config(path: Path, given: Answers, force: bool = False) -> Written:
    """Write bulletin.toml at ``path`` from ``given``, asking for the rest (see the module)."""
    replaced = _refuse_to_replace(path, force)
    answers: dict[str, str] = {}
    warnings: list[str] = []
    for question in QUESTIONS:
        value = getattr(given, question.name)
        if value is None:
            answers[question.name] = _ask(question, answers, warnings)
            continue
        value = value.strip()
        problem = _check(question, value, answers, warnings)
        if problem:
            raise InputError(f"{named(question.option, value)}: {problem}")
        answers[question.name] = value
    text = render(TEMPLATE, **{name: _toml(value) for name, value in answers.items()})
    atomic_write_text(path, text + "\n")
    return Written(path, replaced, Answers(**answers), tuple(warnings))
