"""Examples for docs/*/llm/agents.md."""

from __future__ import annotations

import json
import math
from functools import partial

import numpy as np

from snippets import agents as ag
from snippets import attention as att
from snippets import decoding as dec

# --8<-- [start:agent_loop]
CELSIUS = {"Beijing": 31, "Shanghai": 28}


def get_weather(city: str) -> dict[str, object]:
    return {"city": city, "celsius": CELSIUS[city]}


tools = {"get_weather": get_weather}
schemas = {"get_weather": ag.tool_schema("get_weather", "Temperature now", {"city": "string"})}
print(schemas["get_weather"]["parameters"])  # the JSON Schema the model sees in its prompt
# {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']}

# A scripted stand-in for the model: its replies, in order. The first is a
# parallel call with a mistake in it; the second retries after reading the error.
replies = iter(
    [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                ag.ToolCall("1", "get_weather", '{"city": "Beijing"}'),
                ag.ToolCall("2", "get_weather", '{"town": "Shanghai"}'),
            ],
        },
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [ag.ToolCall("3", "get_weather", '{"city": "Shanghai"}')],
        },
        {"role": "assistant", "content": "Beijing, by 3 degrees."},
    ]
)
task = [{"role": "user", "content": "Which is warmer now, Beijing or Shanghai?"}]
execute = partial(ag.execute_call, tools=tools, schemas=schemas)
answer, history = ag.run_agent(lambda h: next(replies), execute, task, max_steps=5)
for m in history[1:]:
    calls = [f"{c.name}{c.arguments}" for c in m.get("tool_calls", [])]
    print(m["role"], m.get("tool_call_id", ""), calls or m["content"])
# assistant  ['get_weather{"city": "Beijing"}', 'get_weather{"town": "Shanghai"}']
# tool 1 {"city": "Beijing", "celsius": 31}
# tool 2 error: missing argument 'city'
# assistant  ['get_weather{"city": "Shanghai"}']
# tool 3 {"city": "Shanghai", "celsius": 28}
# assistant  Beijing, by 3 degrees.
# --8<-- [end:agent_loop]
assert answer == "Beijing, by 3 degrees."
assert [m["role"] for m in history].count("tool") == 3
assert history[3]["content"] == "error: missing argument 'city'"
assert json.loads(history[5]["content"]) == {"city": "Shanghai", "celsius": 28}

# --8<-- [start:constrained_mask]
# The format {"n":<digits>} as a character DFA; state 7 accepts.
dfa = {(i, ch): i + 1 for i, ch in enumerate('{"n":')}  # states 0..5 read {"n":
dfa |= {(s, digit): 6 for s in (5, 6) for digit in "0123456789"}  # one or more digits
dfa[6, "}"] = 7
vocab = ["{", '{"', '"n":', "n", '":', " ", "1", "12", "7", "3}", "}", "<eos>"]
EOS = 11
fsm = ag.compile_token_fsm(dfa, vocab, EOS)
for state in (0, 1, 5, 6):
    print(state, [vocab[i] for i in fsm[state]])
# 0 ['{', '{"']                     a token can cover two grammar symbols...
# 1 ['"n":']                        ...or four; '":' is not allowed after {
# 5 ['1', '12', '7', '3}']          '}' is not: at least one digit first
# 6 ['1', '12', '7', '3}', '}']

# After {"n": the model would rather write a space, as in {"n": 7}.
p = np.array([0, 0, 0, 0, 0, 0.55, 0.05, 0.10, 0.20, 0.05, 0.05, 0])
with np.errstate(divide="ignore"):
    logits = np.log(p)
allowed = ag.allowed_tokens(fsm, 5, {7}, EOS, len(vocab))
print(dec.softmax(ag.mask_logits(logits, allowed))[6:10])  # [0.125 0.25  0.5   0.125]
print(round(p[allowed].sum(), 2))  # 0.4: the mask threw away 60% of what the model wanted


def uniform(prefix: tuple[int, ...]) -> np.ndarray:  # a model with no preferences at all
    return np.zeros(len(vocab))


tokens, finished = ag.constrained_decode(uniform, fsm, {7}, EOS, np.random.default_rng(7), 20)
print([vocab[t] for t in tokens], finished)  # ['{"', 'n', '":', '1', '12', '}'] True
# {"n":112} is valid; its start is split '{"', 'n', '":' here, '{', '"n":' elsewhere
# --8<-- [end:constrained_mask]
assert [vocab[i] for i in fsm[1]] == ['"n":']
assert np.allclose(dec.softmax(ag.mask_logits(logits, allowed))[6:10], [0.125, 0.25, 0.5, 0.125])
assert math.isclose(p[allowed].sum(), 0.4)
assert finished and isinstance(json.loads("".join(vocab[t] for t in tokens))["n"], int)

