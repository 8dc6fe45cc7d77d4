"""RNN / LSTM step Jacobians against central finite differences."""

import numpy as np

from snippets import rnn
from snippets.gradcheck import numerical_gradient


def jacobian_fd(f, x):
    """Row i = gradient of output i: the full Jacobian by central differences."""
    n_out = f(x).size
    return np.stack([numerical_gradient(lambda z, i=i: float(f(z)[i]), x) for i in range(n_out)])


def test_rnn_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    d_x, d_h = 3, 4
    W_xh, W_hh, b = rng.normal(size=(d_h, d_x)), rng.normal(size=(d_h, d_h)), rng.normal(size=d_h)
    x, h_prev = rng.normal(size=d_x), rng.normal(size=d_h)
    h = rnn.rnn_step(x, h_prev, W_xh, W_hh, b)
    numeric = jacobian_fd(lambda z: rnn.rnn_step(x, z, W_xh, W_hh, b), h_prev.copy())
    np.testing.assert_allclose(rnn.rnn_step_jacobian(h, W_hh), numeric, rtol=1e-6, atol=1e-9)


def test_lstm_cell_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    d_x, d_h = 3, 4
    W, U, b = (
        rng.normal(size=(4 * d_h, d_x)),
        rng.normal(size=(4 * d_h, d_h)),
        rng.normal(size=4 * d_h),
    )
    x, h_prev, c_prev = rng.normal(size=d_x), rng.normal(size=d_h), rng.normal(size=d_h)
    _, _, f = rnn.lstm_step(x, h_prev, c_prev, W, U, b)
    numeric = jacobian_fd(lambda z: rnn.lstm_step(x, h_prev, z, W, U, b)[1], c_prev.copy())
    np.testing.assert_allclose(rnn.lstm_cell_jacobian(f), numeric, rtol=1e-6, atol=1e-9)


def test_lstm_forget_gate_bias_hand_value():
    d_h = 2
    b = np.zeros(4 * d_h)
    b[:d_h] = 1.0  # forget bias 1 with zero weights: f = sigmoid(1)
    _, c, f = rnn.lstm_step(
        np.zeros(1), np.zeros(d_h), np.ones(d_h), np.zeros((8, 1)), np.zeros((8, 2)), b
    )
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-1.0)))
    np.testing.assert_allclose(c, f)  # g = tanh(0) = 0: c = f * c_prev


def test_backprop_norms_of_a_scaled_orthogonal_matrix():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    norms = rnn.backprop_norms([0.9 * Q] * 6)  # linear RNN: sigma_max^k exactly
    np.testing.assert_allclose(norms, 0.9 ** np.arange(7))


def test_backprop_norms_multiplies_in_time_order():
    A = np.array([[0.0, 1.0], [0.0, 0.0]])
    B = np.diag([2.0, 3.0])
    # d h_2 / d h_0 = J_2 J_1 with J_1 = A, J_2 = B: B A = [[0, 2], [0, 0]], norm 2
    np.testing.assert_allclose(rnn.backprop_norms([A, B]), [1.0, 3.0, 2.0])
