// The exam page: autosave each answer as it changes (PUT to the API), a countdown from the
// server's remaining time, and a hand-in when it runs out. Without this script the page is a
// plain form (save / hand in) and the server still enforces the deadline.
(function () {
  "use strict";
  var form = document.querySelector("form.exam-form");
  if (!form) return;
  var statusEl = document.querySelector("[data-save-status]");
  var timerEl = document.querySelector("[data-timer]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pending = {};
  var timer = null;
  var sending = false;
  var handingIn = false;

  function say(key) {
    if (statusEl) statusEl.textContent = form.getAttribute("data-text-" + key) || "";
  }

  function valueOf(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    var name = "q" + fieldset.getAttribute("data-question");
    if (kind === "multiple") {
      return Array.prototype.map.call(
        fieldset.querySelectorAll("input[name='" + name + "']:checked"),
        function (input) { return parseInt(input.value, 10); }
      );
    }
    if (kind === "fill") return fieldset.querySelector("input[name='" + name + "']").value;
    var checked = fieldset.querySelector("input[name='" + name + "']:checked");
    if (!checked) return null;
    if (kind === "true_false") return checked.value === "true";
    return parseInt(checked.value, 10);
  }

  function flush() {
    timer = null;
    if (sending) { schedule(400); return; }
    var answers = pending;
    if (!Object.keys(answers).length) return;
    pending = {};
    sending = true;
    say("saving");
    fetch(form.getAttribute("data-api"), {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({answers: answers}),
    }).then(function (response) {
      sending = false;
      if (response.ok) { say("saved"); return; }
      if (response.status === 409 || response.status === 404) {
        // Closed on the server (time up or handed in elsewhere): show what the server has.
        window.location.reload();
        return;
      }
      if (response.status >= 500 || response.status === 429) {
        // The server is busy or failing: nothing was saved, keep the answers and retry.
        retry(answers, 5000);
        return;
      }
      // A refused answer (400): the valid ones were saved; show why, if the body says.
      return response.text().then(function (text) {
        var detail = "";
        try { detail = JSON.parse(text).detail || ""; } catch (e) { detail = ""; }
        if (statusEl) statusEl.textContent = detail || form.getAttribute("data-text-failed");
      });
    }).catch(function () {
      sending = false;
      retry(answers, 3000);
    });
  }

  function retry(answers, delay) {
    // Put the unsent answers back (newer edits made meanwhile win) and try again later.
    Object.keys(answers).forEach(function (key) {
      if (!(key in pending)) pending[key] = answers[key];
    });
    say("failed");
    schedule(delay);
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delay);
  }

  function changed(event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) return;
    pending[fieldset.getAttribute("data-question")] = valueOf(fieldset);
    schedule(event.type === "input" ? 600 : 50);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  function handIn() {
    handingIn = true;
    var flag = document.createElement("input");
    flag.type = "hidden";
    flag.name = "submit";
    flag.value = "1";
    form.appendChild(flag);
    var late = document.createElement("input");
    late.type = "hidden";
    late.name = "timeup";
    late.value = "1";
    form.appendChild(late);
    form.submit();
  }

  form.addEventListener("submit", function (event) {
    if (handingIn) return;
    var submitter = event.submitter;
    if (submitter && submitter.name === "submit") {
      if (!window.confirm(form.getAttribute("data-text-confirm"))) event.preventDefault();
    }
  });

  if (timerEl) {
    // Remaining time as the server computed it for this page, so a wrong device clock does
    // not matter; the server refuses late answers whatever this shows.
    var end = Date.now() + parseInt(timerEl.getAttribute("data-seconds"), 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timerEl.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 60) timerEl.classList.add("is-urgent");
      if (left === 0) {
        clearInterval(interval);
        say("timeup");
        handIn();
      }
    };
    var interval = setInterval(tick, 1000);
    tick();
  }
})();
