"""The two kinds of failure bulletin reports.

``InputError``: the user's input is wrong (a missing file, bad TOML, an unknown engine): exit 2.
``ToolError``: a tool or service failed on good input (ffmpeg crashed, gTTS unreachable): exit 1.
Both carry a one-line message that names the input or tool and the reason. ``a_or_an(noun)``
puts the right article before a noun a message is given ("an article", "a news feed").
"""

_SAID_WITH_A_Y = ("uni", "use", "usu", "uti", "eu", "one", "once")  # "a unit", "a user", "a one"


def a_or_an(noun: str) -> str:
    """``noun`` with its indefinite article: "article" → "an article", "news feed" → "a news
    feed", "unspecified" → "an unspecified", "user" → "a user"."""
    word = noun.lower()
    vowel = word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(_SAID_WITH_A_Y)
    return f"{'an' if vowel else 'a'} {noun}"


class BulletinError(Exception):
    """Base class: a failure with a one-line message meant for the user."""

    exit_code = 1


class InputError(BulletinError):
    """Bad input: names the input and says what is wrong with it."""

    exit_code = 2


class ToolError(BulletinError):
    """An external program or service failed."""

    exit_code = 1
