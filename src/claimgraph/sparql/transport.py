"""The one HTTP layer between claimgraph and a store: every request to an endpoint goes through here.

SPARQL 1.1 Protocol requests are built by SPARQLWrapper (``_createRequest``) and sent by this
module's own opener, never by SPARQLWrapper's ``query()``, whose process-wide urllib opener follows
redirects to any host, uses environment proxies and takes whole seconds as timeouts. Each
:class:`Transport` follows a redirect only within the endpoint, holds credentials only in urllib's
password manager, and retries what is transient; why, in docs/design.md and docs/stores.md.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Literal, TypeVar
from urllib.parse import urljoin, urlsplit

from claimgraph.errors import (
    EndpointConnectionError,
    EndpointError,
    EndpointStatusError,
    EndpointTimeoutError,
    RedirectRefusedError,
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Credentials:
    """HTTP credentials for the store's endpoints.

    :param user: the user name.
    :param password: the password (kept out of ``repr`` and every message).
    :param scheme: ``basic`` or ``digest`` (Virtuoso's ``-auth`` endpoints accept only digest).
    """

    user: str
    password: str = field(repr=False)
    scheme: Literal["basic", "digest"] = "digest"


@dataclass(frozen=True)
class Answer:
    """A successful HTTP answer: its body and headers."""

    body: bytes
    headers: Message

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header, empty if the server sent none."""
        return self.headers.get("Content-Type", "")


class Transport:
    """Authenticated HTTP with timeouts, retries of transient failures and one-line errors.

    :param urls: the endpoints the credentials are for (and only those).
    :param credentials: HTTP credentials, or ``None``.
    :param timeout: seconds to wait for each answer.
    :param retries: how often to retry a transient failure of one request.
    :param backoff: seconds before the first retry; doubled for each next one.
    :param unauthorized: what to add about an HTTP 401 (none by default); ``{said}`` stands for the server's words.
    """

    def __init__(
        self,
        urls: Sequence[str],
        credentials: Credentials | None = None,
        *,
        timeout: float,
        retries: int = 0,
        backoff: float = 0.5,
        unauthorized: str = "",
    ) -> None:
        self._auth: urllib.request.AbstractDigestAuthHandler | None = None
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.ProxyHandler({}),
            _SameEndpointRedirects(),
            _NoDelayHTTPHandler(),
            _NoDelayHTTPSHandler(),
        ]
        if credentials is not None:
            manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
            for url in urls:
                # Basic credentials go with the first request; digest needs the server's challenge first.
                manager.add_password(
                    None, url, credentials.user, credentials.password, is_authenticated=credentials.scheme == "basic"
                )
            auth: urllib.request.BaseHandler = (
                urllib.request.HTTPBasicAuthHandler(manager)
                if credentials.scheme == "basic"
                else urllib.request.HTTPDigestAuthHandler(manager)
            )
            handlers.append(auth)
            if isinstance(auth, urllib.request.AbstractDigestAuthHandler):
                self._auth = auth
        self._opener = urllib.request.build_opener(*handlers)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.unauthorized = unauthorized

    def query(
        self, endpoint: str, text: str, *, name: str, accept: str, options: Sequence[tuple[str, str]] = ()
    ) -> Answer:
        """Send a SPARQL query (POST, form-encoded) with protocol parameters such as ``default-graph-uri``.

        :param accept: the results formats asked for (``Accept``).
        :param name: the query's name, for messages.
        :raises EndpointError: on a failure, after the retries allowed.
        """
        return self._open(
            endpoint, lambda: _sparql_request(endpoint, text, update=False, accept=accept, options=options), name=name
        )

    def update(self, endpoint: str, text: str, *, name: str) -> Answer:
        """Send a SPARQL update (POST, ``application/sparql-update``).

        :raises EndpointError: on a failure, after the retries allowed.
        """
        return self._open(endpoint, lambda: _sparql_request(endpoint, text, update=True), name=name)

    def send(
        self,
        endpoint: str,
        *,
        method: str,
        body: bytes,
        content_type: str,
        accept: str = "*/*",
        params: str = "",
        name: str = "request",
    ) -> Answer:
        """Send one plain HTTP request (e.g. a Graph Store Protocol upload).

        :param params: an encoded query string to append to the URL.
        :raises EndpointError: on a failure, after the retries allowed.
        """
        url = f"{endpoint}{'&' if '?' in endpoint else '?'}{params}" if params else endpoint
        headers = {"Content-Type": content_type, "Accept": accept}
        return self._open(
            endpoint, lambda: urllib.request.Request(url, data=body, method=method, headers=headers), name=name
        )

    def query_stream(
        self, endpoint: str, text: str, *, name: str, accept: str, options: Sequence[tuple[str, str]] = ()
    ) -> contextlib.AbstractContextManager[http.client.HTTPResponse]:
        """:meth:`query`, with the answer's body left unread: the response, to read as a stream and close.

        Failures before the answer begins are retried as :meth:`query` retries them; a failure while
        reading the body is the reader's (``OSError`` or ``http.client.HTTPException``).
        """
        return self._open_response(
            endpoint, lambda: _sparql_request(endpoint, text, update=False, accept=accept, options=options), name=name
        )

    def _open(self, endpoint: str, build: Callable[[], urllib.request.Request], *, name: str) -> Answer:
        """Send a fresh request from ``build`` until it succeeds, fails for good, or the retries are spent."""

        def send() -> Answer:
            with self._opener.open(build(), timeout=self.timeout) as response:
                return Answer(response.read(), response.headers)

        return self._attempts(endpoint, send, name=name)

    def _open_response(
        self, endpoint: str, build: Callable[[], urllib.request.Request], *, name: str
    ) -> http.client.HTTPResponse:
        """The response to a fresh request from ``build``, its body unread (retried as :meth:`_open` is)."""

        def send() -> http.client.HTTPResponse:
            response: http.client.HTTPResponse = self._opener.open(build(), timeout=self.timeout)
            return response

        return self._attempts(endpoint, send, name=name)

    def _attempts(self, endpoint: str, send: Callable[[], _T], *, name: str) -> _T:
        """``send()`` until it succeeds, fails for good, or the retries are spent."""
        attempt = 0
        failure: EndpointError
        while True:
            try:
                return send()
            except _Redirected as redirect:
                raise RedirectRefusedError(
                    endpoint,
                    f"redirected to {redirect.target}: refused (claimgraph talks only to the endpoint it is given)",
                    target=redirect.target,
                ) from None
            except urllib.error.HTTPError as error:
                failure = _http_failure(endpoint, error, name, self.unauthorized, attempts=attempt + 1)
            except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: a malformed URL
                failure = _connection_failure(endpoint, error, self.timeout, attempts=attempt + 1)
            finally:
                # urllib's digest handler counts its challenges until an answer succeeds: after five
                # failed answers (HTTP 500, say) it would refuse every later request as HTTP 401.
                if self._auth is not None:
                    self._auth.reset_retry_count()
            if not failure.transient or attempt >= self.retries:
                raise failure from None
            time.sleep(self.backoff * 2**attempt)
            attempt += 1


