// Build-time MathJax: TeX in, CommonHTML out, for docs/hooks/mathjax.py.
//
// One long-lived process per language build. It reads JSON lines on stdin and
// answers each with one JSON line on stdout, in order:
//
//   {"tex": "x^2", "display": false}
//     -> {"html": "<mjx-container ...>", "width": <em>, "usage": {...}}
//        or {"error": "..."}
//   {"css": <union of the usage objects of every formula on the site>}
//     -> {"css": "..."}   the stylesheet for exactly those glyphs and wrappers
//
// "usage" lists what a formula needs from the stylesheet (CHTML's adaptive CSS,
// which in the browser is injected as formulas appear): wrapper kinds
// (mjx-mfrac, ...), characters per font variant and stretchy delimiters. The
// Python side caches it with the formula, so the site's one stylesheet can be
// rebuilt from the cache without typesetting anything again.
//
// TeX errors are errors: no noerrors (which would render the source in red),
// no noundefined (red text for an unknown macro), and formatError rethrows.

import {createInterface} from 'node:readline';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {CHTML} = require('mathjax-full/js/output/chtml.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AssistiveMmlHandler} = require('mathjax-full/js/a11y/assistive-mml.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

// argv: the URL of the woff fonts, relative to the stylesheet.
const fontURL = process.argv[2] || 'fonts';

// The packages the browser build (tex-chtml-full.js) had, minus those that
// hide mistakes; newcommand is out because pages must not define macros.
const HIDES_ERRORS = new Set(['noerrors', 'noundefined', 'newcommand']);
const packages = AllPackages.filter((name) => !HIDES_ERRORS.has(name));

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const tex = new TeX({
  packages,
  formatError(_jax, error) {
    throw error;
  },
});
const chtml = new CHTML({fontURL, adaptiveCSS: true});
const html = mathjax.document('', {InputJax: tex, OutputJax: chtml});
const font = chtml.font;

function usages() {
  return [chtml.wrapperUsage, font.charUsage, font.delimUsage];
}

function render(request) {
  for (const usage of usages()) usage.clear();
  // What html.convert() does, keeping the MathItem to measure it.
  const math = new html.options.MathItem(request.tex, tex, Boolean(request.display));
  math.start.node = adaptor.body(html.document);
  math.setMetrics(16, 8, 80 * 8, 1000000, 1);
  math.convert(html);
  const [wrappers, chars, delims] = usages().map((usage) => usage.update());
  const box = drawnBox(math); // in em
  size(math.typesetRoot, box);
  return {
    html: adaptor.outerHTML(math.typesetRoot),
    width: Math.round(box.w * 100) / 100,
    usage: {wrappers, chars, delims},
  };
}

// The drawn formula (<mjx-math>, aria-hidden; the assistive MathML is its
// sibling) gets its size from the font metrics, so the browser can skip its
// glyph boxes while they are off screen (math.css: content-visibility), yet
// lay the page out as if they were there: width, height and depth, as CSS
// variables. Not for a formula with text the browser lays out itself
// (mjx-utext, e.g. Chinese in \text{}): Node can only guess its width.
function size(root, {w, h, d}) {
  const drawn = adaptor.firstChild(root);
  if (adaptor.kind(drawn) !== 'mjx-math' || adaptor.tags(drawn, 'mjx-utext').length) return;
  const em = (x) => `${Math.round(x * 1000) / 1000}em`;
  adaptor.addClass(drawn, 'mjx-sized');
  const style = adaptor.getAttribute(drawn, 'style'); // MathJax's own, e.g. a display's margins
  const sizes = `--mjx-w:${em(w)};--mjx-h:${em(h + d)};--mjx-d:${em(d)}`;
  adaptor.setAttribute(drawn, 'style', style ? `${style} ${sizes}` : sizes);
}

// The box the browser draws, in em. CHTML's stylesheet pads each character's
// box by its italic correction (the 'f' of \text{fan}). MathJax's bounding box
// counts only the last one, and only in <mi> and <mo> (copySkewIC), so a word
// in \text{} or \operatorname{} is drawn wider than MathJax measures it. Measure
// with text boxes that count the rest, then put MathJax's own measure back.
const TextNode = chtml.factory.getNodeClass('text').prototype;
const mathjaxTextBBox = TextNode.computeBBox;
function drawnTextBBox(bbox, recompute) {
  mathjaxTextBBox.call(this, bbox, recompute);
  const variant = this.parent.variant;
  if (variant === '-explicitFont') return; // laid out by the browser: not sized
  const corrections = this.remappedText(this.node.getText(), variant).map(
    (char) => this.getVariantChar(variant, char)[3].ic || 0,
  );
  if (this.parent.node.isKind('mi') || this.parent.node.isKind('mo')) corrections.pop();
  bbox.w += corrections.reduce((sum, ic) => sum + ic, 0);
}

function drawnBox(math) {
  TextNode.computeBBox = drawnTextBBox;
  try {
    return chtml.getBBox(math, html);
  } finally {
    TextNode.computeBBox = mathjaxTextBBox;
  }
}

function stylesheet(usage) {
  chtml.clearCache();
  for (const kind of usage.wrappers || []) chtml.wrapperUsage.add(kind);
  for (const item of usage.chars || []) font.charUsage.add(item);
  for (const n of usage.delims || []) font.delimUsage.add(n);
  return adaptor.textContent(chtml.styleSheet(html));
}

function answer(line) {
  const request = JSON.parse(line);
  try {
    if (request.css) return {css: stylesheet(request.css)};
    return render(request);
  } catch (error) {
    return {error: String(error && error.message ? error.message : error)};
  }
}

const input = createInterface({input: process.stdin, crlfDelay: Infinity});
input.on('line', (line) => {
  if (line.trim()) process.stdout.write(JSON.stringify(answer(line)) + '\n');
});
