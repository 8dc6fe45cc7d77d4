// Quiz mode: hide every answer on a page so readers can drill themselves.
// Answers are `details.answer` blocks (see README, "Writing a page"); in quiz
// mode they start closed and open one at a time with a click. The choice is
// remembered across pages and visits.

const QUIZ_KEY = "dlkb.quiz";
const LABELS = {
  zh: { on: "退出测验模式", off: "测验模式：隐藏答案" },
  en: { on: "Leave quiz mode", off: "Quiz mode: hide answers" },
};

function applyQuiz(on) {
  // Only where it changes: setting `open` restyles the whole answer, even to
  // the value it has, and a long page has dozens.
  for (const answer of document.querySelectorAll("details.answer")) {
    if (answer.open === on) answer.open = !on;
  }
  const button = document.querySelector(".quiz-toggle");
  if (!button) return;
  const labels = LABELS[document.documentElement.lang] || LABELS.en;
  button.textContent = on ? labels.on : labels.off;
  button.setAttribute("aria-pressed", String(on));
}

document$.subscribe(() => {
  const title = document.querySelector("article h1");
  if (!title || !document.querySelector("details.answer")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quiz-toggle md-button";
  button.addEventListener("click", () => {
    const on = localStorage.getItem(QUIZ_KEY) !== "1";
    localStorage.setItem(QUIZ_KEY, on ? "1" : "0");
    applyQuiz(on);
  });
  title.after(button);
  applyQuiz(localStorage.getItem(QUIZ_KEY) === "1");
});
