"""First-order optimizers, gradient clipping, and the 2-D test problems the
optimizer notebook runs them on.

Every optimizer is a small dataclass: its hyperparameters are the constructor
arguments, its state (velocity, moment estimates, step count) lives on the
instance, created on the first step with the shape of theta. `step` never
modifies its arguments; it returns the new parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:interface]
class Optimizer(Protocol):
    def step(self, theta: Array, grad: Array) -> Array:
        """One update. theta, grad: same shape (any); grad = dL/dtheta at theta.
        Returns the new theta, same shape."""
        ...


# --8<-- [end:interface]


# --8<-- [start:sgd]
@dataclass
class SGD:
    lr: float

    def step(self, theta: Array, grad: Array) -> Array:
        return theta - self.lr * grad


# --8<-- [end:sgd]


# --8<-- [start:momentum]
@dataclass
class Momentum:
    """Heavy ball: v <- mu * v - lr * g;  theta <- theta + v.

    v is the velocity with the learning rate folded in (CS231n convention).
    PyTorch keeps b <- mu * b + g and steps theta <- theta - lr * b, i.e.
    v = -lr * b: the same trajectory while lr is constant.
    """

    lr: float
    mu: float = 0.9
    v: Array | None = field(default=None, init=False, repr=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.v is None:
            self.v = np.zeros_like(theta)
        self.v = self.mu * self.v - self.lr * grad
        return theta + self.v


# --8<-- [end:momentum]


# --8<-- [start:nesterov]
@dataclass
class Nesterov:
    """Nesterov momentum, needing only the gradient at the current theta:
    v <- mu * v - lr * g;  theta <- theta + mu * v - lr * g.

    Textbook form: v' = mu * v - lr * grad f(theta + mu * v);  theta' = theta + v'.
    Track phi = theta + mu * v (the look-ahead point) instead of theta:
    phi' = theta' + mu * v' = phi - mu * v + (1 + mu) * v' = phi + mu * v' - lr * grad f(phi),
    so the gradient is taken at the stored parameters (Sutskever et al. 2013;
    PyTorch's SGD(nesterov=True) is this with v = -lr * b).
    """

    lr: float
    mu: float = 0.9
    v: Array | None = field(default=None, init=False, repr=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.v is None:
            self.v = np.zeros_like(theta)
        self.v = self.mu * self.v - self.lr * grad
        return theta + self.mu * self.v - self.lr * grad


# --8<-- [end:nesterov]


# --8<-- [start:adagrad]
@dataclass
class Adagrad:
    """s <- s + g^2;  theta <- theta - lr * g / (sqrt(s) + eps).

    s only grows, so the effective step lr / sqrt(s) decays roughly like 1/sqrt(t).
    """

    lr: float
    eps: float = 1e-10
    s: Array | None = field(default=None, init=False, repr=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.s is None:
            self.s = np.zeros_like(theta)
        self.s = self.s + grad**2
        return theta - self.lr * grad / (np.sqrt(self.s) + self.eps)


# --8<-- [end:adagrad]


# --8<-- [start:rmsprop]
@dataclass
class RMSProp:
    """s <- rho * s + (1 - rho) * g^2;  theta <- theta - lr * g / (sqrt(s) + eps).

    A leaky average instead of Adagrad's sum: old gradients are forgotten, so
    the step does not decay to zero.
    """

    lr: float
    rho: float = 0.9
    eps: float = 1e-8
    s: Array | None = field(default=None, init=False, repr=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.s is None:
            self.s = np.zeros_like(theta)
        self.s = self.rho * self.s + (1 - self.rho) * grad**2
        return theta - self.lr * grad / (np.sqrt(self.s) + self.eps)


# --8<-- [end:rmsprop]


# --8<-- [start:adadelta]
@dataclass
class Adadelta:
    """Zeiler 2012, no learning rate:
    s <- rho * s + (1 - rho) * g^2                      (E[g^2])
    delta_theta = -sqrt(u + eps) / sqrt(s + eps) * g
    u <- rho * u + (1 - rho) * delta_theta^2            (E[delta_theta^2])
    theta <- theta + delta_theta.

    The ratio RMS[delta_theta] / RMS[g] carries the units of theta. As u
    starts at 0, the first steps are about sqrt(eps) / sqrt(s): a slow start.
    (PyTorch multiplies delta_theta by an extra lr, default 1.0.)
    """

    rho: float = 0.95
    eps: float = 1e-6
    s: Array | None = field(default=None, init=False, repr=False)
    u: Array | None = field(default=None, init=False, repr=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.s is None or self.u is None:
            self.s = np.zeros_like(theta)
            self.u = np.zeros_like(theta)
        self.s = self.rho * self.s + (1 - self.rho) * grad**2
        delta_theta = -np.sqrt(self.u + self.eps) / np.sqrt(self.s + self.eps) * grad
        self.u = self.rho * self.u + (1 - self.rho) * delta_theta**2
        return theta + delta_theta


# --8<-- [end:adadelta]


# --8<-- [start:adam]
@dataclass
class Adam:
    """m <- beta1 * m + (1 - beta1) * g;  v <- beta2 * v + (1 - beta2) * g^2;
    m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t);
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps).

    m and v start at 0, so they are biased towards 0 for small t; dividing by
    1 - beta^t removes that bias. At t = 1, m_hat / sqrt(v_hat) = g / |g|, so
    every coordinate moves by about lr whatever the scale of its gradient.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    m: Array | None = field(default=None, init=False, repr=False)
    v: Array | None = field(default=None, init=False, repr=False)
    t: int = field(default=0, init=False)

    def step(self, theta: Array, grad: Array) -> Array:
        if self.m is None or self.v is None:
            self.m = np.zeros_like(theta)
            self.v = np.zeros_like(theta)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad**2
        m_hat = self.m / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --8<-- [end:adam]


