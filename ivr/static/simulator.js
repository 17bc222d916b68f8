// Phone simulator: each action is a signed webhook request made by the server.
(function () {
  "use strict";
  var phone = document.getElementById("phone");
  if (!phone) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var state = { callSid: null, from: null, next: null, queue: null, digits: "", timer: null };
  var transcript = document.getElementById("transcript");
  var stateLine = document.getElementById("state");
  var keys = Array.prototype.slice.call(document.querySelectorAll("#keypad button"));

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error((data.error && data.error.message) || r.statusText); }
        return data;
      });
    });
  }

  function say(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    transcript.appendChild(li);
  }

  function setKeys(enabled) {
    keys.forEach(function (k) { k.disabled = !enabled; });
  }

  function show(data) {
    (data.says || []).forEach(function (s) { say(s.text, "said"); });
    state.next = data.next;
    if (data.queue !== undefined) { state.queue = data.queue; }
    state.digits = "";
    var kind = data.next.type;
    var speech = kind === "gather" && data.next.input === "speech";
    document.getElementById("recorder").hidden = kind !== "record" && !speech;
    if (kind === "gather") {
      setKeys(true);
      stateLine.textContent = "";
    } else if (kind === "queue") {
      setKeys(false);
      stateLine.textContent = phone.dataset.textWaiting;
      schedule();
    } else if (kind === "bridged") {
      setKeys(false);
      stateLine.textContent = phone.dataset.textBridged + " " + data.next.agent;
      stateLine.className = "bridged";
      schedule();
    } else if (kind === "record") {
      setKeys(false);
    } else {
      ended();
    }
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, 1500);
  }

  function poll() {
    if (!state.callSid || !state.queue) { return; }
    if (state.next && state.next.type === "bridged") { return; }
    post(phone.dataset.wait, { call_sid: state.callSid, from: state.from, queue: state.queue })
      .then(function (data) {
        if (state.next && state.next.type === "gather" && data.next.type === "queue") {
          return schedule();  // an offer is on the keypad: keep it
        }
        show(data);
        if (data.next.type === "gather") { schedule(); }
      }).catch(function (e) { say(e.message, "error"); });
  }

  function ended() {
    clearTimeout(state.timer);
    setKeys(false);
    document.getElementById("hangup").disabled = true;
    document.getElementById("dial").disabled = false;
    stateLine.textContent = phone.dataset.textEnded;
    stateLine.className = "ended";
    state.callSid = null;
  }

  function send(digits) {
    var next = state.next;
    setKeys(false);
    post(phone.dataset.step, { call_sid: state.callSid, from: state.from, url: next.action,
                               digits: digits, queue: state.queue })
      .then(show).catch(function (e) { say(e.message, "error"); });
  }

  keys.forEach(function (key) {
    key.addEventListener("click", function () {
      if (!state.next || state.next.type !== "gather") { return; }
      if (key.id === "no-input") { return send(""); }
      var k = key.dataset.key;
      say("☎ " + k, "pressed");
      if (k === state.next.finishOnKey) { return send(state.digits); }
      state.digits += k;
      if (state.next.numDigits && state.digits.length >= state.next.numDigits) {
        send(state.digits);
      }
    });
  });

  document.getElementById("dial").addEventListener("click", function () {
    transcript.innerHTML = "";
    stateLine.className = "";
    state.queue = null;
    document.getElementById("dial").disabled = true;
    document.getElementById("hangup").disabled = false;
    post(phone.dataset.start, { from: document.getElementById("caller").value })
      .then(function (data) { state.callSid = data.call_sid; state.from = data.from; show(data); })
      .catch(function (e) { say(e.message, "error"); ended(); });
  });

  document.getElementById("hangup").addEventListener("click", function () {
    if (!state.callSid) { return; }
    post(phone.dataset.hangup, { call_sid: state.callSid, from: state.from })
      .then(ended).catch(function (e) { say(e.message, "error"); });
  });

  document.getElementById("send-message").addEventListener("click", function () {
    var message = document.getElementById("message").value;
    if (state.next && state.next.type === "gather") {  // <Gather input="speech">
      say("🗣 " + message, "pressed");
      setKeys(false);
      return post(phone.dataset.step, { call_sid: state.callSid, from: state.from,
                                        url: state.next.action, speech: message,
                                        queue: state.queue })
        .then(show).catch(function (e) { say(e.message, "error"); });
    }
    post(phone.dataset.record, { call_sid: state.callSid, from: state.from,
                                 action: state.next.action, message: message,
                                 transcribeCallback: state.next.transcribeCallback })
      .then(show).catch(function (e) { say(e.message, "error"); });
  });
})();
