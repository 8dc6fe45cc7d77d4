// MathJax 3, served from this site (assets/javascripts/mathjax/): readers in
// mainland China cannot rely on a CDN. Fonts load from the same folder.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Only typeset what pymdownx.arithmatex marked as math.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Instant navigation swaps the page without reloading scripts: typeset again.
// The first page is typeset by MathJax's own start-up, before it is ready.
// No output.clearCache() (as some guides suggest): with CHTML output it drops
// the glyph rules already in the stylesheet, and the formulas turn invisible.
document$.subscribe(() => {
  if (!window.MathJax.typesetPromise) return;
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