# --8<-- [start:adamw]
@dataclass
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019):
    theta <- theta - lr * weight_decay * theta, then the Adam step on g alone.

    Adam + L2 would instead add weight_decay * theta to g, where it is divided
    by sqrt(v_hat) like the rest of the gradient: weights with large gradients
    would barely be decayed. Here every weight shrinks by the same factor.
    """

    weight_decay: float = 1e-2

    def step(self, theta: Array, grad: Array) -> Array:
        theta = theta - self.lr * self.weight_decay * theta
        return super().step(theta, grad)


# --8<-- [end:adamw]


# --8<-- [start:clip]
def clip_by_global_norm(grads: list[Array], max_norm: float) -> tuple[list[Array], float]:
    """Rescale all gradients together so that their joint L2 norm is at most max_norm.

    grads: arrays of any shapes (one per parameter). Returns the clipped
    arrays (same shapes) and the norm before clipping. Scaling every array by
    the same factor keeps the direction of the full gradient.
    """
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if total_norm <= max_norm:
        return [g.copy() for g in grads], total_norm
    scale = max_norm / total_norm
    return [g * scale for g in grads], total_norm


# --8<-- [end:clip]


# --8<-- [start:problems]
# Test functions of theta = (x1, x2). They accept theta of shape (..., 2), so
# one call evaluates a whole grid for a contour plot; the gradients return
# the same shape as theta.


def quadratic(theta: Array) -> Array:
    """f = 0.1 x1^2 + 2 x2^2: Hessian diag(0.2, 4), condition number 20, minimum 0 at 0."""
    return 0.1 * theta[..., 0] ** 2 + 2.0 * theta[..., 1] ** 2


def quadratic_grad(theta: Array) -> Array:
    return np.stack([0.2 * theta[..., 0], 4.0 * theta[..., 1]], axis=-1)


def rosenbrock(theta: Array) -> Array:
    """f = (1 - x1)^2 + 100 (x2 - x1^2)^2: a curved narrow valley, minimum 0 at (1, 1)."""
    x1, x2 = theta[..., 0], theta[..., 1]
    return (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2


def rosenbrock_grad(theta: Array) -> Array:
    x1, x2 = theta[..., 0], theta[..., 1]
    return np.stack([-2 * (1 - x1) - 400 * x1 * (x2 - x1**2), 200 * (x2 - x1**2)], axis=-1)


def saddle(theta: Array) -> Array:
    """f = x1^2 - x2^2 + x2^4 / 2: a saddle at 0 (Hessian diag(2, -2)) between
    two minima f = -1/2 at (0, +-1); the quartic keeps it bounded below."""
    x1, x2 = theta[..., 0], theta[..., 1]
    return x1**2 - x2**2 + 0.5 * x2**4


def saddle_grad(theta: Array) -> Array:
    x1, x2 = theta[..., 0], theta[..., 1]
    return np.stack([2 * x1, -2 * x2 + 2 * x2**3], axis=-1)


def run(optimizer: Optimizer, grad_f: Callable[[Array], Array], theta0: Array, steps: int) -> Array:
    """Apply `steps` updates from theta0 (shape (2,)) using grad_f(theta).
    Returns the trajectory, shape (steps + 1, 2), row 0 = theta0."""
    trajectory = [np.asarray(theta0, dtype=np.float64)]
    for _ in range(steps):
        theta = trajectory[-1]
        trajectory.append(optimizer.step(theta, grad_f(theta)))
    return np.stack(trajectory)


# --8<-- [end:problems]
