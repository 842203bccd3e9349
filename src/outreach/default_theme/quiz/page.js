// The quiz runs entirely in the page: no network, no cookies, no storage.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var questions = data.questions;
  var el = function (id) { return document.getElementById(id); };
  var state = { index: 0, score: 0, selected: [] };
  // Spacing between Chinese and digits follows the project's rule ([lint] cjk_latin_space).
  var SP = data.space;
  var SLASH = SP ? " / " : "/";

  function show(section) {
    ["start", "question", "result"].forEach(function (id) { el(id).hidden = id !== section; });
  }

  function isCorrect(question, picked) {
    var expected = question.answer.slice().sort().join("");
    return picked.slice().sort().join("") === expected;
  }

  function choiceButton(letter, text, question) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.dataset.letter = letter;
    var mark = document.createElement("span");
    mark.className = "letter";
    mark.textContent = question.kind === "truefalse" ? "" : letter;
    button.appendChild(mark);
    button.appendChild(document.createTextNode(text));
    if (question.kind === "multiple") {
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        var on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        state.selected = on ? state.selected.concat([letter]) : state.selected.filter(function (l) { return l !== letter; });
        el("submit-button").disabled = state.selected.length === 0;
      });
    } else {
      button.addEventListener("click", function () { answer([letter]); });
    }
    return button;
  }

  function render() {
    var question = questions[state.index];
    state.selected = [];
    el("progress").textContent = "第" + SP + question.number + SLASH + questions.length + SP + "题";
    el("kind").textContent = question.kindLabel + (question.kind === "multiple" ? "（可选多项）" : "");
    el("question-text").textContent = question.question;
    var box = el("choices");
    box.textContent = "";
    var options = question.kind === "truefalse"
      ? [{ letter: "对", text: "对" }, { letter: "错", text: "错" }]
      : question.choices;
    options.forEach(function (choice) { box.appendChild(choiceButton(choice.letter, choice.text, question)); });
    el("submit-button").hidden = question.kind !== "multiple";
    el("submit-button").disabled = true;
    el("feedback").textContent = "";
    el("feedback").className = "feedback";
    el("next-button").hidden = true;
    show("question");
    box.querySelector("button").focus();
  }

  function answer(picked) {
    var question = questions[state.index];
    var right = isCorrect(question, picked);
    if (right) { state.score += 1; }
    Array.prototype.forEach.call(el("choices").querySelectorAll("button"), function (button) {
      var letter = button.dataset.letter;
      button.disabled = true;
      if (question.answer.indexOf(letter) >= 0) { button.classList.add("correct"); }
      else if (picked.indexOf(letter) >= 0) { button.classList.add("wrong"); }
    });
    el("submit-button").hidden = true;
    var feedback = el("feedback");
    feedback.className = "feedback " + (right ? "ok" : "no");
    feedback.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = "verdict";
    verdict.textContent = right ? "✔ 回答正确！" : "✘ 回答错误，正确答案：" + question.answer.join("");
    var why = document.createElement("p");
    why.className = "explanation";
    why.textContent = question.explanation;
    feedback.appendChild(verdict);
    feedback.appendChild(why);
    var next = el("next-button");
    next.textContent = state.index + 1 < questions.length ? "下一题" : "查看成绩";
    next.hidden = false;
    next.focus();
  }

  function finish() {
    var total = questions.length;
    el("score").textContent = "答对" + SP + state.score + SLASH + total + SP + "题";
    var ratio = state.score / total;
    el("verdict").textContent = ratio === 1 ? "全部答对，您是防骗达人！" :
      ratio >= 0.8 ? "很棒！再看看答错的题，就更稳妥了。" :
      ratio >= 0.6 ? "不错，还有几个骗局要多留心。" : "骗子的套路不少，建议把题目再看一遍。";
    el("share-text").value = "我在“" + data.title + "”中答对了" + SP + state.score + "/" + total +
      SP + "题。记住：陌生来电不轻信，转账汇款多核实。" + data.call_advice + "。" + data.app_line + "。";
    show("result");
    el("score").setAttribute("tabindex", "-1");
    el("score").focus();
  }

  el("start-button").addEventListener("click", function () { state.index = 0; state.score = 0; render(); });
  el("submit-button").addEventListener("click", function () { if (state.selected.length) { answer(state.selected); } });
  el("next-button").addEventListener("click", function () {
    state.index += 1;
    if (state.index < questions.length) { render(); } else { finish(); }
  });
  el("again-button").addEventListener("click", function () { state.index = 0; state.score = 0; render(); });
  el("copy-button").addEventListener("click", function () {
    var text = el("share-text");
    text.select();
    var done = function () { el("copy-button").textContent = "已复制"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  });
})();
