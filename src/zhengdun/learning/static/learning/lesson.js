// Reports an online lesson's progress: the share of a video watched, or 1 once the end of a
// text has been scrolled into view. The server keeps the highest value and marks the lesson
// done (a video at 90 %, a text at the end).
(function () {
  "use strict";
  var box = document.getElementById("lesson");
  if (!box || !box.dataset.progressUrl || box.dataset.done) return;
  var sent = 0;
  function post(fraction) {
    if (fraction <= sent + 0.049 && fraction < 1) return;
    sent = Math.max(sent, fraction);
    fetch(box.dataset.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify({ fraction: Math.min(1, fraction) }),
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.completed) {
        var status = box.querySelector("[data-testid=lesson-status]");
        if (status) status.textContent = status.dataset.doneText || "✓";
      }
    }).catch(function () { sent = 0; });
  }
  var video = box.querySelector("video");
  if (video) {
    var watched = 0;
    var last = 0;
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      // Only time actually played counts, not a jump to the end.
      if (now > last && now - last < 2) watched += now - last;
      last = now;
      if (video.duration) post(watched / video.duration);
    });
    video.addEventListener("seeked", function () { last = video.currentTime; });
    return;
  }
  var end = document.getElementById("lesson-end");
  if ("IntersectionObserver" in window && end) {
    new IntersectionObserver(function (entries, observer) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { post(1); observer.disconnect(); }
      });
    }).observe(end);
  }
})();
