"""LLM agents: the tool-calling loop, constrained decoding, context cost, evaluation.

An agent is a loop in ordinary code around a model: the model reads the whole
message history and either calls tools or answers, and the runtime runs the
calls and appends their results. A message is a dict with a "role" ("system",
"user", "assistant" or "tool") and a "content" string; an assistant message
may carry "tool_calls", a tool message the "tool_call_id" it answers.

Constrained decoding works on one next-token logit vector (V,) at a time, like
snippets/decoding.py, whose softmax and sample it reuses: a token-level
finite-state machine says which tokens may come next, the others get -inf.
Evaluation estimators take one task's counts: n trials, c of them successful.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from snippets.decoding import sample, softmax

# --8<-- [start:agent_loop]
Message = dict[str, object]  # {"role": ..., "content": ..., maybe "tool_calls" or "tool_call_id"}


@dataclass(frozen=True)
class ToolCall:
    """One structured call the model emitted: an id that its result will carry,
    the tool's name, and the arguments as the JSON text the model wrote."""

    id: str
    name: str
    arguments: str


def run_agent(
    model: Callable[[list[Message]], Message],
    execute: Callable[[ToolCall], Message],
    messages: Sequence[Message],
    max_steps: int,
) -> tuple[str | None, list[Message]]:
    """The agent loop (ReAct's thought -> action -> observation, with the action
    a structured tool call). Returns (final answer, whole history).

    Each step the model reads the entire history and replies. A reply without
    tool calls is the answer. Otherwise every call in it is executed (several
    calls in one reply are a parallel call) and each result is appended as a
    "tool" message, so the next step sees the observations. The answer is None
    if max_steps model calls pass without one: the loop always terminates.
    """
    history = list(messages)
    for _ in range(max_steps):
        reply = model(history)
        history.append(reply)
        calls = reply.get("tool_calls") or []
        if not calls:
            return str(reply["content"]), history
        history += [execute(call) for call in calls]
    return None, history


# --8<-- [end:agent_loop]


# --8<-- [start:tools]
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def tool_schema(name: str, description: str, params: Mapping[str, str]) -> dict[str, object]:
    """The description of one tool that the chat template puts in the prompt:
    a name, what it does, and a JSON Schema of its (here all required)
    parameters, params mapping each name to a JSON type."""
    return {
        "name": name,
        "description": description,
        "parameters": {
            "type": "object",
            "properties": {p: {"type": t} for p, t in params.items()},
            "required": list(params),
        },
    }


def validate_arguments(schema: Mapping[str, Any], args: object) -> str | None:
    """None if args (parsed JSON) fits the tool's schema, else what is wrong."""
    params = schema["parameters"]
    if not isinstance(args, dict):
        return "arguments must be a JSON object"
    for p in params["required"]:
        if p not in args:
            return f"missing argument {p!r}"
    for p, value in args.items():
        if p not in params["properties"]:
            return f"unknown argument {p!r}"
        expected = params["properties"][p]["type"]
        # bool is a subclass of int in Python, not an integer in JSON
        if isinstance(value, bool) != (expected == "boolean") or not isinstance(
            value, JSON_TYPES[expected]
        ):
            return f"argument {p!r} must be of type {expected}"
    return None


def execute_call(
    call: ToolCall,
    tools: Mapping[str, Callable[..., object]],
    schemas: Mapping[str, Mapping[str, Any]],
) -> Message:
    """Run one call in the runtime and return its result as a "tool" message.

    The model only wrote text; the runtime decides what runs. Every failure
    (unknown tool, malformed JSON, arguments that do not fit the schema, an
    exception in the tool) becomes the content of the message, so the model
    reads the error and can correct itself instead of the loop crashing.
    """

    def result(content: str) -> Message:
        return {"role": "tool", "tool_call_id": call.id, "content": content}

    if call.name not in tools:
        return result(f"error: unknown tool {call.name!r}")
    try:
        args = json.loads(call.arguments)
    except json.JSONDecodeError as error:
        return result(f"error: arguments are not valid JSON ({error.msg})")
    if problem := validate_arguments(schemas[call.name], args):
        return result(f"error: {problem}")
    try:
        return result(json.dumps(tools[call.name](**args)))
    except Exception as error:  # a failing tool is an observation too
        return result(f"error: {type(error).__name__}: {error}")


# --8<-- [end:tools]


# --8<-- [start:constrained]
CharDFA = Mapping[tuple[int, str], int]  # (state, character) -> next state; start state 0
TokenFSM = dict[int, dict[int, int]]  # state -> {token id: state after the whole token}


def walk(dfa: CharDFA, state: int, text: str) -> int | None:
    """The state after reading text character by character, None if the DFA
    rejects some character on the way."""
    for ch in text:
        if (state, ch) not in dfa:
            return None
        state = dfa[state, ch]
    return state


def compile_token_fsm(dfa: CharDFA, vocab: Sequence[str], eos: int) -> TokenFSM:
    """Lift a character DFA to tokens (Willard & Louf, 2023): for every state,
    the tokens whose whole string the DFA can read from there, and where each
    one leads. A token may span several grammar symbols ('{"', '3}'), so which
    tokens are allowed depends on the state. Built once per grammar and
    vocabulary (states x V walks); each decoding step is then a lookup.
    The DFA must have no dead states: every state can still reach acceptance.
    """
    states = {0} | {s for s, _ in dfa} | set(dfa.values())
    fsm: TokenFSM = {}
    for s in sorted(states):
        fsm[s] = {}
        for i, token in enumerate(vocab):
            if i != eos and token and (nxt := walk(dfa, s, token)) is not None:
                fsm[s][i] = nxt
    return fsm


