// Agent softphone: keeps presence fresh, shows the screen-pop, answers the next caller.
(function () {
  "use strict";
  var pop = document.getElementById("screenpop");
  if (!pop) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById("softphone-status");

  function refresh() {
    fetch(pop.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { pop.innerHTML = html; })
      .catch(function () {});
  }

  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json(); });
  }

  var answer = document.getElementById("answer-next");
  if (answer) {
    answer.addEventListener("click", function () {
      post(pop.dataset.answerUrl).then(function (data) {
        status.textContent = data.answered ? "" :
          (data.says.map(function (s) { return s.text; }).join(" ") || pop.dataset.noCaller);
        refresh();
      });
    });
  }
  var hangup = document.getElementById("agent-hangup");
  if (hangup) {
    hangup.addEventListener("click", function () { post(pop.dataset.hangupUrl).then(refresh); });
  }

  // Production (HOTLINE_TELEPHONY=twilio): the vendored Twilio Voice SDK
  // registers this browser as client:<username>; an incoming call is answered here.
  if (window.Twilio && window.Twilio.Device) {
    fetch(pop.dataset.tokenUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var device = new window.Twilio.Device(data.token);
        device.on("incoming", function (call) { call.accept(); setTimeout(refresh, 1000); });
        device.register();
        if (answer && !pop.dataset.answerUrl) {
          answer.addEventListener("click", function () { device.connect(); });
        }
      });
  }

  refresh();
  setInterval(refresh, 2000);
})();
