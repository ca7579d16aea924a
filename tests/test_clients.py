"""The catalogue of outbound clients: where each call takes its destination, method and
timeout, the defaults of sessions and SDK clients, aliases, and what counts as a model call."""

from __future__ import annotations

import http.client
import inspect
import urllib.request

import libcst as cst
import pytest

from designlint.analysis.clients import (
    ALIASES,
    CHAT_MODEL_CLASSES,
    HTTP_CALLS,
    HTTP_CLIENTS,
    LITELLM_DEFAULT,
    MODEL_CLIENTS,
    MODEL_FUNCTIONS,
    Argument,
    canonical,
    is_model_call,
    response_call,
)
from designlint.analysis.packages import (
    DEADLINE_NAMES,
    DEADLINE_PACKAGES,
    HTTP_PACKAGES,
    HTTP_WORDS,
    MODEL_PACKAGES,
)
from designlint.analysis.timeouts import DEADLINES


def call_of(source: str) -> cst.Call:
    expression = cst.parse_expression(source)
    assert isinstance(expression, cst.Call)
    return expression


def code(node: cst.CSTNode | None) -> str | None:
    return None if node is None else cst.Module([]).code_for_node(node)


@pytest.mark.parametrize(
    ("source", "argument", "expected"),
    [
        ("f(a, b)", Argument(1, "url"), "b"),
        ("f(a, url=u)", Argument(1, "url"), "u"),
        ("f(url=u, timeout=3)", Argument(0, "url"), "u"),
        ("f(a)", Argument(1, "url"), None),
        ("f(*args, b)", Argument(1, "url"), None),  # the position is not known
        ("f(a, *rest)", Argument(0, "url"), "a"),  # before the star: known
        ("f(a, 5)", Argument(keyword="timeout"), None),  # keyword-only: a position is no match
        ("f(timeout=5)", Argument(keyword="timeout"), "5"),
    ],
)
def test_an_argument_is_found_by_position_or_keyword(source, argument, expected):
    assert code(argument.of(call_of(source))) == expected


@pytest.mark.parametrize(
    ("api", "source", "destination", "method", "timeout"),
    [
        ("requests.get", "get('https://a.example', timeout=5)", "'https://a.example'", None, "5"),
        ("requests.request", "request('POST', url, timeout=(3, 10))", "url", "'POST'", "(3, 10)"),
        ("requests.Session.request", "s.request('GET', u, None, None, None, None, None, None, 7)", "u", "'GET'", "7"),
        ("requests.Session.send", "s.send(prepared, timeout=2)", None, None, "2"),
        ("httpx.stream", "stream('GET', url=u, timeout=1.5)", "u", "'GET'", "1.5"),
        ("httpx.AsyncClient.post", "c.post(u, json=body)", "u", None, None),
        ("aiohttp.ClientSession.request", "s.request(method='GET', url=u, timeout=t)", "u", "'GET'", "t"),
        ("aiohttp.request", "request('GET', u)", "u", "'GET'", None),
        ("urllib.request.urlopen", "urlopen(u, None, 30)", "u", None, "30"),
        ("urllib.request.Request", "Request(u, None, {}, None, False, 'PUT')", "u", "'PUT'", None),
        ("http.client.HTTPConnection", "HTTPConnection('h.example', 80, 9)", "'h.example'", None, "9"),
        ("http.client.HTTPSConnection", "HTTPSConnection(host='h.example', timeout=9)", "'h.example'", None, "9"),
        ("urllib3.request", "request('GET', u, timeout=3)", "u", "'GET'", "3"),
        ("urllib3.PoolManager.urlopen", "pm.urlopen('GET', u)", "u", "'GET'", None),
        (
            "websockets.asyncio.client.connect",
            "connect(uri='wss://w.example', open_timeout=2)",
            "'wss://w.example'",
            None,
            "2",
        ),
    ],
)
def test_each_call_names_where_its_destination_method_and_timeout_go(api, source, destination, method, timeout):
    call, node = HTTP_CALLS[api], call_of(source)
    assert code(call.destination.of(node) if call.destination else None) == destination
    assert code(call.method.of(node) if call.method else None) == method
    assert code(call.timeout.of(node) if call.timeout else None) == timeout


def test_the_standard_library_positions_match_its_signatures():
    def parameters(function) -> list[inspect.Parameter]:
        return [p for p in inspect.signature(function).parameters.values() if p.name != "self"]

    def position(function, name: str) -> int | None:
        found = next(i for i, p in enumerate(parameters(function)) if p.name == name)
        keyword_only = parameters(function)[found].kind is inspect.Parameter.KEYWORD_ONLY
        return None if keyword_only else found

    assert HTTP_CALLS["urllib.request.urlopen"].timeout == Argument(
        position(urllib.request.urlopen, "timeout"), "timeout"
    )
    assert HTTP_CALLS["urllib.request.Request"].method == Argument(position(urllib.request.Request, "method"), "method")
    connection = HTTP_CALLS["http.client.HTTPConnection"]
    assert connection.timeout == Argument(position(http.client.HTTPConnection, "timeout"), "timeout")
    assert connection.destination == Argument(position(http.client.HTTPConnection, "host"), "host")
    # HTTPSConnection's timeout moved (5th before 3.12, keyword-only since): only the keyword is sure.
    assert HTTP_CALLS["http.client.HTTPSConnection"].timeout == Argument(keyword="timeout")


