"""Examples printed on the alignment and RL pages."""

import numpy as np

from snippets.rl import discounted_returns, dpo_grad_weight, dpo_loss, gae, grpo_advantages

# --8<-- [start:gae]
rewards = np.array([0.0, 0.0, 0.0, 1.0])  # sparse reward at the end, as in RLHF
values = np.array([0.5, 0.6, 0.7, 0.8])  # the critic's V(s_t)
print("returns G_t:  ", discounted_returns(rewards, gamma=1.0))
for lam in (0.0, 0.95, 1.0):
    adv, _ = gae(rewards, values, gamma=1.0, lam=lam)
    print(f"GAE lam={lam:<4}:", np.round(adv, 3))
# --8<-- [end:gae]
assert np.allclose(gae(rewards, values, 1.0, 1.0)[0], 1.0 - values)
assert np.allclose(gae(rewards, values, 1.0, 0.0)[0], [0.1, 0.1, 0.1, 0.2])

# --8<-- [start:dpo]
beta = 0.1
logp_w, logp_l = np.array([-10.0, -10.0, -30.0]), np.array([-15.0, -9.0, -40.0])
ref_w, ref_l = np.array([-12.0, -12.0, -25.0]), np.array([-14.0, -12.0, -33.0])
loss, r_w, r_l = dpo_loss(logp_w, logp_l, ref_w, ref_l, beta)
print("implicit reward, chosen:  ", np.round(r_w, 2))
print("implicit reward, rejected:", np.round(r_l, 2))
print("loss:                     ", np.round(loss, 4))
print("gradient weight:          ", np.round(dpo_grad_weight(r_w, r_l), 4))
# --8<-- [end:dpo]
assert np.isclose(loss[0], np.log1p(np.exp(-0.3)))
assert r_w[2] < 0 and r_w[2] > r_l[2]  # chosen got less likely, yet the loss fell

# --8<-- [start:grpo]
# 2 prompts x 4 sampled answers; reward 1 if the final answer is correct.
rewards = np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])
print(np.round(grpo_advantages(rewards), 3))
# --8<-- [end:grpo]
assert np.allclose(
    grpo_advantages(rewards)[0],
    [np.sqrt(3), -1 / np.sqrt(3), -1 / np.sqrt(3), -1 / np.sqrt(3)],
    atol=1e-5,
)
