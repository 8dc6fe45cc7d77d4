// Material's search worker, with queries rewritten the way the index was written.
//
// Loaded instead of Material's worker (assets/javascripts/search.js swaps the
// URL; ?worker= names Material's file in this directory). It registers one
// message listener before Material's, which rewrites the text of each query
// message in place; Material's handler then sees the rewritten query.
//
// 1. Chinese. The build segments Chinese with jieba (a dictionary, word
//    frequencies and the user dictionary docs/overrides/jieba-user-dict.txt).
//    Material's worker segments the query by a greedy match against the index
//    terms, whose inner loop stops one character short
//    (`for (j = i + 1; j < query.length; j++)`): the last character of a run is
//    never part of a word, so 学习率 is looked up as 学习*, 注意力机制 as
//    注意力* 机*, and the single-character pieces, each with a wildcard, match
//    unrelated words (机* → 机器学习). Here each run of Han characters is split
//    into the most probable sequence of index terms under a unigram model whose
//    counts are the index's own (how often jieba wrote each term), the way
//    jieba picks its route through a sentence. On the 447 Chinese runs in the
//    site's headings this reproduces jieba's own cut for 97% (the rest are cut
//    into other index terms). Material's segmenter is then switched off (it
//    only asks `term in invertedIndex`, which the proxy below answers "no",
//    so it returns each run unchanged).
// 2. English. The pages use American spelling: a term with a British ending
//    is replaced by its American form when the index has more of that
//    (normalisation → normalization, modelling → modeling, colour → color).

const name = new URLSearchParams(location.search).get("worker") || "";
if (!/^search\.[0-9a-f]+\.min\.js$/.test(name)) throw new Error(`search-segment: bad worker ${name}`);

const QUERY = 2; // SearchMessageType.QUERY in Material's worker protocol
const HAN = /\p{sc=Han}+/gu;
const MAX_WORD = 12;

let index; // the lunr.Index Material builds
let terms; // its inverted index (the raw object, not the proxy)
let vocabulary; // sorted index terms, for prefix look-ups
let total = 0; // term occurrences in the index
const counts = new Map();

function count(term) {
  if (counts.has(term)) return counts.get(term);
  let n = 0;
  const posting = Object.prototype.hasOwnProperty.call(terms, term) ? terms[term] : undefined;
  if (posting)
    for (const field of index.fields)
      for (const ref in posting[field]) n += posting[field][ref].position?.length || 1;
  counts.set(term, n);
  return n;
}

// The most probable split of a run of Han characters into index terms: a
// dynamic programme from the right, log P(word) = log(count / total); a
// character that is no index term on its own (a stop word) counts 0.5.
function segment(run) {
  if (!total) for (const term in terms) total += count(term);
  const logTotal = Math.log(total);
  const best = new Array(run.length + 1).fill(null);
  best[run.length] = { score: 0, end: run.length };
  for (let i = run.length - 1; i >= 0; i--) {
    for (let j = i + 1; j <= Math.min(run.length, i + MAX_WORD); j++) {
      const n = count(run.slice(i, j)) || (j === i + 1 ? 0.5 : 0);
      if (!n) continue;
      const score = Math.log(n) - logTotal + best[j].score;
      if (!best[i] || score > best[i].score) best[i] = { score, end: j };
    }
  }
  const words = [];
  for (let i = 0; i < run.length; i = best[i].end) words.push(run.slice(i, best[i].end));
  return words;
}

// How often index terms starting with `prefix` occur (queries end in a wildcard).
function prefixCount(prefix) {
  vocabulary ||= Object.keys(terms).sort();
  let lo = 0;
  let hi = vocabulary.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vocabulary[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  let n = 0;
  for (let i = lo; i < vocabulary.length && vocabulary[i].startsWith(prefix); i++)
    n += count(vocabulary[i]);
  return n;
}

// British → American endings, with the shortest word each applies to.
const BRITISH = [
  [/is(ation|ations|e|ed|es|er|ers|ing)?$/, "iz$1", 5],
  [/ys(e|ed|es|ing)$/, "yz$1", 6],
  [/our(s|ed|ing|ite|ites)?$/, "or$1", 6],
  [/([ea])ll(ed|ing|er|ers)$/, "$1l$2", 7],
  [/tre(s)?$/, "ter$1", 5],
  [/ogue(s)?$/, "og$1", 7],
];

// The spelling of a term that the index uses more: "normalisation" becomes
// "normalization" (the pages' spelling), "analysis" stays.
function american(term) {
  const lower = term.toLowerCase();
  let best = term;
  let most = -1;
  for (const [from, to, shortest] of BRITISH) {
    if (lower.length < shortest || !from.test(lower)) continue;
    if (most < 0) most = prefixCount(lower);
    const folded = lower.replace(from, to);
    const n = prefixCount(folded);
    if (n > most) [best, most] = [folded, n];
  }
  return best;
}

function rewrite(query) {
  return query
    .replace(/[A-Za-z]{4,}/g, american)
    .replace(HAN, (run) => segment(run).join(" "));
}

addEventListener("message", (event) => {
  const message = event.data;
  if (message && message.type === QUERY && terms && typeof message.data === "string")
    message.data = rewrite(message.data);
});

importScripts(name);

const build = lunr.Builder.prototype.build;
lunr.Builder.prototype.build = function () {
  index = build.call(this);
  terms = index.invertedIndex;
  index.invertedIndex = new Proxy(terms, { has: () => false });
  counts.clear();
  total = 0;
  vocabulary = undefined;
  return index;
};
