"""The finite-difference checker itself, against gradients known in closed form."""

import numpy as np

from snippets.gradcheck import numerical_gradient, numerical_gradient_array


def test_numerical_gradient_of_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    # f(x) = x^T A x has gradient (A + A^T) x.
    grad = numerical_gradient(lambda z: float(z @ A @ z), x)
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_keeps_shape_and_restores_x():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4))
    before = x.copy()
    grad = numerical_gradient(lambda z: float(np.sum(np.sin(z))), x)
    assert grad.shape == x.shape
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, np.cos(x), rtol=1e-7, atol=1e-9)


def test_numerical_gradient_array_is_vector_jacobian_product():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4))
    W = rng.normal(size=(4, 5))
    dout = rng.normal(size=(3, 5))
    # out = x W, so dL/dx = dout W^T.
    grad = numerical_gradient_array(lambda z: z @ W, x, dout)
    np.testing.assert_allclose(grad, dout @ W.T, rtol=1e-7, atol=1e-9)
