"""Runs one of README's Neovim recipes in a real, headless Neovim on a file and prints the
diagnostics that ``designlint lsp`` sends it, one ``LINE:COL: CODE MESSAGE`` a line.

    python integrations/neovim/check.py RECIPE FILE [--nvim PATH] [--timeout SECONDS]

RECIPE is the version a recipe is for, as README's headings name them: ``0.11`` ("Neovim
0.11+"), ``0.8`` ("Neovim 0.8 to 0.10") or ``0.7``. The recipe is README's own text, used as
``init.lua`` with the user's configuration, data and state kept out (a temporary XDG home), so
what runs is what a reader pastes. ``designlint`` must be on PATH, as the recipe starts it by
that name. Exit 0 when diagnostics arrived, 1 when none did in time, 2 on bad arguments."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
HEADINGS = {"0.11": "Neovim 0.11+", "0.8": "Neovim 0.8 to 0.10", "0.7": "Neovim 0.7 ("}

# Run after the file is loaded: waits for the first diagnostics, writes them as JSON, quits.
# vim.fn.json_encode and vim.wait are in every version since 0.5; `code` is read from the LSP
# diagnostic too, as 0.7 keeps it only there.
REPORT = """
local ok = vim.wait(%(timeout_ms)d, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(out, { line = d.lnum + 1, col = d.col + 1, code = d.code or lsp.code, message = d.message, source = d.source })
end
local clients = {}
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients -- renamed in 0.10
for _, c in pairs(get_clients()) do table.insert(clients, c.name) end
local f = assert(io.open(%(output)s, "w"))
f:write(vim.fn.json_encode({ diagnostics = out, clients = clients, version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch) }))
f:close()
vim.cmd("qa!")
"""


def recipe(version: str, readme: str) -> str:
    """The first ```lua block after the line that starts with the version's heading."""
    heading = HEADINGS[version]
    match = re.search(rf"^{re.escape(heading)}.*?\n```lua\n(.*?)\n```", readme, re.MULTILINE | re.DOTALL)
    if match is None:
        raise SystemExit(f"check.py: README.md has no lua block after a line starting {heading!r}")
    return match[1] + "\n"


def run(version: str, file: Path, nvim: str = "nvim", timeout: float = 30.0) -> dict:
    """Neovim's report: the diagnostics of ``file``, the names of the LSP clients, its version."""
    with tempfile.TemporaryDirectory(prefix="designlint-nvim-") as home:
        init, output = Path(home, "init.lua"), Path(home, "report.json")
        init.write_text(recipe(version, README.read_text(encoding="utf-8")), encoding="utf-8")
        report = Path(home, "report.lua")
        report.write_text(REPORT % {"timeout_ms": timeout * 1000, "output": json.dumps(str(output))}, encoding="utf-8")
        env = dict(
            os.environ,
            HOME=home,
            **{f"XDG_{kind}_HOME": str(Path(home, kind)) for kind in ("CONFIG", "DATA", "STATE", "CACHE")},
        )
        command = [nvim, "--headless", "-i", "NONE", "-u", str(init), str(file), "-c", f"luafile {report}"]
        try:
            subprocess.run(
                command, cwd=file.parent, env=env, stdin=subprocess.DEVNULL, timeout=timeout + 30, check=False
            )
        except subprocess.TimeoutExpired:  # an error in a script leaves headless Neovim waiting
            raise SystemExit(
                f"check.py: {nvim} did not quit in {timeout + 30:.0f} s (an error in the recipe?)"
            ) from None
        if not output.exists():
            raise SystemExit(f"check.py: {nvim} wrote no report (did the recipe fail to load?)")
        return json.loads(output.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", choices=sorted(HEADINGS))
    parser.add_argument("file", type=Path)
    parser.add_argument("--nvim", default="nvim")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    result = run(args.recipe, args.file.resolve(), args.nvim, args.timeout)
    print(f"Neovim {result['version']}, recipe {args.recipe}, clients: {', '.join(result['clients']) or 'none'}")
    for d in result["diagnostics"]:
        print(f"{args.file}:{d['line']}:{d['col']}: {d['code']} {d['message']} ({d['source']})")
    return 0 if result["diagnostics"] else 1


if __name__ == "__main__":
    sys.exit(main())
