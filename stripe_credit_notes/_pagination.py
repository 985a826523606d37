"""Pages of list results, and iteration across all of them.

A page holds one response's items. Iterating a page yields every item of the list, fetching the
following pages lazily with the same filters; only one page is held at a time. The two are
spelled apart: ``page.data`` is this page's items (``len(page.data)`` counts them), iteration
(``for item in page``, ``auto_paging_iter``) is every item. ``len(page)`` would have to mean one
or the other, so it raises ``TypeError`` naming both; a page is always truthy (test
``page.data`` for an empty page). When the first
request carried ``ending_before`` (and no ``starting_after``), iteration walks backwards, as
Stripe's own libraries do: each page's items are yielded in reverse, then the page before it is
fetched with ``ending_before`` set to the first item's id.

Every page must make progress, or the walk stops with :class:`~.errors.PaginationError`
instead of paging forever: a page that says ``has_more`` but holds no items (there is no
cursor to go on with), or a next cursor that this walk has already requested (the server
repeats a page, or cycles through a few).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .errors import PaginationError

__all__ = ["AsyncPage", "AsyncPager", "Page"]

T = TypeVar("T", bound="_HasId")


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class _Envelope(Protocol[T]):
    @property
    def data(self) -> list[T]: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def url(self) -> str: ...


def _check_cap(max_items: int | None) -> None:
    if max_items is not None and max_items < 0:
        raise ValueError(f"max_items must be >= 0, got {max_items}")


class _PageBase(Generic[T]):
    __slots__ = ("_envelope", "_params", "_request_id")

    def __init__(
        self, envelope: _Envelope[T], params: Mapping[str, Any], request_id: str | None = None
    ) -> None:
        self._envelope = envelope
        self._params = dict(params)
        self._request_id = request_id

    @property
    def data(self) -> list[T]:
        """The items of this page, in the order Stripe returned them."""
        return self._envelope.data

    @property
    def has_more(self) -> bool:
        """Whether Stripe has more items beyond this page (in the direction of travel)."""
        return self._envelope.has_more

    @property
    def url(self) -> str:
        """The list's URL path, as Stripe reported it."""
        return self._envelope.url

    @property
    def envelope(self) -> _Envelope[T]:
        """The decoded list envelope (``CreditNoteList`` or ``CreditNoteLineItemList``)."""
        return self._envelope

    @property
    def backwards(self) -> bool:
        """Whether iteration walks towards newer items (the request used ``ending_before``)."""
        return "ending_before" in self._params and "starting_after" not in self._params

    def _ordered(self) -> list[T]:
        return self.data[::-1] if self.backwards else self.data

    def _cursor(self) -> str | None:
        """The cursor this page was requested with (``None`` for the first page)."""
        key = "ending_before" if self.backwards else "starting_after"
        value = self._params.get(key)
        return value if isinstance(value, str) else None

    def _next_params(self, seen: set[str] | None = None) -> dict[str, Any] | None:
        """The parameters of the page after this one in the direction of travel, if any.

        ``seen`` holds the cursors already requested in this walk; a next cursor among them
        (or this page's own) means no progress, and raises :class:`PaginationError`.
        """
        if not self.has_more:
            return None
        if not self.data:
            raise self._no_progress("has_more is true but the page holds no items")
        cursor = self.data[0].id if self.backwards else self.data[-1].id
        if cursor == self._cursor() or (seen is not None and cursor in seen):
            raise self._no_progress(f"the next cursor {cursor!r} was already requested")
        if seen is not None:
            seen.add(cursor)
        params = dict(self._params)
        if self.backwards:
            params["ending_before"] = cursor
        else:
            params.pop("ending_before", None)
            params["starting_after"] = cursor
        return params

    def _walk_start(self) -> set[str]:
        """The cursors requested so far in a walk that starts at this page."""
        cursor = self._cursor()
        return set() if cursor is None else {cursor}

    def _no_progress(self, why: str) -> PaginationError:
        return PaginationError(
            f"Stopped paging {self.url}: {why}, so the next page would make no progress",
            request_id=self._request_id,
        )

    # Not a Sized: hidden from type checkers, so ``len(page)`` is a type error there too.
    if not TYPE_CHECKING:

        def __len__(self) -> int:
            raise TypeError(
                f"len() of a {type(self).__name__} is ambiguous: len(page.data) counts this "
                "page's items; iterating the page walks every item across pages"
            )

    def __bool__(self) -> bool:
        # Without this, truth testing would fall back to the refusing __len__.
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more})"