# --8<-- [start:constrained_distortion]
# The language {"ab", "c"}; tokens a, b, c, eos. The model prefers "a", but
# after "a" it would stop, which the grammar forbids.
fsm2 = ag.compile_token_fsm(
    {(0, "a"): 1, (1, "b"): 2, (0, "c"): 2}, ["a", "b", "c", "<eos>"], eos=3
)
table = {(): [0.6, 0, 0.4, 0], (0,): [0, 0.1, 0, 0.9], (0, 1): [0, 0, 0, 1], (2,): [0, 0, 0, 1]}


def model(prefix: tuple[int, ...]) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(np.array(table[prefix], dtype=float))


language = [(0, 1), (2,)]  # "ab" and "c"
for y in language:
    p_y = ag.sequence_prob(model, y, eos=3)
    valid = p_y / sum(ag.sequence_prob(model, x, eos=3) for x in language)
    masked = ag.sequence_prob(model, y, 3, fsm2, {2})
    print("".join("abc"[t] for t in y), round(p_y, 2), round(valid, 2), round(masked, 2))
# ab 0.06 0.13 0.6     model, model given that the output is valid, constrained decoding
# c 0.4 0.87 0.4       the mask turned a 13% answer into a 60% one
# --8<-- [end:constrained_distortion]
assert math.isclose(ag.sequence_prob(model, (0, 1), 3, fsm2, {2}), 0.6)
assert math.isclose(ag.sequence_prob(model, (0, 1), 3), 0.06)
assert math.isclose(ag.sequence_prob(model, (2,), 3, fsm2, {2}), 0.4)

# --8<-- [start:context_cost]
P, d, T = 4_000, 1_000, 50  # prompt + tool schemas; tokens per step; steps
print(ag.prefill_tokens(P, d, 5, cached=False), ag.prefill_tokens(P, d, 5, cached=True))
# [4000 5000 6000 7000 8000] [4000 1000 1000 1000 1000]
print(ag.total_prefill_tokens(P, d, T, cached=False))  # 1425000 = T P + d T (T - 1) / 2
print(ag.total_prefill_tokens(P, d, T, cached=True))  # 53000 = P + (T - 1) d: 27x less
# What caching does not shrink: the context itself, P + T d = 54000 tokens at
# the end, whose KV cache on Llama 3 8B (32 layers, 8 KV heads of 128) is
print(round(att.kv_cache_bytes(32, 8, 128, P + T * d) / 2**30, 2))  # 6.59 GiB
# --8<-- [end:context_cost]
assert ag.total_prefill_tokens(P, d, T, False) == ag.prefill_tokens(P, d, T, False).sum()
assert ag.total_prefill_tokens(P, d, T, True) == ag.prefill_tokens(P, d, T, True).sum() == 53_000
assert ag.total_prefill_tokens(P, d, T, False) == 1_425_000

# --8<-- [start:pass_k]
n = 8  # trials per task; c = successes on each of four tasks
for name, cs in (("consistent", [8, 8, 0, 0]), ("flaky", [4, 4, 4, 4])):
    at = [np.mean([ag.pass_at_k(n, c, k) for c in cs]) for k in (1, 4)]
    hat = [np.mean([ag.pass_hat_k(n, c, k) for c in cs]) for k in (1, 4)]
    print(name, np.round(at, 3), np.round(hat, 3))
# consistent [0.5 0.5] [0.5 0.5]        pass@1, pass@4; pass^1, pass^4
# flaky [0.5   0.986] [0.5   0.014]     same pass@1; 1 - 1/70 and 1/70 at k = 4
# --8<-- [end:pass_k]
assert math.isclose(ag.pass_at_k(8, 4, 4), 1 - 1 / 70)
assert math.isclose(ag.pass_hat_k(8, 4, 4), 1 / 70)
assert ag.pass_at_k(8, 8, 4) == ag.pass_hat_k(8, 8, 4) == 1.0

# --8<-- [start:compounding]
print(round(ag.chain_success(0.99, 100), 3), round(ag.chain_success(0.95, 20), 3))  # 0.366 0.358
print(ag.max_steps(0.99, 0.5), ag.max_steps(0.999, 0.5))  # 68 692: steps before a coin flip
p_checked = ag.with_retries(0.95, r=1)  # a failure is detected and retried once
print(round(p_checked, 4), round(ag.chain_success(p_checked, 20), 3))  # 0.9975 0.951
# --8<-- [end:compounding]
assert math.isclose(ag.chain_success(0.99, 100), 0.99**100)
assert ag.max_steps(0.99, 0.5) == 68 and 0.99**68 >= 0.5 > 0.99**69
assert math.isclose(ag.with_retries(0.95, 1), 0.9975)
