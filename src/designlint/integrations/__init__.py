"""Where designlint runs inside other tools: flake8 (``flake8.py``) and editors: the language
server (``lsp.py``, its lint thread's side ``lsp_findings.py``, and the LSP it speaks itself:
``jsonrpc.py``, ``documents.py``)."""
