"""The ``bulletin`` command (and ``python -m bulletin``).

Ctrl-C at any moment, even while bulletin's modules are still loading, ends in one line on
stderr and exit status 130, never a traceback; so does any other error (exit status 1).
"""

from __future__ import annotations

import sys
import traceback

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
    except Exception as exc:  # noqa: BLE001 - bulletin itself could not load: still one line
        if interrupt.happened():
            interrupt.report()
        if {"-v", "--verbose"} & set(sys.argv[1:2]):
            traceback.print_exception(exc, file=sys.stderr)
        sys.stderr.write(f"bulletin: internal error: {type(exc).__name__}: {exc}\n")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
