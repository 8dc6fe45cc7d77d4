"""TF2 eager mode and tf.function (docs/*/practice.md). Not executed: needs TensorFlow."""

import tensorflow as tf


# --8<-- [start:tf2]
# TF2: eager by default; tf.function traces the Python function into a graph.
@tf.function
def f(x: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(x * 2.0)


print(f(tf.constant([[1.0, 2.0, 3.0]])))  # tf.Tensor(12.0, ...): traced once, then reused
# --8<-- [end:tf2]
