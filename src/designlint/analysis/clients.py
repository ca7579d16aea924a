"""The outbound clients linted code may call: HTTP libraries and LLM SDKs, by qualified name.

Rule-neutral facts, read by the egress rules (where a request goes), DL401 (what returns a
response body, what is a model call) and whatever rule needs a request's timeout: for each
call, where its destination, HTTP method and timeout are passed; for each session or client
class, where it takes a base URL and a timeout, and the timeout it has when given none.

Names are canonical (see ``canonical``): ``requests.Session.get`` stands for the method of a
session however it was made (``requests.session()``, ``requests.sessions.Session()``).

A default timeout is in seconds; ``None`` means the library sets none and waits forever
(for the standard library and urllib3: the socket default, which is none unless the program
calls ``socket.setdefaulttimeout``). Sources, read in each library's code: requests 2.34
(``api.py``, ``sessions.py``), httpx 0.28 (``_config.DEFAULT_TIMEOUT_CONFIG``), aiohttp 3.14
(``client.DEFAULT_TIMEOUT``), urllib3 2.8 (``__init__.request``, ``util/timeout.py``),
websockets 17 (``asyncio/client.connect``), CPython 3.11 and 3.12 (``urllib.request``, ``http.client``),
openai 3.57 and anthropic 2.15 (``_constants.DEFAULT_TIMEOUT``), groq 1.7 (the same), mistralai
3.7 (``sdk.py``: an ``httpx.Client`` of its own), cohere 7.3 (``base_client.py``), google-genai
3.6 (``_api_client.py``), litellm 1.110 (``constants.py``), langchain-openai 1.7.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class Argument:
    """Where a call takes one of its arguments: by position (among the positional arguments),
    by keyword, or either."""

    position: int | None = None
    keyword: str | None = None

    def of(self, call: cst.Call) -> cst.BaseExpression | None:
        """The expression ``call`` passes here; None when it passes none, or when a ``*args``
        before it hides the position."""
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == self.keyword:
                return arg.value
        if self.position is None:
            return None
        positional = [arg for arg in call.args if arg.keyword is None]
        if any(arg.star for arg in positional[: self.position + 1]):
            return None
        return positional[self.position].value if self.position < len(positional) else None


@dataclass(frozen=True)
class HttpClient:
    """A class whose instances send requests: a session, a client, a connection pool."""

    base_url: Argument | None  # a base URL given where it is made; relative paths on it add no host
    timeout: Argument | None  # None: it takes no timeout (each request must give one)
    default_timeout: float | None  # seconds when made without one; None: waits forever


@dataclass(frozen=True)
class HttpCall:
    """A function or method that makes an HTTP (or WebSocket) request, or prepares one.

    ``verb`` is the method a call implies (``requests.get``: GET); ``method`` where a caller
    names it (``requests.request("GET", url)``). A method of an ``HttpClient`` is called
    ``client``: its default timeout is the one the client was made with."""

    destination: Argument | None  # the URL (or host); None: it sends a request prepared earlier
    timeout: Argument | None  # None: it takes none (``Request``: ``urlopen`` takes it)
    default_timeout: float | None
    verb: str | None = None
    method: Argument | None = None
    client: str | None = None
    host_only: bool = False  # http.client: the argument is a host, not a URL
    returns_response: bool = True  # False: a request object, a connection or a WebSocket
    # The class of a request made earlier that the destination may be instead of a URL
    # (``urlopen(Request(url))``): its URL was given where it was made.
    request_class: str | None = None


@dataclass(frozen=True)
class ModelCall:
    """A call that sends a prompt to a model: ``path`` is the method's path from the client
    (``chat.completions.create``) or, for a module function, its qualified name."""

    path: str
    prompt: tuple[str, ...]  # the keywords the prompt is passed by
    timeout: Argument | None = Argument(keyword="timeout")
    # Where the timeout sits inside that argument (``request_options={"timeout_in_seconds": 5}``).
    timeout_key: str | None = None
    timeout_unit: float = 1.0  # seconds per unit of the timeout given (milliseconds: 0.001)


@dataclass(frozen=True)
class ModelClient:
    """An LLM SDK client class: what it is made with and the model calls it offers."""

    calls: tuple[ModelCall, ...]
    default_timeout: float | None  # seconds per request when made without one; None: waits forever
    timeout: Argument | None = Argument(keyword="timeout")
    timeout_key: str | None = None
    timeout_unit: float = 1.0
    base_url: Argument | None = Argument(keyword="base_url")
    # Methods that return a copy of the client with other options, a timeout among them:
    # ``client.with_options(timeout=10).chat.completions.create(...)``.
    options_methods: tuple[str, ...] = ()


# -- HTTP -------------------------------------------------------------------------------

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_URL = Argument(0, "url")
_URL_AFTER_METHOD = Argument(1, "url")
_METHOD = Argument(0, "method")
_TIMEOUT = Argument(keyword="timeout")
_HTTPX_DEFAULT = 5.0  # httpx: Timeout(timeout=5.0) for connect, read, write and pool
_AIOHTTP_DEFAULT = 300.0  # aiohttp: ClientTimeout(total=5 * 60, sock_connect=30)
_WEBSOCKETS_OPEN = 10.0  # websockets: open_timeout=10, for the opening handshake

HTTP_CLIENTS: dict[str, HttpClient] = {
    "requests.Session": HttpClient(base_url=None, timeout=None, default_timeout=None),
    "httpx.Client": HttpClient(Argument(keyword="base_url"), _TIMEOUT, _HTTPX_DEFAULT),
    "httpx.AsyncClient": HttpClient(Argument(keyword="base_url"), _TIMEOUT, _HTTPX_DEFAULT),
    "aiohttp.ClientSession": HttpClient(Argument(0, "base_url"), _TIMEOUT, _AIOHTTP_DEFAULT),
    "urllib3.PoolManager": HttpClient(base_url=None, timeout=_TIMEOUT, default_timeout=None),
    "urllib3.ProxyManager": HttpClient(base_url=None, timeout=_TIMEOUT, default_timeout=None),
}


def _methods(client: str, **calls: HttpCall) -> dict[str, HttpCall]:
    """``client``'s methods, each defaulting to the client's timeout."""
    default = HTTP_CLIENTS[client].default_timeout
    return {f"{client}.{name}": replace(call, default_timeout=default, client=client) for name, call in calls.items()}


def _http_calls() -> dict[str, HttpCall]:
    calls: dict[str, HttpCall] = {}
    verbs = {verb: HttpCall(_URL, _TIMEOUT, None, verb=verb.upper()) for verb in _VERBS}
    request = HttpCall(_URL_AFTER_METHOD, _TIMEOUT, None, method=_METHOD)
    # requests: every timeout is a keyword (``**kwargs``) but Session.request's, the 9th parameter.
    calls.update({f"requests.{verb}": call for verb, call in verbs.items()})
    calls["requests.request"] = request
    session_request = HttpCall(_URL_AFTER_METHOD, Argument(8, "timeout"), None, method=_METHOD)
    sent = HttpCall(None, _TIMEOUT, None)
    calls.update(_methods("requests.Session", **verbs, request=session_request, send=sent))
    # httpx: keyword-only timeouts; a client's methods default to the client's.
    httpx_verbs = {verb: HttpCall(_URL, _TIMEOUT, _HTTPX_DEFAULT, verb=verb.upper()) for verb in _VERBS}
    httpx_request = HttpCall(_URL_AFTER_METHOD, _TIMEOUT, _HTTPX_DEFAULT, method=_METHOD)
    calls.update({f"httpx.{verb}": call for verb, call in httpx_verbs.items()})
    calls["httpx.request"] = calls["httpx.stream"] = httpx_request
    for client in ("httpx.Client", "httpx.AsyncClient"):
        # send() takes no timeout: the request it sends was built with one (or the client's).
        calls.update(_methods(client, **httpx_verbs, request=httpx_request, stream=httpx_request))
        calls.update(_methods(client, send=HttpCall(None, None, None)))
    # aiohttp: a session's methods take ``timeout=``; aiohttp.request makes a session of its own.
    # (ws_connect's ``timeout=`` is a ClientWSTimeout for receiving and closing; the session's
    # bounds its handshake.)
    calls.update(
        _methods(
            "aiohttp.ClientSession",
            **verbs,
            request=request,
            ws_connect=HttpCall(_URL, _TIMEOUT, None, verb="GET", returns_response=False),
        )
    )
    calls["aiohttp.request"] = HttpCall(_URL_AFTER_METHOD, _TIMEOUT, _AIOHTTP_DEFAULT, method=_METHOD)
    # The standard library: urlopen(url, data=None, timeout=<socket default>); Request takes no
    # timeout; HTTPConnection(host, port=None, timeout=...), HTTPSConnection's timeout
    # keyword-only since 3.12 (the 5th parameter before).
    calls["urllib.request.urlopen"] = HttpCall(
        _URL, Argument(2, "timeout"), None, request_class="urllib.request.Request"
    )
    calls["urllib.request.Request"] = HttpCall(_URL, None, None, method=Argument(5, "method"), returns_response=False)
    connection = HttpCall(Argument(0, "host"), Argument(2, "timeout"), None, host_only=True, returns_response=False)
    calls["http.client.HTTPConnection"] = connection
    calls["http.client.HTTPSConnection"] = replace(connection, timeout=_TIMEOUT)
    # urllib3: request(method, url, ...); the module's own request() defaults to timeout=3.
    calls["urllib3.request"] = HttpCall(_URL_AFTER_METHOD, _TIMEOUT, 3.0, method=_METHOD)
    calls.update(_methods("urllib3.PoolManager", request=request, urlopen=request))
    calls.update(_methods("urllib3.ProxyManager", request=request))
    # websockets: connect(uri, *, open_timeout=10, ...), in each of its client modules.
    connect = HttpCall(Argument(0, "uri"), Argument(keyword="open_timeout"), _WEBSOCKETS_OPEN, returns_response=False)
    for module in ("websockets", "websockets.client", "websockets.asyncio.client", "websockets.sync.client"):
        calls[f"{module}.connect"] = connect
    return calls


HTTP_CALLS = _http_calls()

# Other spellings of the same classes and modules.
ALIASES = {
    "httpx2": "httpx",  # httpx's successor keeps its API (the OpenAI and Anthropic SDKs use it)
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "requests.api": "requests",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib2.urlopen": "urllib.request.urlopen",
}


def canonical(qualname: str) -> str:
    """The name the catalogue knows ``qualname`` by: ``requests.api.get`` -> ``requests.get``."""
    for alias, name in ALIASES.items():
        if qualname == alias or qualname.startswith(alias + "."):
            return name + qualname[len(alias) :]
    return qualname


def response_call(qualname: str | None) -> HttpCall | None:
    """The HTTP call ``qualname`` (through its aliases) names if its result is a response."""
    call = HTTP_CALLS.get(canonical(qualname)) if qualname else None
    return call if call is not None and call.returns_response else None


# -- LLM SDKs ---------------------------------------------------------------------------

_OPENAI_DEFAULT = 600.0  # openai, anthropic: httpx.Timeout(timeout=600, connect=5.0)
_COPIES = ("with_options", "copy")  # the Stainless-generated SDKs: openai, anthropic, groq
_CHAT_COMPLETIONS = (
    ModelCall("chat.completions.create", ("messages",)),
    ModelCall("chat.completions.parse", ("messages",)),
    ModelCall("chat.completions.stream", ("messages",)),
)
_OPENAI_CALLS = (
    *_CHAT_COMPLETIONS,
    ModelCall("completions.create", ("prompt",)),
    ModelCall("responses.create", ("input", "instructions")),
    ModelCall("responses.parse", ("input", "instructions")),
    ModelCall("responses.stream", ("input", "instructions")),
)
_ANTHROPIC_CALLS = (
    ModelCall("messages.create", ("messages", "system")),
    ModelCall("messages.parse", ("messages", "system")),
    ModelCall("messages.stream", ("messages", "system")),
    ModelCall("beta.messages.create", ("messages", "system")),
    ModelCall("completions.create", ("prompt",)),
)
# mistralai: timeout_ms (milliseconds) on the client and on each call; none given, its own
# httpx.Client(follow_redirects=True) applies httpx's default.
_MISTRAL_TIMEOUT = Argument(keyword="timeout_ms")
_MISTRAL_CALLS = tuple(
    ModelCall(f"chat.{name}", ("messages",), _MISTRAL_TIMEOUT, timeout_unit=0.001)
    for name in ("complete", "complete_async", "stream", "stream_async")
) + (ModelCall("fim.complete", ("prompt",), _MISTRAL_TIMEOUT, timeout_unit=0.001),)
# cohere: a call's timeout is request_options={"timeout_in_seconds": ...}; the client's is 300 s
# unless it is given an httpx client of its own.
_COHERE_TIMEOUT = Argument(keyword="request_options")
_COHERE_CALLS = tuple(
    ModelCall(name, ("message", "messages", "preamble"), _COHERE_TIMEOUT, "timeout_in_seconds")
    for name in ("chat", "chat_stream")
) + (ModelCall("generate", ("prompt",), _COHERE_TIMEOUT, "timeout_in_seconds"),)
# google-genai: HttpOptions(timeout=milliseconds), on the client or in a call's config; none
# given, no timeout at all.
_GENAI_CALLS = tuple(
    ModelCall(
        f"{prefix}models.{name}", ("contents",), Argument(keyword="config"), "http_options.timeout", timeout_unit=0.001
    )
    for prefix in ("", "aio.")
    for name in ("generate_content", "generate_content_stream")
)

MODEL_CLIENTS: dict[str, ModelClient] = {
    **dict.fromkeys(
        ("openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI"),
        ModelClient(_OPENAI_CALLS, _OPENAI_DEFAULT, options_methods=_COPIES),
    ),
    **dict.fromkeys(
        ("anthropic.Anthropic", "anthropic.AsyncAnthropic"),
        ModelClient(_ANTHROPIC_CALLS, _OPENAI_DEFAULT, options_methods=_COPIES),
    ),
    # groq: Timeout(timeout=60, connect=5.0)
    **dict.fromkeys(("groq.Groq", "groq.AsyncGroq"), ModelClient(_CHAT_COMPLETIONS, 60.0, options_methods=_COPIES)),
    "mistralai.Mistral": ModelClient(
        _MISTRAL_CALLS, _HTTPX_DEFAULT, _MISTRAL_TIMEOUT, timeout_unit=0.001, base_url=Argument(keyword="server_url")
    ),
    **dict.fromkeys(
        ("cohere.Client", "cohere.AsyncClient", "cohere.ClientV2", "cohere.AsyncClientV2"),
        ModelClient(_COHERE_CALLS, 300.0),
    ),
    "google.genai.Client": ModelClient(
        _GENAI_CALLS, None, Argument(keyword="http_options"), "timeout", timeout_unit=0.001, base_url=None
    ),
}

# litellm's module functions: timeout=None stands for 600 s (CompletionTimeout.resolve).
LITELLM_DEFAULT = 600.0
MODEL_FUNCTIONS: dict[str, ModelCall] = {
    f"litellm.{name}": ModelCall(f"litellm.{name}", prompt)
    for names, prompt in (
        (("completion", "acompletion"), ("messages",)),
        (("text_completion", "atext_completion"), ("prompt",)),
        (("responses", "aresponses"), ("input", "instructions")),
    )
    for name in names
}

# LangChain chat models (any Runnable) are called by these methods, with the input first:
# the method's name says a model is called whatever the receiver is.
CHAT_MODEL_METHODS = frozenset({"invoke", "ainvoke", "stream", "astream", "generate", "agenerate"})
# LangChain's OpenAI chat models: timeout=None (their default) leaves the SDK's.
CHAT_MODEL_CLASSES: dict[str, float | None] = {
    "langchain_openai.ChatOpenAI": _OPENAI_DEFAULT,
    "langchain_openai.AzureChatOpenAI": _OPENAI_DEFAULT,
}

_MODEL_PATHS = frozenset(call.path for client in MODEL_CLIENTS.values() for call in client.calls)


def is_model_call(dotted: str) -> bool:
    """Whether a callee, by its dotted name alone (``client.responses.create``,
    ``self.llm.ainvoke``), is a call that sends its input to a model."""
    parts = dotted.split(".")
    if parts[-1] in CHAT_MODEL_METHODS or dotted in MODEL_FUNCTIONS:
        return True
    # The Responses API's ``input=`` takes the prompt whichever of its methods is called.
    return "responses" in parts or is_client_model_call(dotted)


def is_client_model_call(dotted: str) -> bool:
    """Whether a callee ends with the path of an SDK client's model call (``self.client.chat.completions.create``):
    two parts at least, as one (``chat``, ``generate``) names too many other methods."""
    parts = dotted.split(".")
    return any(".".join(parts[i:]) in _MODEL_PATHS for i in range(1, len(parts) - 1))
