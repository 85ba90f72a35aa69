"""The ``bulletin`` command (and ``python -m bulletin``).

Ctrl-C at any moment, even while bulletin's modules are still loading, ends in one line on
stderr and exit status 130, never a traceback.
"""

from __future__ import annotations

from . import interrupt


def main() -> None:
    interrupt.install()
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:
        interrupt.report()
    except SystemExit as exit:
        if exit.code not in (0, None) and interrupt.happened():
            interrupt.report()  # whatever failed after Ctrl-C failed because of it
        raise


if __name__ == "__main__":
    main()
