import pathlib as _p; _p.Path(__file__).resolve().parent.joinpath("IMPORTED-" + __name__.replace(".", "-")).write_text("this module was executed")

import requests

from trap.errors import ErrorCode


def require_allowed(url):
    return url


def clean(text):
    return text


def fetch(url):
    require_allowed(url)
    response = requests.get(url)
    if response.status_code == 429:
        raise ToolError("RATE_LIMITED")
    return {"code": "NOT_FOUND", "message": response.text}
