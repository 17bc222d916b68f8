// Agent softphone: keeps presence fresh, shows the screen-pop, answers the next caller.
// In Twilio mode it lasts the shift: the access token is renewed before it expires, errors
// are shown and the device registers again, and an incoming call rings until the agent
// accepts or rejects it.
(function () {
  "use strict";
  var pop = document.getElementById("screenpop");
  if (!pop) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById("softphone-status");
  var incoming = document.getElementById("incoming-call");
  var timer = document.getElementById("call-timer");
  var callStarted = null;

  function say(text) { status.textContent = text || ""; }

  function refresh() {
    fetch(pop.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        pop.innerHTML = html;
        var current = document.getElementById("current-call");
        if (current && !callStarted) { callStarted = Date.now(); }
        if (!current) { callStarted = null; }
      })
      .catch(function () {});
  }

  function tick() {
    if (!timer) { return; }
    if (!callStarted) { timer.hidden = true; return; }
    var seconds = Math.floor((Date.now() - callStarted) / 1000);
    var mm = String(Math.floor(seconds / 60)).padStart(2, "0");
    var ss = String(seconds % 60).padStart(2, "0");
    timer.hidden = false;
    timer.textContent = mm + ":" + ss;
    // R5: an enquiry call (the screen-pop says how long it may last) turns the timer red.
    var current = document.getElementById("current-call");
    var limit = current && Number(current.dataset.enquirySeconds);
    timer.classList.toggle("over", Boolean(limit) && seconds >= limit);
  }

  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.json(); });
  }

  var answer = document.getElementById("answer-next");
  if (answer && pop.dataset.answerUrl) {
    answer.addEventListener("click", function () {
      post(pop.dataset.answerUrl).then(function (data) {
        say(data.answered ? "" :
          (data.says.map(function (s) { return s.text; }).join(" ") || pop.dataset.noCaller));
        refresh();
      });
    });
  }
  var hangup = document.getElementById("agent-hangup");
  if (hangup && pop.dataset.hangupUrl) {
    hangup.addEventListener("click", function () { post(pop.dataset.hangupUrl).then(refresh); });
  }

  function fetchToken() {
    return fetch(pop.dataset.tokenUrl, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(pop.dataset.tokenFailed); }
        return r.json();
      })
      .then(function (data) { return data.token; });
  }

  // Production (HOTLINE_TELEPHONY=twilio): the vendored Twilio Voice SDK registers this
  // browser as client:<username>.
  function startDevice() {
    var device = null;
    var retry = 1000;

    function reconnect() {
      setTimeout(function () {
        fetchToken().then(function (token) {
          device.updateToken(token);
          return device.register();
        }).then(function () { retry = 1000; })
          .catch(function (err) { say(err.message); reconnect(); });
      }, retry);
      retry = Math.min(retry * 2, 30000);
    }

    function ring(call) {
      var from = (call.parameters && call.parameters.From) || "";
      incoming.hidden = false;
      incoming.querySelector("[data-from]").textContent = from;
      var accept = incoming.querySelector("#accept-call");
      var reject = incoming.querySelector("#reject-call");
      function done() { incoming.hidden = true; accept.onclick = null; reject.onclick = null; }
      accept.onclick = function () {
        call.accept(); done(); callStarted = Date.now(); setTimeout(refresh, 1000);
      };
      reject.onclick = function () { call.reject(); done(); };
      call.on("cancel", done);
      call.on("disconnect", function () { done(); callStarted = null; refresh(); });
    }

    fetchToken().then(function (token) {
      device = new window.Twilio.Device(token);
      device.on("registered", function () { say(pop.dataset.ready); });
      device.on("incoming", ring);
      device.on("tokenWillExpire", function () {
        fetchToken().then(function (fresh) { device.updateToken(fresh); })
          .catch(function (err) { say(err.message); });
      });
      device.on("error", function (err) {
        say(pop.dataset.deviceError + " " + ((err && err.message) || ""));
      });
      device.on("unregistered", function () { say(pop.dataset.offline); reconnect(); });
      device.register();
      if (answer && !pop.dataset.answerUrl) {
        answer.addEventListener("click", function () { device.connect(); });
      }
    }).catch(function (err) { say(err.message); });
  }

  if (window.Twilio && window.Twilio.Device) { startDevice(); }
  refresh();
  setInterval(refresh, 2000);
  setInterval(tick, 1000);
})();