@pytest.mark.parametrize(
    ("api", "seconds"),
    [
        ("requests.get", None),  # requests waits forever without a timeout
        ("requests.Session.post", None),
        ("httpx.get", 5.0),
        ("httpx.Client.get", 5.0),
        ("httpx.AsyncClient.stream", 5.0),
        ("aiohttp.ClientSession.get", 300.0),
        ("aiohttp.request", 300.0),
        ("urllib.request.urlopen", None),  # the socket default
        ("http.client.HTTPConnection", None),
        ("urllib3.request", 3.0),
        ("urllib3.PoolManager.request", None),
        ("websockets.connect", 10.0),
    ],
)
def test_default_timeouts_of_http_calls(api, seconds):
    assert HTTP_CALLS[api].default_timeout == seconds


def test_every_call_but_a_few_takes_a_timeout_and_every_sdk_client_too():
    # Request is sent by urlopen, which takes the timeout; httpx's send() sends a request built with one.
    assert {name for name, call in HTTP_CALLS.items() if call.timeout is None} == {
        "urllib.request.Request",
        "httpx.Client.send",
        "httpx.AsyncClient.send",
    }
    assert all(client.timeout is not None and client.calls for client in MODEL_CLIENTS.values())
    assert all(call.timeout is not None for client in MODEL_CLIENTS.values() for call in client.calls)


def test_a_client_method_defaults_to_its_client_and_names_it():
    methods = {name: call for name, call in HTTP_CALLS.items() if call.client is not None}
    assert {call.client for call in methods.values()} == set(HTTP_CLIENTS)
    for name, call in methods.items():
        assert name.startswith(call.client + ".")
        assert call.default_timeout == HTTP_CLIENTS[call.client].default_timeout
    # Module functions belong to no client.
    assert HTTP_CALLS["requests.get"].client is None and HTTP_CALLS["httpx.get"].client is None


def test_sessions_and_clients_where_they_take_a_base_url_and_a_timeout():
    assert HTTP_CLIENTS["requests.Session"].timeout is None  # a session takes none: each request must
    assert HTTP_CLIENTS["httpx.Client"].base_url == Argument(keyword="base_url")
    assert code(HTTP_CLIENTS["aiohttp.ClientSession"].base_url.of(call_of("ClientSession('https://b.example')"))) == (
        "'https://b.example'"
    )
    assert {name: client.default_timeout for name, client in HTTP_CLIENTS.items()} == {
        "requests.Session": None,
        "httpx.Client": 5.0,
        "httpx.AsyncClient": 5.0,
        "aiohttp.ClientSession": 300.0,
        "urllib3.PoolManager": None,
        "urllib3.ProxyManager": None,
    }


def test_request_objects_a_call_sends_in_place_of_a_url():
    assert HTTP_CALLS["urllib.request.urlopen"].request_class == "urllib.request.Request"
    assert (
        HTTP_CALLS["urllib.request.Request"].request_class is None and HTTP_CALLS["requests.get"].request_class is None
    )


def test_verbs_are_implied_by_the_verb_functions_only():
    assert HTTP_CALLS["requests.get"].verb == "GET" and HTTP_CALLS["httpx.Client.delete"].verb == "DELETE"
    assert HTTP_CALLS["requests.request"].verb is None and HTTP_CALLS["requests.request"].method is not None


@pytest.mark.parametrize(
    ("spelled", "known"),
    [
        ("requests.api.get", "requests.get"),
        ("requests.session.get", "requests.Session.get"),
        ("requests.sessions.Session.post", "requests.Session.post"),
        ("httpx2.AsyncClient.get", "httpx.AsyncClient.get"),
        ("urllib2.urlopen", "urllib.request.urlopen"),
        ("requests_toolbelt.get", "requests_toolbelt.get"),  # a prefix of a name is not an alias of it
    ],
)
def test_aliases_lead_to_the_catalogue_names(spelled, known):
    assert canonical(spelled) == known


def test_the_gates_packages_are_the_catalogues():
    """``analysis.packages`` restates them for the gates, which cannot import the catalogues."""
    assert {name.split(".")[0] for name in (*HTTP_CALLS, *HTTP_CLIENTS, *ALIASES)} == HTTP_PACKAGES
    assert {name.split(".")[0] for name in (*MODEL_CLIENTS, *MODEL_FUNCTIONS, *CHAT_MODEL_CLASSES)} == MODEL_PACKAGES
    assert {name.split(".")[0] for name in DEADLINES} == DEADLINE_PACKAGES
    assert {name.rpartition(".")[2] for name in DEADLINES} == DEADLINE_NAMES


