"""Examples printed on the VAE and GAN pages."""

import numpy as np

from snippets.generative import (
    fid_from_features,
    gaussian_kl,
    gaussian_kl_monte_carlo,
    generator_loss_minimax,
    generator_loss_nonsaturating,
)

# --8<-- [start:kl]
rng = np.random.default_rng(0)
mu = np.array([[0.0, 0.0], [1.0, -1.0], [0.0, 0.0]])
logvar = np.array([[0.0, 0.0], [0.0, 0.0], [np.log(0.01), np.log(0.01)]])
kl, dmu, dlogvar = gaussian_kl(mu, logvar)
kl_mc = gaussian_kl_monte_carlo(mu, logvar, 100_000, rng)
print("closed form:", np.round(kl, 3) + 0.0)  # + 0.0 turns -0.0 into 0.0
print("Monte Carlo:", np.round(kl_mc, 3))
# --8<-- [end:kl]
assert np.allclose(kl, [0.0, 1.0, 2 * (-0.5 * (1 + np.log(0.01) - 0.01))])
assert np.allclose(kl_mc, kl, rtol=0.02, atol=0.01)

# --8<-- [start:saturation]
a_fake = np.array([-8.0, -4.0, 0.0, 4.0])  # D(G(z)) = sigmoid(a_fake)
_, d_minimax = generator_loss_minimax(a_fake)
_, d_nonsat = generator_loss_nonsaturating(a_fake)
n = a_fake.size
for name, row in [
    ("D(G(z))", 1 / (1 + np.exp(-a_fake))),
    ("minimax  M dL/da", d_minimax * n),
    ("non-sat. M dL/da", d_nonsat * n),
]:
    print(f"{name:<17}", " ".join(f"{v:8.4f}" for v in row))
# --8<-- [end:saturation]
assert abs(d_minimax[0] * n) < 1e-3 and abs(d_nonsat[0] * n + 1) < 1e-3

# --8<-- [start:fid_bias]
rng = np.random.default_rng(0)
d = 64  # Inception features have d = 2048; the bias grows with d / n
for n in (100, 1_000, 10_000):
    fids = [fid_from_features(rng.normal(size=(n, d)), rng.normal(size=(n, d))) for _ in range(3)]
    print(f"n = {n:>6}: FID between two samples of the same N(0, I) = {np.mean(fids):.3f}")
# --8<-- [end:fid_bias]
assert fids[0] < 1.0
