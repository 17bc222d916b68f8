/* The wallboard refreshes itself without reloading the page: every data-refresh seconds it
 * fetches the page again and swaps #wallboard's content. A failed refresh marks the board
 * stale; a redirect (logged out) reloads the page so the login form shows. */
(function () {
  "use strict";
  var board = document.getElementById("wallboard");
  if (!board || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(board.dataset.refresh, 10) || 10;
  var running = false;

  function refresh() {
    if (running || document.hidden) { return; }
    running = true;
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store",
                                 headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          window.location.reload();
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .getElementById("wallboard");
        if (!fresh) { throw new Error("no board"); }
        board.innerHTML = fresh.innerHTML;
        board.classList.remove("stale");
        board.dataset.refreshed = String(Date.now());
      })
      .catch(function () { board.classList.add("stale"); })
      .then(function () { running = false; });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
}());
