"""DL401 untrusted-content-in-prompt: what it reports, what it says, and its options."""

from __future__ import annotations

import textwrap

from designlint.config import Config
from designlint.engine import lint_source
from designlint.rules.trust import TrustOptions


def findings(source: str, **trust) -> list[tuple[int, str]]:
    config = Config(select=("DL401",), tables=(TrustOptions(**trust),))
    return [(d.start.row, d.message) for d in lint_source(textwrap.dedent(source), "app/agent.py", config)]


def rows(source: str, **trust) -> list[int]:
    return [row for row, _ in findings(source, **trust)]


def test_the_message_names_the_source_its_line_and_the_sink():
    source = """
    import requests as rq

    def summarize(client, url):
        page = rq.get(url).text
        return client.messages.create(model="m", system=f"Summarize: {page}", messages=[])
    """
    assert findings(source) == [
        (
            6,
            "HTTP response body from line 5 enters the system prompt untagged: label it with a sanitizer such as `tag_untrusted` first",
        )
    ]


def test_a_helper_that_returns_a_body_is_named_in_the_message():
    source = """
    import httpx

    async def download(url):
        async with httpx.AsyncClient() as http:
            response = await http.get(url)
        return response.text

    async def brief(agent_cls, url):
        notes = await download(url)
        return agent_cls(name="x", instructions="Use these notes: " + notes)
    """
    ((row, message),) = findings(source)
    assert row == 11
    assert message.startswith(
        "HTTP response body from line 6 (returned by `download()`) enters the instructions untagged"
    )


def test_aiohttp_sessions_in_one_with_statement():
    source = """
    import aiohttp

    async def fetch_and_ask(client, url):
        async with aiohttp.ClientSession() as s, s.get(url) as r:
            body = await r.read()
        return client.chat.completions.create(model="m", messages=[{"role": "user", "content": body.decode()}])
    """
    assert rows(source) == [7]


def test_each_source_is_reported_once_where_it_first_enters():
    source = """
    def answer(llm, store, question):
        docs = store.similarity_search(question)
        prompt = "\\n".join(d.page_content for d in docs) + question
        messages = [{"role": "user", "content": prompt}]
        return llm.invoke(messages)
    """
    assert rows(source) == [4]


def test_labelled_channels_are_not_reported():
    source = """
    def loop(client, user_input, tool, call_id):
        observation = tool.run(user_input)
        messages = [
            {"role": "user", "content": user_input},
            {"role": "tool", "tool_call_id": call_id, "content": observation},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call_id, "content": observation}]},
        ]
        return client.chat.completions.create(model="m", messages=messages)
    """
    assert rows(source) == []


def test_user_input_is_reported_only_where_it_would_instruct():
    source = """
    def chat(client, user_input):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": user_input}])
        return client.chat.completions.create(model="m", messages=[{"role": "system", "content": "Obey: " + user_input}])
    """
    assert rows(source) == [4]


def test_silent_where_the_content_is_only_measured_or_the_names_mislead():
    source = """
    import requests

    class Helper:
        def retrieve(self, key):
            return key

    I18N = Helper()

    def report(client, url):
        body = requests.get(url).text
        system_prompt_count = len(body)
        system_prompt = I18N.retrieve("planning")
        subprocess_result = run(input=body)
        return client.responses.create(model="m", instructions=f"{system_prompt_count} {system_prompt}", input="go")
    """
    assert rows(source) == []


def test_default_sanitizers_by_name():
    source = """
    def answer(llm, retriever, question):
        docs = retriever.invoke(question)
        context = wrap_untrusted("\\n".join(d.page_content for d in docs))
        other = sanitize_documents(docs)
        return llm.invoke([SystemMessage(content=context + other), HumanMessage(content=question)])
    """
    assert rows(source) == []


def test_configured_sanitizers_sources_and_sinks():
    source = """
    from app.labels import fence
    from app.crm import load_ticket
    from app.llm import complete

    def triage(ticket_id):
        ticket = load_ticket(ticket_id)
        labelled = fence(ticket)
        complete(f"Classify: {labelled}")
        return complete(f"Classify: {ticket}")
    """
    assert rows(source) == []
    configured = findings(
        source, sanitizers=("app.labels.fence",), sources=("app.crm.load_ticket",), sinks=("app.llm.complete",)
    )
    assert [row for row, _ in configured] == [10]
    assert configured[0][1].startswith(
        "`load_ticket()` result from line 7 enters `complete()` untagged: label it with `app.labels.fence` first"
    )
    # A dotted name matches by qualified name: another module's load_ticket is not the configured one.
    assert (
        rows(source.replace("app.crm", "other.crm"), sources=("app.crm.load_ticket",), sinks=("app.llm.complete",))
        == []
    )
    assert rows(source.replace("app.crm", "other.crm"), sources=("load_ticket",), sinks=("complete",)) == [10]


def test_project_functions_with_prompt_parameters_are_sinks():
    source = """
    def ask(client, system, question):
        return client.messages.create(model="m", system=system, messages=[{"role": "user", "content": question}])

    def count(messages):
        return len(messages)

    def main(client, observation):
        count([observation])
        return ask(client, "Context: " + observation, "what now?")
    """
    assert rows(source) == [10]


def test_prefilter_skips_files_without_sources_or_sinks():
    from designlint.rules.trust import UntrustedContentInPrompt

    rule = UntrustedContentInPrompt(Config())
    assert not rule.prefilter.search("import requests\nrequests.get(url).text\n")
    assert not rule.prefilter.search("prompt = 'hello'\n")
    assert rule.prefilter.search("import requests\nprompt = requests.get(u).text\n")
    configured = UntrustedContentInPrompt(
        Config(tables=(TrustOptions(sources=("app.crm.load_ticket",), sinks=("complete",)),))
    )
    assert configured.prefilter.search("complete(load_ticket(1))\n")


def test_a_configured_sanitizer_defined_in_the_module_itself():
    source = """
    def fence(text):
        return f"<data>{text}</data>"

    def ask(client, observation):
        return client.responses.create(model="m", instructions="Use: " + fence(observation), input="go")
    """
    assert rows(source) == [6]
    assert rows(source, sanitizers=("app.agent.fence",)) == []
    assert rows(source, sanitizers=("fence",)) == []
