"""``python -m stripe_credit_notes.emulator``: run the emulator as a server process.

The package also installs it as the console script ``stripe-credit-notes-emulator``.

Prints the base URL on one line once it is listening; stops cleanly (exit status 0) on SIGINT
or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import Emulator
from ._errors import redact_key
from ._limits import Limits
from ._versions import DEFAULT_API_VERSION, ApiVersion

_SCRIPT = "stripe-credit-notes-emulator"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # Usage lines name the command the user typed: the console script or `python -m`.
        prog=_SCRIPT
        if os.path.basename(sys.argv[0]) == _SCRIPT
        else "python -m stripe_credit_notes.emulator",
        description="A local, stateful emulator of Stripe's credit-notes API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=12111, help="port to bind; 0 picks a free one (default 12111)"
    )
    parser.add_argument(
        "--api-version",
        default=DEFAULT_API_VERSION,
        help=f"Stripe-Version for requests that send none (default {DEFAULT_API_VERSION})",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this sk_test_ key (repeatable; default: any sk_test_ key)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request")
    limits = parser.add_argument_group("opt-in limits (off by default)")
    limits.add_argument(
        "--rate-limit", type=float, metavar="N", help="429 rate_limit above N requests/s per key"
    )
    limits.add_argument(
        "--idempotency-lifetime",
        type=float,
        metavar="SECONDS",
        help="forget saved idempotent results after SECONDS (Stripe: at least 24 h)",
    )
    limits.add_argument(
        "--invoice-lock",
        type=float,
        metavar="HOLD",
        help="lock an invoice for HOLD seconds per credit-note create; a concurrent create "
        "for it gets 429 lock_timeout",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        ApiVersion.parse(args.api_version)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for key in args.api_keys or ():
        if not key.startswith("sk_test_"):
            # The refused key is redacted like any other: it may be a live secret.
            shown = redact_key(key)
            print(f"error: --api-key must be an sk_test_ key, got {shown}", file=sys.stderr)
            return 2
    try:
        limits = Limits(
            rate_limit=args.rate_limit,
            idempotency_lifetime=args.idempotency_lifetime,
            invoice_lock=args.invoice_lock is not None,
            lock_hold=args.invoice_lock or 0.0,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emulator = Emulator(
        host=args.host,
        port=args.port,
        default_api_version=args.api_version,
        api_keys=args.api_keys,
        verbose=args.verbose,
        limits=limits,
    )
    try:
        emulator.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        print(emulator.base_url, flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
