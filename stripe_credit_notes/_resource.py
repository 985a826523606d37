"""The bases of the generated resource classes, and the one wrapper behind ``with_raw_response``.

A generated method does one thing: it hands its operation, path id, parameters and options to
one of two primitives of its class, ``_request`` (one object) or ``_list`` (a page). The plain
classes' primitives return the decoded object; the raw-response views' primitives return the
whole :class:`~stripe_credit_notes.APIResponse`. So a raw view needs no methods of its own: it
runs the plain method's code on itself (:func:`to_raw_response`), and that code reaches the raw
primitives. Only the return type changes, which the wrapper states for type checkers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._pagination import AsyncPage, AsyncPager, Page, _HasId

if TYPE_CHECKING:
    from ._client import AsyncClient, Client  # noqa: F401 (named in the string bases below)
    from ._core import RequestOptions
    from ._operation import Operation
    from ._response import APIResponse

__all__ = [
    "AsyncAPIResource",
    "AsyncRawResponse",
    "SyncAPIResource",
    "SyncRawResponse",
    "to_raw_response",
]

C = TypeVar("C")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound=_HasId)


class _Bound(Generic[C]):
    """Holds the client a resource sends through."""

    __slots__ = ("_client",)

    def __init__(self, client: C) -> None:
        self._client = client


def _embedded_list(op: Operation[Any], parent: object, field: str) -> tuple[str, Any]:
    """The parent's id and the first page it embeds in ``field``, or a ``TypeError``.

    Checked here because a bare id (``lines("cn_123")``) would otherwise fail deep inside
    paging; paging by id is what the list operation itself is for.
    """
    parent_id = getattr(parent, "id", None)
    envelope = getattr(parent, field, None)
    if not isinstance(parent_id, str) or not all(
        hasattr(envelope, name) for name in ("data", "has_more", "url")
    ):
        raise TypeError(
            f"{field}() takes the object whose {field!r} field is the embedded first page "
            f"(as retrieve() returns it), got {type(parent).__name__}; to page by id, call "
            f"{op.name}(id)"
        )
    return parent_id, envelope


class SyncAPIResource(_Bound["Client"]):
    """Base of the generated sync resources: the primitives return the decoded object."""

    __slots__ = ()

    def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> R:
        return self._client._request(op, path_id, params, options).parsed

    def _list(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> Page[Any]:
        return self._client._page(op, path_id, params, options)

    def _embedded(
        self, op: Operation[Any], parent: object, field: str, options: RequestOptions
    ) -> Page[Any]:
        """A page over the list ``parent`` embeds in ``field``, continued through ``op``.

        The first page is the embedded one (no request); the next is ``op`` with
        ``starting_after`` its last item, as for any page.
        """
        parent_id, envelope = _embedded_list(op, parent, field)
        client = self._client

        def fetch(params: dict[str, Any]) -> Page[Any]:
            return client._page(op, parent_id, params, options)

        return Page(envelope, {}, fetch)


class SyncRawResponse(_Bound["Client"]):
    """Base of the generated sync raw views: the primitives return the whole response."""

    __slots__ = ()

    def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[R]:
        return self._client._request(op, path_id, params, options)

    def _list(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[Page[Any]]:
        return self._client._page_response(op, path_id, params, options)


class AsyncAPIResource(_Bound["AsyncClient"]):
    """Base of the generated async resources: the primitives return the decoded object.

    ``_list`` is not a coroutine: it returns an :class:`AsyncPager`, which fetches the first
    page when awaited or iterated.
    """

    __slots__ = ()

    async def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> R:
        return (await self._client._request(op, path_id, params, options)).parsed

    def _list(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> AsyncPager[Any]:
        client = self._client
        return AsyncPager(lambda: client._page(op, path_id, params, options))

    def _embedded(
        self, op: Operation[Any], parent: object, field: str, options: RequestOptions
    ) -> AsyncPager[Any]:
        """The async form of :meth:`SyncAPIResource._embedded`: awaiting it sends nothing."""
        parent_id, envelope = _embedded_list(op, parent, field)
        client = self._client

        async def fetch(params: dict[str, Any]) -> AsyncPage[Any]:
            return await client._page(op, parent_id, params, options)

        page = AsyncPage(envelope, {}, fetch)

        async def first() -> AsyncPage[Any]:
            return page

        return AsyncPager(first)


class AsyncRawResponse(_Bound["AsyncClient"]):
    """Base of the generated async raw views: the primitives return the whole response."""

    __slots__ = ()

    async def _request(
        self,
        op: Operation[R],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[R]:
        return await self._client._request(op, path_id, params, options)

    async def _list(
        self,
        op: Operation[Any],
        path_id: str | None,
        params: Mapping[str, Any],
        options: RequestOptions,
    ) -> APIResponse[AsyncPage[Any]]:
        return await self._client._page_response(op, path_id, params, options)


# The specific forms first: an AsyncPager or a coroutine would also match the last one's R.
@overload
def to_raw_response(  # type: ignore[overload-overlap]
    method: Callable[Concatenate[Any, P], AsyncPager[T]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[AsyncPage[T]]]]: ...
@overload
def to_raw_response(  # type: ignore[overload-overlap]
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, APIResponse[R]]]: ...
@overload
def to_raw_response(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], APIResponse[R]]: ...
def to_raw_response(method: Callable[..., Any]) -> Callable[..., Any]:
    """The raw-response form of a plain resource method, for a raw view's class body.

    At run time it is the method itself: called on a raw view, its body reaches the view's
    primitives, which return the :class:`~stripe_credit_notes.APIResponse` (for an async list,
    a coroutine of the response around the first :class:`AsyncPage`). The overloads say so to
    type checkers: ``X`` becomes ``APIResponse[X]``.
    """
    return method
