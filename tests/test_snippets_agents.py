"""Agents: the tool loop, constrained decoding, context cost, pass@k and pass^k,
checked against hand-computed values and brute-force enumeration."""

import itertools
import json
import math
import re
from functools import partial

import numpy as np
import pytest

from snippets import agents as ag
from snippets.decoding import softmax

# --- the agent loop and tool calls ------------------------------------------------

SCHEMAS = {
    "add": ag.tool_schema("add", "a + b", {"a": "integer", "b": "integer"}),
    "echo": ag.tool_schema("echo", "repeat", {"text": "string", "loud": "boolean"}),
}
TOOLS = {"add": lambda a, b: a + b, "echo": lambda text, loud: text.upper() if loud else text}


def test_tool_schema_is_a_json_schema_object():
    schema = SCHEMAS["add"]
    assert schema["parameters"] == {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }
    json.dumps(schema)  # serialisable, as it goes into the prompt


@pytest.mark.parametrize(
    "args,problem",
    [
        ({"a": 1, "b": 2}, None),
        ({"a": 1}, "missing argument 'b'"),
        ({"a": 1, "b": 2, "c": 3}, "unknown argument 'c'"),
        ({"a": "1", "b": 2}, "argument 'a' must be of type integer"),
        ({"a": True, "b": 2}, "argument 'a' must be of type integer"),  # bool is no integer
        ([1, 2], "arguments must be a JSON object"),
    ],
)
def test_validate_arguments(args, problem):
    assert ag.validate_arguments(SCHEMAS["add"], args) == problem


def test_validate_arguments_boolean_and_string():
    assert ag.validate_arguments(SCHEMAS["echo"], {"text": "hi", "loud": True}) is None
    assert ag.validate_arguments(SCHEMAS["echo"], {"text": "hi", "loud": 1}) is not None


def _run(name: str, arguments: str) -> str:
    return ag.execute_call(ag.ToolCall("x", name, arguments), TOOLS, SCHEMAS)["content"]


def test_execute_call_returns_results_and_errors_as_tool_messages():
    message = ag.execute_call(ag.ToolCall("7", "add", '{"a": 2, "b": 3}'), TOOLS, SCHEMAS)
    assert message == {"role": "tool", "tool_call_id": "7", "content": "5"}
    assert _run("echo", '{"text": "hi", "loud": true}') == '"HI"'
    assert _run("mul", "{}") == "error: unknown tool 'mul'"
    assert _run("add", '{"a": 2,').startswith("error: arguments are not valid JSON")
    assert _run("add", '{"a": 2}') == "error: missing argument 'b'"
    assert _run("add", "null") == "error: arguments must be a JSON object"
    failing = {"add": lambda a, b: a / b}
    message = ag.execute_call(ag.ToolCall("1", "add", '{"a": 1, "b": 0}'), failing, SCHEMAS)
    assert message["content"] == "error: ZeroDivisionError: division by zero"


def _assistant(content="", calls=()):
    return {"role": "assistant", "content": content, "tool_calls": list(calls)}


def test_run_agent_feeds_observations_back_and_stops_at_the_answer():
    seen = []

    def model(history):
        seen.append(list(history))
        if len(seen) == 1:  # a parallel call
            calls = [ag.ToolCall("1", "add", '{"a": 1, "b": 2}'), ag.ToolCall("2", "add", "{}")]
            return _assistant(calls=calls)
        return _assistant(content=f"saw {history[-2]['content']} and {history[-1]['content']}")

    execute = partial(ag.execute_call, tools=TOOLS, schemas=SCHEMAS)
    task = [{"role": "user", "content": "go"}]
    answer, history = ag.run_agent(model, execute, task, max_steps=10)
    assert answer == "saw 3 and error: missing argument 'a'"
    assert [m["role"] for m in history] == ["user", "assistant", "tool", "tool", "assistant"]
    assert [m["tool_call_id"] for m in history[2:4]] == ["1", "2"]  # results in call order
    assert len(seen) == 2 and len(seen[1]) == 4  # the second call read both results
    assert task == [{"role": "user", "content": "go"}]  # the caller's list is not modified


def test_run_agent_gives_up_after_max_steps():
    def stubborn(history):
        return _assistant(calls=[ag.ToolCall(str(len(history)), "add", '{"a": 1, "b": 1}')])

    execute = partial(ag.execute_call, tools=TOOLS, schemas=SCHEMAS)
    answer, history = ag.run_agent(stubborn, execute, [{"role": "user", "content": "?"}], 3)
    assert answer is None
    assert len(history) == 1 + 3 * 2  # three model replies, three results


# --- constrained decoding ------------------------------------------------------------

