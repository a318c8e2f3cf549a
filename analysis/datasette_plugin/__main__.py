"""`python -m analysis.datasette_plugin serve ...`: Datasette's own command
line with the jixiao plugin registered, so only `jixiao serve` loads it."""
from __future__ import annotations

import sys


def main() -> None:
    from datasette.cli import cli
    from datasette.plugins import pm

    import analysis.datasette_plugin as plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="jixiao")
    sys.exit(cli(prog_name="datasette"))


if __name__ == "__main__":
    main()
