"""JAX function transformations (docs/*/practice.md). Not executed: needs JAX."""

import jax
import jax.numpy as jnp


# --8<-- [start:transforms]
def loss(w: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((x @ w - y) ** 2)


grad_fn = jax.jit(jax.grad(loss))  # compiled gradient with respect to w
per_example = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))  # per-example gradients
# --8<-- [end:transforms]
