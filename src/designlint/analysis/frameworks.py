"""The agent frameworks and model SDKs linted code may import, and the words a module named
after one of them uses.

One entry per vendor or project: the import names of its packages (matched on dotted
boundaries: ``openai`` covers ``openai.types.chat``, not ``openai_compat``) and the words that
name it in a project's own module names (``providers/mistral.py`` and ``ocr/mistral_ocr.py``
are named after ``mistralai``; ``chainlit/langchain/`` after the whole LangChain family).
Package names as each project publishes them today (PyPI distribution -> import name):
langchain 1.x with ``langchain-classic`` (``langchain_classic``, the 0.x chains and callbacks)
and its partner packages, llama-index (``llama_index.core`` and its integrations all under
``llama_index``), google-genai and google-adk (``google.genai``, ``google.adk``), the
Claude Agent SDK (``claude_agent_sdk``). Not here: openai-agents, whose import name ``agents``
is also the name of many projects' own package (``extend-frameworks`` adds it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    packages: tuple[str, ...]  # dotted import names
    words: tuple[str, ...]  # how a module named after it spells it: one or more ``_``-separated words


_LANGCHAIN_PARTNERS = ("openai", "anthropic", "google_genai", "google_vertexai", "aws", "mistralai", "ollama", "groq")

FRAMEWORKS: tuple[Framework, ...] = (
    Framework(("openai",), ("openai",)),
    Framework(("anthropic", "claude_agent_sdk"), ("anthropic", "claude")),
    Framework(
        (
            "langchain",
            "langchain_core",
            "langchain_classic",
            "langchain_community",
            *(f"langchain_{partner}" for partner in _LANGCHAIN_PARTNERS),
            "langchain_cohere",
            "langchain_huggingface",
            "langchain_text_splitters",
            "langchain_experimental",
            "langgraph",
            "langgraph_sdk",
        ),
        ("langchain", "langgraph"),
    ),
    Framework(("llama_index",), ("llama_index", "llamaindex")),
    Framework(("autogen", "autogen_agentchat", "autogen_core", "autogen_ext"), ("autogen",)),
    Framework(("crewai",), ("crewai",)),
    Framework(("semantic_kernel",), ("semantic_kernel",)),
    Framework(("smolagents",), ("smolagents",)),
    Framework(("pydantic_ai",), ("pydantic_ai",)),
    Framework(
        ("google.genai", "google.generativeai", "google.adk", "vertexai"),
        ("google", "genai", "gemini", "vertexai", "vertex"),
    ),
    Framework(("mistralai",), ("mistralai", "mistral")),
    Framework(("cohere",), ("cohere",)),
    Framework(("groq",), ("groq",)),
    Framework(("litellm",), ("litellm",)),
    Framework(("haystack",), ("haystack",)),
    Framework(("dspy",), ("dspy",)),
    Framework(("ollama",), ("ollama",)),
)

FRAMEWORK_PACKAGES: tuple[str, ...] = tuple(package for framework in FRAMEWORKS for package in framework.packages)
_WORDS_OF = {package: framework.words for framework in FRAMEWORKS for package in framework.packages}


def framework_words(package: str) -> tuple[str, ...]:
    """The words of the catalogue's entry for ``package``; a package it does not know (from
    ``extend-frameworks``) is spelt by its own last part (``acme_llm`` for ``acme.acme_llm``)."""
    return _WORDS_OF.get(package) or (package.rsplit(".", 1)[-1],)


def named_after(parts: list[str], package: str) -> bool:
    """Whether a module's dotted parts name the framework ``package`` belongs to: a part that is
    one of its words, or that holds one among its ``_``-separated words (``openai_client``,
    ``azure_openai``, ``llama_index_tools``), case aside."""
    for part in parts:
        tokens = part.lower().split("_")
        for word in framework_words(package):
            wanted = word.split("_")
            n = len(wanted)
            if any(tokens[i : i + n] == wanted for i in range(len(tokens) - n + 1)):
                return True
    return False
