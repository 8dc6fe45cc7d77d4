// Material's colour palette sets `data-md-color-switching` on <body> while it
// applies a palette, and removes it a task later. Its stylesheet turns every
// transition off below that attribute (`[data-md-color-switching] *`), so each
// set and each removal restyles the whole document: on a long question page
// (~18,000 elements, most of them MathJax glyph boxes) about 0.7 s of a phone's
// start-up (a Chromium trace at phone size). Material applies the palette once
// at start-up, when the colours are already those of the page and nothing can
// animate; only a reader's switch (a click or key on the toggle, or the
// system's scheme changing) needs the guard. Loaded before Material's bundle
// (docs/overrides/main.html).

(() => {
  const body = document.body;
  const setAttribute = body.setAttribute;
  let switching = false;
  document.addEventListener(
    "change",
    (event) => {
      if (event.target.closest && event.target.closest("[data-md-component=palette]")) {
        switching = true;
      }
    },
    true,
  );
  matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => {
    switching = true;
  });
  body.setAttribute = function (name, value) {
    if (name === "data-md-color-switching") {
      if (!switching) return;
      switching = false;
    }
    return setAttribute.call(this, name, value);
  };
})();
