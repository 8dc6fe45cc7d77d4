"""TF1-style graph mode (docs/*/practice.md). Not executed: needs TensorFlow.

Kept apart from practice_tensorflow_v2.py: disable_eager_execution() switches the
whole process to graph mode, so TF2 eager code could not run after it in one process.
"""

import tensorflow as tf

# --8<-- [start:tf1]
# TF1 (define-and-run): build the graph, then run it in a session.
tf.compat.v1.disable_eager_execution()  # global: graph mode for the whole process
x = tf.compat.v1.placeholder(tf.float32, shape=[None, 3])
y = tf.reduce_sum(x * 2.0)
with tf.compat.v1.Session() as sess:
    print(sess.run(y, feed_dict={x: [[1.0, 2.0, 3.0]]}))  # 12.0
# --8<-- [end:tf1]
