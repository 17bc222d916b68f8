// The crew's phone pages (CSP: a file of its own, no inline script).
// - A form is sent once: its buttons are disabled as it goes (the server also ignores a
//   form whose token it has seen).
// - "On site" asks the browser for the crew's position when the box is ticked; the browser
//   asks the person first. Refused, unavailable or slow: the arrival is sent without one,
//   saying why.
// - A photo larger than the limit is refused before it is uploaded.
(function () {
  'use strict';

  function disable(form) {
    form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
  }

  document.querySelectorAll('form[data-once]').forEach(function (form) {
    if (form.hasAttribute('data-geolocate')) { return; }
    form.addEventListener('submit', function () { disable(form); });
  });

  document.querySelectorAll('form[data-geolocate]').forEach(function (form) {
    var sent = false;
    var field = function (name) { return form.querySelector('input[name=' + name + ']'); };
    var status = form.querySelector('.location-status');

    function send(missing) {
      if (sent) { return; }
      sent = true;
      field('location_missing').value = missing || '';
      form.submit();
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (sent || form.dataset.asking) { return; }
      disable(form);
      var share = field('share_location');
      if (!share || !share.checked) { send('not_shared'); return; }
      if (!('geolocation' in navigator)) { send('unavailable'); return; }
      form.dataset.asking = '1';
      if (status) { status.textContent = form.dataset.finding || ''; }
      // The browser's own timeout starts only once the person answered its prompt.
      var fallback = window.setTimeout(function () { send('unavailable'); }, 20000);
      navigator.geolocation.getCurrentPosition(function (position) {
        window.clearTimeout(fallback);
        field('latitude').value = position.coords.latitude;
        field('longitude').value = position.coords.longitude;
        field('accuracy').value = Math.round(position.coords.accuracy);
        send('');
      }, function (error) {
        window.clearTimeout(fallback);
        send(error.code === 1 ? 'denied' : 'unavailable');
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  });

  document.querySelectorAll('input[type=file][data-max-bytes]').forEach(function (input) {
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      var tooLarge = file && file.size > Number(input.dataset.maxBytes);
      input.setCustomValidity(tooLarge ? input.dataset.tooLarge : '');
      if (tooLarge) { input.reportValidity(); }
    });
  });
}());
