"""Where designlint runs inside other tools: flake8 (``flake8.py``) and editors (``lsp.py``)."""
