"""A tiny loopback server for ``/v1/events``, run as its own process by ``tests/test_events.py``.

``python tests/events_server.py N``: serves N events built from the fixture's ``plan.created``
event (ids ``evt_0000`` .. newest first, as Stripe lists them; every third one a
``credit_note.created``), on a free 127.0.0.1 port it prints as its first line. It answers
``GET /v1/events`` (``limit``, ``starting_after``, ``ending_before``, ``type``, ``types[]``) and
``GET /v1/events/{id}``, checks for a Bearer key, and exits when its stdin closes (or after two
minutes at most). It is not the emulator: the emulator has no events yet.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

FIXTURE = Path(__file__).parent / "fixtures" / "2026-07-29.fixtures3.credit_notes.json"


def build_events(count: int) -> list[dict[str, Any]]:
    with FIXTURE.open(encoding="utf-8") as f:
        fixtures = json.load(f)
    template, note = fixtures["event"], fixtures["credit_note"]
    events = []
    for i in range(count):
        event = copy.deepcopy(template)
        event["id"] = f"evt_{i:04d}"
        event["created"] = 1_800_000_000 - i
        if i % 3 == 2:
            event["type"] = "credit_note.created"
            event["data"] = {"object": {**note, "id": f"cn_{i}"}}
        events.append(event)
    return events


class Handler(BaseHTTPRequestHandler):
    events: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_events")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
            self._send(401, {"error": {"type": "invalid_request_error", "message": "no key"}})
            return
        url = urlsplit(self.path)
        if url.path.startswith("/v1/events/"):
            wanted = url.path.rsplit("/", 1)[1]
            found = [e for e in self.events if e["id"] == wanted]
            if found:
                self._send(200, found[0])
            else:
                error = {"type": "invalid_request_error", "message": "No such event"}
                self._send(404, {"error": error})
            return
        if url.path != "/v1/events":
            self._send(404, {"error": {"type": "invalid_request_error", "message": "no route"}})
            return
        query = parse_qsl(url.query)
        params = dict(query)
        types = [v for k, v in query if k.startswith("types[")]
        selected = [
            e
            for e in self.events
            if ("type" not in params or e["type"] == params["type"])
            and (not types or e["type"] in types)
        ]
        ids = [e["id"] for e in selected]
        limit = int(params.get("limit", "10"))
        if "starting_after" in params:
            start = ids.index(params["starting_after"]) + 1
            chunk, more = selected[start : start + limit], start + limit < len(ids)
        elif "ending_before" in params:
            end = ids.index(params["ending_before"])
            begin = max(0, end - limit)
            chunk, more = selected[begin:end], begin > 0
        else:
            chunk, more = selected[:limit], limit < len(ids)
        self._send(200, {"object": "list", "data": chunk, "has_more": more, "url": "/v1/events"})


def main() -> None:
    Handler.events = build_events(int(sys.argv[1]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    # Until the test closes our stdin; a watchdog bounds a forgotten server.
    watchdog = threading.Timer(120, os._exit, args=(1,))
    watchdog.daemon = True
    watchdog.start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