def allowed_tokens(
    fsm: TokenFSM, state: int, accepting: set[int], eos: int, V: int
) -> NDArray[np.bool_]:
    """Mask (V,): the tokens the FSM accepts from state; eos only in an
    accepting state, so the output cannot stop half-way."""
    allowed = np.zeros(V, dtype=bool)
    allowed[list(fsm[state])] = True
    allowed[eos] = state in accepting
    return allowed


def mask_logits(logits: NDArray[np.float64], allowed: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Set the logits of disallowed tokens to -inf; a softmax afterwards
    renormalises over the allowed ones: p_i [allowed_i] / sum_j p_j [allowed_j]."""
    if not allowed.any():
        raise ValueError("no token is allowed: the grammar has a dead state")
    return np.where(allowed, logits, -np.inf)


def constrained_decode(
    next_logits: Callable[[tuple[int, ...]], NDArray[np.float64]],
    fsm: TokenFSM,
    accepting: set[int],
    eos: int,
    rng: np.random.Generator,
    max_len: int,
    temperature: float = 1.0,
) -> tuple[list[int], bool]:
    """Sample under the grammar: mask, then decoding.sample, then advance the
    FSM. Returns (tokens, finished): finished is False if max_len cut the
    output off before eos, and then it is only a valid prefix."""
    tokens: list[int] = []
    state = 0
    for _ in range(max_len):
        logits = next_logits(tuple(tokens))
        allowed = allowed_tokens(fsm, state, accepting, eos, logits.size)
        token = sample(mask_logits(logits, allowed), rng, temperature)
        if token == eos:
            return tokens, True
        tokens.append(token)
        state = fsm[state][token]
    return tokens, False


def sequence_prob(
    next_logits: Callable[[tuple[int, ...]], NDArray[np.float64]],
    tokens: Sequence[int],
    eos: int,
    fsm: TokenFSM | None = None,
    accepting: set[int] | None = None,
) -> float:
    """P(tokens, then eos) under plain sampling at T = 1 (fsm None), or under
    constrained decoding, where every step's distribution is the masked,
    renormalised one."""
    prob, state, seq = 1.0, 0, (*tokens, eos)
    for t, token in enumerate(seq):
        logits = next_logits(tuple(seq[:t]))
        if fsm is not None:
            allowed = allowed_tokens(fsm, state, accepting or set(), eos, logits.size)
            logits = mask_logits(logits, allowed)
            state = fsm[state].get(token, state)
        prob *= float(softmax(logits)[token])
        if prob == 0.0:  # a disallowed token: the constrained decoder never emits it
            return 0.0
    return prob


# --8<-- [end:constrained]


# --8<-- [start:context_cost]
def prefill_tokens(P: int, d: int, T: int, cached: bool) -> NDArray[np.int64]:
    """Tokens the model must prefill (compute) at each of T agent steps, (T,).

    Step t = 1..T reads the prompt (P tokens: system prompt, tool schemas,
    task) plus the d tokens each earlier step appended (the model's action and
    the tool's observation): P + (t - 1) d. Without a cache every call
    recomputes all of them. With a prefix (KV) cache only the tokens not seen
    before are new: P at step 1, then d (counting the action as new too, which
    slightly overstates the cost: its KV was computed while it was generated).
    """
    t = np.arange(1, T + 1, dtype=np.int64)
    if cached:
        return np.where(t == 1, P, d).astype(np.int64)
    return P + (t - 1) * d


def total_prefill_tokens(P: int, d: int, T: int, cached: bool) -> int:
    """prefill_tokens(...).sum() in closed form: T P + d T (T - 1) / 2 without a
    cache (quadratic in T), P + (T - 1) d with one (linear in T)."""
    if cached:
        return P + (T - 1) * d
    return T * P + d * T * (T - 1) // 2


# --8<-- [end:context_cost]


# --8<-- [start:pass_k]
def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al., 2021): the probability that at least one
    of k trials, drawn without replacement from n of which c succeeded,
    succeeds: 1 - C(n - c, k) / C(n, k). Computed in Chen et al.'s stable form
    1 - prod_{i = n-c+1}^{n} (1 - k / i): C(n, k) itself overflows floats for large n."""
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError("need 0 <= c <= n and 1 <= k <= n")
    if n - c < k:  # every k-subset contains a success
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k (Yao et al., 2024, tau-bench): the probability that all k trials,
    drawn without replacement from n of which c succeeded, succeed:
    C(c, k) / C(n, k) = prod_{i = 0}^{k-1} (c - i) / (n - i)."""
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError("need 0 <= c <= n and 1 <= k <= n")
    i = np.arange(k)
    return float(np.prod((c - i) / (n - i))) if c >= k else 0.0


# --8<-- [end:pass_k]


# --8<-- [start:compounding]
def chain_success(p: float, T: int) -> float:
    """Success of a task of T steps that each succeed independently with p: p^T."""
    return p**T


def max_steps(p: float, target: float) -> int:
    """The longest chain with p^T >= target (0 < p < 1, 0 < target <= 1):
    T = floor(log target / log p)."""
    T = math.floor(math.log(target) / math.log(p))
    if p ** (T + 1) >= target:  # the division can round either way at a boundary
        T += 1
    elif T > 0 and p**T < target:
        T -= 1
    return T


def with_retries(p: float, r: int) -> float:
    """Per-step success when a failure is detected (a test, a validator) and
    the step retried up to r times, independently: 1 - (1 - p)^(r + 1)."""
    return 1.0 - (1.0 - p) ** (r + 1)


# --8<-- [end:compounding]
