"""The ``stripe-credit-notes`` command (also ``python -m stripe_credit_notes``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from .bulk._cli import add_bulk_parser

    parser = argparse.ArgumentParser(
        prog="stripe-credit-notes", description="Stripe credit notes from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_bulk_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        print("\ninterrupted: run the same command again to resume", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