def _sparql_request(
    endpoint: str,
    text: str,
    *,
    update: bool,
    accept: str | None = None,
    options: Sequence[tuple[str, str]] = (),
) -> urllib.request.Request:
    """The SPARQL 1.1 Protocol request, built by SPARQLWrapper (see the module docstring)."""
    from SPARQLWrapper import INSERT, JSON, POST, POSTDIRECTLY, SELECT, URLENCODED, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint, updateEndpoint=endpoint, returnFormat=JSON)
    wrapper.setQuery(text)
    if wrapper.isSparqlUpdateRequest() != update:
        wrapper.queryType = INSERT if update else SELECT
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY if update else URLENCODED)
    wrapper.setOnlyConneg(True)  # the format by Accept alone, not also by format=/output=/results= parameters
    for key, value in options:
        wrapper.addParameter(key, value)
    if accept is not None:
        wrapper.addCustomHttpHeader("Accept", accept)
    request: urllib.request.Request = wrapper._createRequest()
    return request


class _Redirected(Exception):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


class _SameEndpointRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the endpoint's own scheme, host and port, re-sending the request.

    urllib would follow one to any host (and turn a POST into a GET that loses the query).
    """

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        target = urljoin(req.full_url, newurl)
        if _origin(target) != _origin(req.full_url):
            raise _Redirected(target)
        return urllib.request.Request(target, data=req.data, headers=dict(req.header_items()), method=req.get_method())


class _NoDelayHTTPConnection(http.client.HTTPConnection):
    # http.client sends the head and the body in two writes; with Nagle's algorithm on, the body waits
    # for the server's delayed ACK of the head: 40 ms per request (measured: 15 s instead of 1 s for 100k
    # triples in 340 graphs).
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _NoDelayHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _NoDelayHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_NoDelayHTTPConnection, req)


class _NoDelayHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_NoDelayHTTPSConnection, req)


def _http_failure(
    endpoint: str, error: urllib.error.HTTPError, name: str, unauthorized: str, *, attempts: int
) -> EndpointStatusError:
    """What an HTTP error status means for the user, with the server's own words."""
    try:
        body = error.read()
    except (OSError, http.client.HTTPException):
        body = b""
    said = clip(server_text(body, error.headers.get("Content-Type", "") if error.headers else ""))
    code = error.code
    reasons = {
        400: f"rejected {name}: {said}",
        401: "unauthorized (HTTP 401)" + (f": {unauthorized.format(said=said)}" if unauthorized else ""),
        403: f"forbidden (HTTP 403): {said}",
        404: f"not found (HTTP 404): {said}",
        414: f"request too long (HTTP 414): {said}",
        500: f"internal error on {name} (HTTP 500): {said}",
    }
    return EndpointStatusError(
        endpoint, reasons.get(code, f"HTTP {code} {error.reason}: {said}"), status_code=code, attempts=attempts
    )


def _connection_failure(endpoint: str, error: BaseException, timeout: float, *, attempts: int) -> EndpointError:
    """A connection-level failure as its typed error (a timeout, or a connection refused, lost or impossible)."""
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(cause, TimeoutError):
        return EndpointTimeoutError(endpoint, f"timed out after {timeout:g} s", timeout=timeout, attempts=attempts)
    if isinstance(cause, ConnectionRefusedError):
        transient, reason = True, f"cannot connect: {cause.strerror or cause}"
    elif isinstance(cause, ConnectionError | http.client.HTTPException):
        transient, reason = True, f"connection lost ({type(cause).__name__})"
    elif isinstance(cause, OSError):
        transient, reason = False, f"cannot connect: {cause.strerror or cause}"
    else:
        transient, reason = False, f"cannot connect: {cause}"
    return EndpointConnectionError(endpoint, reason, transient=transient, attempts=attempts)


def server_text(body: bytes, content_type: str) -> str:
    """A server's answer as one line of text: HTML tags, scripts and styles dropped."""
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type.lower() or text.lstrip()[:1] == "<":
        text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", text)
        text = html.unescape(text)
    return " ".join(text.split()) or "(empty answer)"


def clip(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
