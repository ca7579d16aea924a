import pathlib as _p; _p.Path(__file__).resolve().parent.joinpath("IMPORTED-" + __name__.replace(".", "-")).write_text("this module was executed")

import openai

from trap.net import clean, fetch


async def send(client: openai.AsyncOpenAI, url, tenant_id, role):
    page = fetch(url)
    return await client.chat.completions.create(model="m", messages=[{"role": "user", "content": page["message"]}])


def dispatch(tool, args):
    return eval(args["expr"])
