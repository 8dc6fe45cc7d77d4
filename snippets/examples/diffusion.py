"""Examples printed on the diffusion page."""

import numpy as np

from snippets.diffusion import alpha_bars, cfg_eps, cosine_betas, linear_betas

# --8<-- [start:schedules]
T = 1000
ab_linear = alpha_bars(linear_betas(T))
ab_cosine = alpha_bars(cosine_betas(T))
print("   t   alpha_bar (linear)   alpha_bar (cosine)")
for t in (0, 100, 250, 500, 750, 1000):
    print(f"{t:4d}   {ab_linear[t]:18.5f}   {ab_cosine[t]:18.5f}")
# --8<-- [end:schedules]
assert ab_linear[500] < 0.1 < ab_cosine[500] and ab_cosine[1000] < 1e-6

# --8<-- [start:cfg]
eps_cond = np.array([0.8, -0.2])  # eps(x_t, c)
eps_uncond = np.array([0.5, 0.1])  # eps(x_t), the same network with c dropped
for w in (0.0, 1.0, 6.5):  # 6.5 is Stable Diffusion's default guidance_scale = 1 + w = 7.5
    print(f"w = {w}: {cfg_eps(eps_cond, eps_uncond, w)}")
# --8<-- [end:cfg]
assert np.allclose(cfg_eps(eps_cond, eps_uncond, 1.0), [1.1, -0.5])
