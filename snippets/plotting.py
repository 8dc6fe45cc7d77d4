"""One look for every figure the notebooks draw (the d2l idea: notebooks show
the idea, this module holds the boilerplate).

Figures are SVG with text as paths (no font needed to view them), transparent
(the site inverts them for the dark scheme), and deterministic: a fixed hash
salt for SVG ids, and the build sets SOURCE_DATE_EPOCH so no date is written.
Labels use mathematical symbols and names that read the same in Chinese and
English (ReLU, Adam), so one notebook serves both languages' figures.
"""

from __future__ import annotations

import matplotlib as mpl
from matplotlib_inline.backend_inline import set_matplotlib_formats

# Okabe-Ito: distinguishable with colour-vision deficiencies, and after the
# dark scheme's invert + hue-rotate.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]


def use_style(fmt: str = "svg") -> None:
    """Set the figure style; `fmt` is "svg", or "retina" (PNG at 2x) for
    figures with so many marks that SVG would be heavier."""
    set_matplotlib_formats(fmt)
    mpl.rcParams.update(
        {
            "svg.hashsalt": "dl-interview-kb",
            "svg.fonttype": "path",
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.transparent": True,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 10,
            "lines.linewidth": 1.8,
            "legend.frameon": False,
            "path.simplify": True,
        }
    )