class Page(_PageBase[T]):
    """One page of a list; iterate it to walk every item across all pages."""

    __slots__ = ("_fetch",)

    def __init__(
        self,
        envelope: _Envelope[T],
        params: Mapping[str, Any],
        fetch: Callable[[dict[str, Any]], Page[T]],
        *,
        request_id: str | None = None,
    ) -> None:
        super().__init__(envelope, params, request_id)
        self._fetch = fetch

    def next_page(self) -> Page[T] | None:
        """Fetch the following page (in the direction of travel), or ``None`` at the end."""
        params = self._next_params()
        return None if params is None else self._fetch(params)

    def iter_pages(self) -> Iterator[Page[T]]:
        """This page, then every following page, fetched one at a time."""
        seen = self._walk_start()
        page: Page[T] | None = self
        while page is not None:
            yield page
            params = page._next_params(seen)
            page = None if params is None else page._fetch(params)

    def auto_paging_iter(self, max_items: int | None = None) -> Iterator[T]:
        """Every item across pages, stopping after ``max_items`` when given."""
        _check_cap(max_items)
        count = 0
        for page in self.iter_pages():
            for item in page._ordered():
                if max_items is not None and count >= max_items:
                    return
                count += 1
                yield item
            if max_items is not None and count >= max_items:
                return

    def __iter__(self) -> Iterator[T]:
        return self.auto_paging_iter()


class AsyncPage(_PageBase[T]):
    """One page of a list, for the async client; ``async for`` walks every item."""

    __slots__ = ("_fetch",)

    def __init__(
        self,
        envelope: _Envelope[T],
        params: Mapping[str, Any],
        fetch: Callable[[dict[str, Any]], Awaitable[AsyncPage[T]]],
        *,
        request_id: str | None = None,
    ) -> None:
        super().__init__(envelope, params, request_id)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[T] | None:
        """Fetch the following page (in the direction of travel), or ``None`` at the end."""
        params = self._next_params()
        return None if params is None else await self._fetch(params)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page, then every following page, fetched one at a time."""
        seen = self._walk_start()
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            params = page._next_params(seen)
            page = None if params is None else await page._fetch(params)

    async def auto_paging_iter(self, max_items: int | None = None) -> AsyncIterator[T]:
        """Every item across pages, stopping after ``max_items`` when given."""
        _check_cap(max_items)
        count = 0
        async for page in self.iter_pages():
            for item in page._ordered():
                if max_items is not None and count >= max_items:
                    return
                count += 1
                yield item
            if max_items is not None and count >= max_items:
                return

    def __aiter__(self) -> AsyncIterator[T]:
        return self.auto_paging_iter()


class AsyncPager(Generic[T]):
    """What the async ``list`` methods return, before any request is made.

    ``await pager`` fetches the first page (an :class:`AsyncPage`); ``async for item in pager``
    walks every item across pages without the ``await``.
    """

    __slots__ = ("_first",)

    def __init__(self, first: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._first = first

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    async def auto_paging_iter(self, max_items: int | None = None) -> AsyncIterator[T]:
        """Every item across pages, stopping after ``max_items`` when given."""
        _check_cap(max_items)
        if max_items == 0:
            return
        page = await self._first()
        async for item in page.auto_paging_iter(max_items):
            yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self.auto_paging_iter()
