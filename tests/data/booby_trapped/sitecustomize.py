import pathlib as _p; _p.Path(__file__).resolve().parent.joinpath("IMPORTED-" + __name__.replace(".", "-")).write_text("this module was executed")
