"""The two kinds of failure bulletin reports.

``InputError``: the user's input is wrong (a missing file, bad TOML, an unknown engine): exit 2.
``ToolError``: a tool or service failed on good input (ffmpeg crashed, gTTS unreachable): exit 1.
Both carry a one-line message that names the input or tool and the reason.
"""


class BulletinError(Exception):
    """Base class: a failure with a one-line message meant for the user."""

    exit_code = 1


class InputError(BulletinError):
    """Bad input: names the input and says what is wrong with it."""

    exit_code = 2


class ToolError(BulletinError):
    """An external program or service failed."""

    exit_code = 1
