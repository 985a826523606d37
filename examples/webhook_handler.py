"""A webhook receiver that verifies, decodes and reacts to ``credit_note.voided``.

    python examples/webhook_handler.py

Standard library only (``http.server``): the handler reads the raw body, verifies its
``Stripe-Signature`` with the endpoint's secret, decodes the typed event and reacts to a voided
credit note. It answers 400 to anything that does not verify (and does not act on it), 200 to
everything else, quickly, as Stripe expects.

The script then proves it end to end against the local emulator (webhooks need a URL Stripe can
reach, so this example always uses the emulator):

1. start the receiver on loopback and register it with the emulator;
2. issue and void a credit note through the SDK: the emulator delivers both events, signed;
3. the handler reverses the voided note in a (pretend) ledger;
4. a forged request, and a replay of a real one signed an hour ago, are both refused.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from stripe_credit_notes import Client, SignatureVerificationError
from stripe_credit_notes.emulator import run_emulator
from stripe_credit_notes.webhooks import (
    AnyEvent,
    CreditNoteEvent,
    construct_event,
    generate_test_header,
)


class Ledger:
    """Stands in for your billing system: what the handler did, and the events it has seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, bytes] = {}
        self.reversed: list[tuple[str, int]] = []
        self.voided = threading.Event()

    def handle(self, event: AnyEvent, body: bytes) -> None:
        with self.lock:
            if event.id in self.seen:
                return  # Stripe may deliver an event more than once: act once
            self.seen[event.id] = body
        if isinstance(event, CreditNoteEvent) and event.type == "credit_note.voided":
            note = event.data.object  # a decoded CreditNote, rendered at event.api_version
            with self.lock:
                self.reversed.append((note.id, note.total))
            print(f"  voided: {note.id} ({note.number}), reverse {note.total} {note.currency}")
            self.voided.set()
        else:
            print(f"  received {event.type} ({event.id}), nothing to do")


class WebhookServer(HTTPServer):
    """The receiver: the endpoint's signing secret and the ledger it reports to.

    It handles one request at a time, which keeps the example short: a handler that only
    verifies, records and answers is fast. Stripe does not wait for one delivery before the next.
    """

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(("127.0.0.1", 0), WebhookHandler)
        self.ledger = ledger
        self.secret = ""  # set once the endpoint is registered

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/webhooks"


class WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            # The raw bytes: parsing and re-encoding the JSON would break the signature.
            event = construct_event(
                body, self.headers.get("Stripe-Signature", ""), self.server.secret
            )
        except SignatureVerificationError as error:
            print(f"  refused ({error.check}): {error.message}")
            self._answer(400)
            return
        self.server.ledger.handle(event, body)
        self._answer(200)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Stripe-Signature": signature}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    ledger = Ledger()
    server = WebhookServer(ledger)
    with run_emulator() as emulator:
        endpoint = emulator.webhooks.add_endpoint(
            server.url, enabled_events=["credit_note.created", "credit_note.voided"]
        )
        server.secret = endpoint.secret
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"receiver listening on {server.url}, endpoint {endpoint.id}")

        with Client(emulator.api_key, base_url=emulator.base_url) as client:
            invoice = emulator.seed_invoice(lines=[2500], paid=True)
            note = client.credit_notes.create(invoice=invoice.id, amount=1000, credit_amount=1000)
            print(f"issued {note.id}; voiding it")
            client.credit_notes.void(note.id)

        if not ledger.voided.wait(30) or not emulator.webhooks.wait_idle(30):
            raise SystemExit("the webhooks did not arrive")
        assert ledger.reversed == [(note.id, 1000)], ledger.reversed
        assert len(ledger.seen) == 2  # created and voided

        # Anyone can post to a public URL: a forged event is refused...
        forged = json.dumps({"id": "evt_forged", "object": "event", "type": "credit_note.voided"})
        assert post(server.url, forged.encode(), generate_test_header(forged, "whsec_guess")) == 400
        # ...and so is a genuine delivery captured and replayed an hour later.
        captured = next(iter(ledger.seen.values()))
        old = generate_test_header(captured, endpoint.secret, timestamp=int(time.time()) - 3600)
        assert post(server.url, captured, old) == 400
    server.shutdown()
    server.server_close()
    print(f"done: reversed {ledger.reversed}")


if __name__ == "__main__":
    main()
