"""Run ministack with the kit's Lambda runtime: ``python -m reference_app.lab.emulator_patch.run_ministack``.

The embedded backend starts the emulator with this command (see
:func:`reference_app.lab.emulator_patch.emulator_command`); it installs :mod:`.host`, then
hands over to ministack's own ``main``, with the same environment and options.
"""

import sys

from .host import install


def main() -> None:
    install()
    from ministack.app import main as ministack_main

    sys.argv = ["ministack"]
    ministack_main()


if __name__ == "__main__":
    main()