# [0-9]+ followed by ";" : states 0 -digit-> 1 -digit-> 1 -;-> 2 (accepting)
DFA = {**{(s, c): 1 for s in (0, 1) for c in "0123456789"}, (1, ";"): 2}
VOCAB = ["1", "23", "4;", ";", "x", "1x", "<eos>"]
EOS = 6
FSM = ag.compile_token_fsm(DFA, VOCAB, EOS)


def test_walk():
    assert ag.walk(DFA, 0, "12;") == 2
    assert ag.walk(DFA, 0, ";") is None
    assert ag.walk(DFA, 2, "") == 2


def test_compile_token_fsm_by_hand():
    assert FSM == {
        0: {0: 1, 1: 1, 2: 2},  # "4;" crosses two grammar symbols, ending in state 2
        1: {0: 1, 1: 1, 2: 2, 3: 2},
        2: {},
    }


def test_allowed_tokens_allow_eos_only_when_accepting():
    assert ag.allowed_tokens(FSM, 0, {2}, EOS, 7).tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert ag.allowed_tokens(FSM, 2, {2}, EOS, 7).tolist() == [0, 0, 0, 0, 0, 0, 1]


def test_mask_renormalises_over_allowed_tokens_keeping_their_ratios():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=7)
    allowed = ag.allowed_tokens(FSM, 1, {2}, EOS, 7)
    p = softmax(logits)
    expected = np.where(allowed, p, 0.0) / p[allowed].sum()
    np.testing.assert_allclose(softmax(ag.mask_logits(logits, allowed)), expected)
    with pytest.raises(ValueError):
        ag.mask_logits(logits, np.zeros(7, dtype=bool))


def test_constrained_decode_always_produces_the_language():
    rng = np.random.default_rng(1)
    biased = np.log(np.array([0.05, 0.05, 0.05, 0.05, 0.4, 0.3, 0.1]))  # prefers invalid tokens
    for _ in range(300):
        tokens, finished = ag.constrained_decode(lambda _: biased, FSM, {2}, EOS, rng, 50)
        text = "".join(VOCAB[t] for t in tokens)
        assert finished and re.fullmatch(r"[0-9]+;", text), text


def test_constrained_decode_cut_off_is_only_a_prefix():
    rng = np.random.default_rng(2)
    only_digits = np.log(np.array([0.5, 0.49, 1e-9, 1e-9, 0.01, 1e-9, 1e-9]))
    tokens, finished = ag.constrained_decode(lambda _: only_digits, FSM, {2}, EOS, rng, 3)
    text = "".join(VOCAB[t] for t in tokens)
    assert not finished and len(tokens) == 3 and re.fullmatch(r"[0-9]+", text)


def _toy_model(prefix):
    """Language {ab, c}; tokens a=0, b=1, c=2, eos=3."""
    table = {(): [0.6, 0, 0.4, 0], (0,): [0, 0.1, 0, 0.9], (0, 1): [0, 0, 0, 1], (2,): [0, 0, 0, 1]}
    with np.errstate(divide="ignore"):
        return np.log(np.array(table[prefix], dtype=float))


TOY_FSM = ag.compile_token_fsm({(0, "a"): 1, (1, "b"): 2, (0, "c"): 2}, ["a", "b", "c", "<eos>"], 3)


def test_sequence_prob_by_hand_plain_and_masked():
    assert math.isclose(ag.sequence_prob(_toy_model, (0, 1), 3), 0.6 * 0.1 * 1)
    assert math.isclose(ag.sequence_prob(_toy_model, (2,), 3), 0.4)
    assert ag.sequence_prob(_toy_model, (0,), 3) == pytest.approx(0.54)  # "a" then stop
    # masked: after "a" only "b" is allowed, so it gets all of the mass
    assert math.isclose(ag.sequence_prob(_toy_model, (0, 1), 3, TOY_FSM, {2}), 0.6)
    assert ag.sequence_prob(_toy_model, (0,), 3, TOY_FSM, {2}) == 0.0  # invalid, never emitted


def test_constrained_decode_samples_the_masked_distribution_not_the_conditional():
    rng = np.random.default_rng(3)
    draws = [ag.constrained_decode(_toy_model, TOY_FSM, {2}, 3, rng, 5)[0] for _ in range(4000)]
    share_ab = np.mean([d == [0, 1] for d in draws])
    assert abs(share_ab - 0.6) < 4 * math.sqrt(0.24 / 4000)  # not 0.06 / 0.46 = 0.13


# --- context cost ---------------------------------------------------------------------


def test_prefill_tokens_by_hand():
    assert ag.prefill_tokens(2, 3, 4, cached=False).tolist() == [2, 5, 8, 11]
    assert ag.prefill_tokens(2, 3, 4, cached=True).tolist() == [2, 3, 3, 3]


