"""The request and response values passed between the socket layer and the application."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Request", "Response", "json_body", "new_request_id"]

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Header names in lower case."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    """Close the connection without sending anything."""


def json_body(obj: Mapping[str, Any]) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode("utf-8")


def new_request_id() -> str:
    return "req_" + "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(14))
