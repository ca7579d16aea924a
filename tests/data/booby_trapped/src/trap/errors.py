import pathlib as _p; _p.Path(__file__).resolve().parent.joinpath("IMPORTED-" + __name__.replace(".", "-")).write_text("this module was executed")

import enum


class ErrorCode(str, enum.Enum):
    RATE_LIMITED = "RATE_LIMITED"
    NOT_FOUND = "NOT_FOUND"