def test_packages_and_words_cover_every_http_client_and_no_sdk():
    assert {name.split(".")[0] for name in HTTP_CALLS} <= HTTP_PACKAGES
    assert not {name.split(".")[0] for name in MODEL_CLIENTS} & HTTP_PACKAGES  # SDKs do not open the egress gate
    assert all(HTTP_WORDS.search(package) for package in HTTP_PACKAGES)
    assert not HTTP_WORDS.search("see https://docs.example and http://x.example")


@pytest.mark.parametrize(
    ("qualname", "is_response"),
    [
        ("requests.get", True),
        ("requests.session.get", True),  # through the alias
        ("httpx.Client.send", True),
        ("urllib.request.urlopen", True),
        ("aiohttp.request", True),
        ("urllib.request.Request", False),  # a request object, sent by urlopen
        ("http.client.HTTPConnection", False),
        ("aiohttp.ClientSession.ws_connect", False),
        ("websockets.connect", False),
        ("requests.structures.CaseInsensitiveDict.get", False),  # a mapping of headers, not a request
        (None, False),
    ],
)
def test_response_calls(qualname, is_response):
    assert (response_call(qualname) is not None) == is_response


def test_sdk_clients_their_default_timeouts_and_units():
    assert {name: client.default_timeout for name, client in MODEL_CLIENTS.items()} == {
        "openai.OpenAI": 600.0,
        "openai.AsyncOpenAI": 600.0,
        "openai.AzureOpenAI": 600.0,
        "openai.AsyncAzureOpenAI": 600.0,
        "anthropic.Anthropic": 600.0,
        "anthropic.AsyncAnthropic": 600.0,
        "groq.Groq": 60.0,
        "groq.AsyncGroq": 60.0,
        "mistralai.Mistral": 5.0,  # its own httpx client's
        "cohere.Client": 300.0,
        "cohere.AsyncClient": 300.0,
        "cohere.ClientV2": 300.0,
        "cohere.AsyncClientV2": 300.0,
        "google.genai.Client": None,
    }
    mistral = MODEL_CLIENTS["mistralai.Mistral"]
    assert code(mistral.timeout.of(call_of("Mistral(api_key=k, timeout_ms=30000)"))) == "30000"
    assert mistral.timeout_unit == 0.001 and all(call.timeout_unit == 0.001 for call in mistral.calls)
    assert MODEL_CLIENTS["openai.AzureOpenAI"].options_methods == ("with_options", "copy")
    assert MODEL_CLIENTS["cohere.Client"].options_methods == ()
    genai = MODEL_CLIENTS["google.genai.Client"]
    assert (genai.timeout, genai.timeout_key) == (Argument(keyword="http_options"), "timeout")
    assert LITELLM_DEFAULT == 600.0 and set(CHAT_MODEL_CLASSES.values()) == {600.0}


def test_sdk_model_calls_and_where_they_take_the_prompt():
    def calls(client: str) -> dict[str, tuple[str, ...]]:
        return {call.path: call.prompt for call in MODEL_CLIENTS[client].calls}

    assert calls("openai.OpenAI")["chat.completions.create"] == ("messages",)
    assert calls("openai.AsyncAzureOpenAI")["responses.create"] == ("input", "instructions")
    assert calls("anthropic.AsyncAnthropic")["messages.create"] == ("messages", "system")
    assert calls("groq.Groq") == {
        "chat.completions.create": ("messages",),
        "chat.completions.parse": ("messages",),
        "chat.completions.stream": ("messages",),
    }
    assert "chat.complete_async" in calls("mistralai.Mistral")
    assert "aio.models.generate_content" in calls("google.genai.Client")
    cohere_chat = next(call for call in MODEL_CLIENTS["cohere.ClientV2"].calls if call.path == "chat")
    assert (cohere_chat.timeout, cohere_chat.timeout_key) == (Argument(keyword="request_options"), "timeout_in_seconds")
    assert set(MODEL_FUNCTIONS) == {
        "litellm.completion",
        "litellm.acompletion",
        "litellm.text_completion",
        "litellm.atext_completion",
        "litellm.responses",
        "litellm.aresponses",
    }


@pytest.mark.parametrize(
    ("callee", "expected"),
    [
        ("client.chat.completions.create", True),
        ("self.client.responses.create", True),
        ("client.messages.create", True),
        ("client.aio.models.generate_content", True),
        ("litellm.acompletion", True),
        ("chain.invoke", True),
        ("self.llm.astream", True),
        ("subprocess.run", False),
        ("bot.chat", False),  # one part is too common a name to say a model is called
        ("self.generate_content", False),
        ("messages.create", False),  # the path alone, without a client
    ],
)
def test_model_calls_by_their_dotted_names(callee, expected):
    assert is_model_call(callee) == expected