@pytest.mark.parametrize("P,d,T", [(1, 1, 1), (2, 3, 4), (4000, 1000, 50), (7, 0, 9), (0, 5, 13)])
def test_total_prefill_matches_closed_form(P, d, T):
    for cached in (False, True):
        assert ag.total_prefill_tokens(P, d, T, cached) == ag.prefill_tokens(P, d, T, cached).sum()
    assert ag.total_prefill_tokens(P, d, T, False) == T * P + d * T * (T - 1) / 2


def test_uncached_cost_is_quadratic_in_steps():
    # P = 0, d = 10: 10 T (T - 1) / 2; doubling T roughly quadruples the cost
    assert [ag.total_prefill_tokens(0, 10, T, False) for T in (10, 20, 40)] == [450, 1900, 7800]
    assert [ag.total_prefill_tokens(0, 10, T, True) for T in (10, 20, 40)] == [90, 190, 390]


# --- pass@k and pass^k -------------------------------------------------------------------


def _brute_force(n, c, k, all_succeed):
    """Average over every k-subset of n trials (c successes) of 'all' or 'any' succeeded."""
    trials = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(trials, k))
    test = all if all_succeed else any
    return sum(test(s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n", range(1, 8))
def test_estimators_equal_brute_force_over_all_k_subsets(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert ag.pass_at_k(n, c, k) == pytest.approx(_brute_force(n, c, k, False), abs=1e-12)
            assert ag.pass_hat_k(n, c, k) == pytest.approx(_brute_force(n, c, k, True), abs=1e-12)


def test_estimators_by_hand():
    assert ag.pass_at_k(5, 2, 1) == pytest.approx(0.4) == ag.pass_hat_k(5, 2, 1)  # both c / n
    assert ag.pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)  # 1 - C(3,2) / C(5,2)
    assert ag.pass_hat_k(5, 2, 2) == pytest.approx(1 / 10)  # C(2,2) / C(5,2)
    assert ag.pass_hat_k(5, 2, 3) == 0.0
    assert ag.pass_at_k(5, 0, 3) == 0.0 and ag.pass_at_k(5, 3, 3) == 1.0
    with pytest.raises(ValueError):
        ag.pass_at_k(3, 1, 4)
    with pytest.raises(ValueError):
        ag.pass_hat_k(3, 4, 1)


def test_pass_at_k_is_stable_where_binomials_are_huge():
    n, c, k = 200, 50, 100  # C(200, 100) ~ 9e58
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert ag.pass_at_k(n, c, k) == pytest.approx(exact, rel=1e-12)
    assert ag.pass_hat_k(n, 150, 100) == pytest.approx(math.comb(150, 100) / math.comb(200, 100))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.83])
def test_estimators_are_unbiased_for_independent_trials(p):
    """With c ~ Binomial(n, p), E[pass@k] = 1 - (1 - p)^k and E[pass^k] = p^k exactly."""
    n, k = 10, 4
    pmf = [math.comb(n, c) * p**c * (1 - p) ** (n - c) for c in range(n + 1)]
    mean_at = sum(w * ag.pass_at_k(n, c, k) for c, w in enumerate(pmf))
    mean_hat = sum(w * ag.pass_hat_k(n, c, k) for c, w in enumerate(pmf))
    assert mean_at == pytest.approx(1 - (1 - p) ** k)
    assert mean_hat == pytest.approx(p**k)


def test_pass_at_k_rises_and_pass_hat_k_falls_with_k():
    at = [ag.pass_at_k(10, 6, k) for k in range(1, 11)]
    hat = [ag.pass_hat_k(10, 6, k) for k in range(1, 11)]
    assert all(a <= b for a, b in itertools.pairwise(at))
    assert all(a >= b for a, b in itertools.pairwise(hat))
    assert at[0] == pytest.approx(hat[0]) == pytest.approx(0.6)


# --- compounding errors ---------------------------------------------------------------------


def test_compounding_by_hand():
    assert ag.chain_success(0.5, 3) == 0.125
    assert ag.chain_success(0.9, 0) == 1.0
    assert ag.with_retries(0.5, 0) == 0.5 and ag.with_retries(0.5, 2) == 0.875


@pytest.mark.parametrize(
    "p,target,T", [(0.5, 0.25, 2), (0.5, 0.5, 1), (0.5, 0.3, 1), (0.9, 1.0, 0)]
)
def test_max_steps_at_boundaries(p, target, T):
    assert ag.max_steps(p, target) == T


@pytest.mark.parametrize("p", [0.8, 0.95, 0.99, 0.999])
def test_max_steps_is_the_last_chain_above_target(p):
    T = ag.max_steps(p, 0.5)
    assert p**T >= 0.5 > p ** (T + 1)
