// The local chat page's behaviour (served as /assets/chat.js; no build step).
// - Choosing a person asks Samla for a Direct Line token (/demo/api/session) and opens Microsoft's
//   Web Chat on the local Direct Line endpoint (/v3/directline), polling every half second.
// - The time control lists what comes next (/demo/api/clock) and jumps the demo clock there.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('samla-config').textContent);
  function T(key, vars) {
    return String(cfg.texts[key] || key).replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }
  var who = document.getElementById('who');
  var chatStatus = document.getElementById('webchat-status');
  var clock = document.getElementById('clock');
  var timeStatus = document.getElementById('time-status');
  var upcoming = document.getElementById('upcoming');
  var directLine = null;

  function api(path, body) {
    var init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return fetch(path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error(data.message || res.statusText);
        return data;
      });
    });
  }

  function initials(name) {
    return name.split(/\s+/).map(function (w) { return w.charAt(0); }).join('').slice(0, 2).toUpperCase();
  }

  function choose(email) {
    if (!email) return;
    if (directLine) { directLine.end(); directLine = null; }
    var old = document.getElementById('webchat');
    if (!old || !window.WebChat) return;
    var el = document.createElement('div');
    el.id = 'webchat';
    el.setAttribute('role', 'region');
    el.setAttribute('aria-label', old.getAttribute('aria-label') || 'Samla');
    old.replaceWith(el);
    api('/demo/api/session', { email: email }).then(function (s) {
      directLine = window.WebChat.createDirectLine({ token: s.token, domain: location.origin + '/v3/directline', webSocket: false, pollingInterval: 500 });
      window.WebChat.renderWebChat({
        directLine: directLine,
        userID: s.user.id,
        username: s.user.name,
        locale: s.locale,
        styleOptions: { botAvatarInitials: 'S', userAvatarInitials: initials(s.user.name), hideUploadButton: true, bubbleMaxWidth: 640, bubbleFromUserBackground: '#e8eef6' },
      }, el);
      chatStatus.textContent = T('chat_as', { name: s.user.name });
      try { localStorage.setItem('samla.who', email); } catch (e) { /* private mode */ }
      history.replaceState(null, '', '#as=' + encodeURIComponent(email));
    }).catch(function (err) {
      chatStatus.textContent = T('chat_failed') + ' ' + err.message;
    });
  }

  function renderClock(data) {
    clock.textContent = T('time_now', { time: data.label });
    upcoming.textContent = '';
    if (!data.upcoming.length) {
      var none = document.createElement('li');
      none.textContent = T('time_nothing');
      upcoming.appendChild(none);
    }
    data.upcoming.forEach(function (item) {
      var li = document.createElement('li');
      var text = document.createElement('div');
      var what = document.createElement('span');
      what.textContent = T('time_kind_' + item.kind) + ': ' + item.title;
      var when = document.createElement('small');
      when.textContent = item.when + (item.recipients ? ' · ' + T('time_recipients', { count: item.recipients }) : '');
      text.appendChild(what);
      text.appendChild(when);
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = T('time_jump');
      button.setAttribute('data-at', item.at);
      button.setAttribute('data-kind', item.kind);
      button.setAttribute('aria-label', T('time_jump') + ': ' + what.textContent + ', ' + item.when);
      button.addEventListener('click', function () { jump({ to: item.at }); });
      li.appendChild(text);
      li.appendChild(button);
      upcoming.appendChild(li);
    });
  }

  function refreshClock() {
    return api('/demo/api/clock?lang=' + encodeURIComponent(cfg.locale)).then(renderClock).catch(function (err) {
      timeStatus.textContent = T('time_failed') + ' ' + err.message;
    });
  }

  function setBusy(busy) {
    Array.prototype.forEach.call(document.querySelectorAll('.side button'), function (b) { b.disabled = busy; });
  }

  function jump(body) {
    setBusy(true);
    timeStatus.textContent = T('time_jumping');
    body.lang = cfg.locale;
    return api('/demo/api/clock', body).then(function (r) {
      timeStatus.textContent = r.message;
      timeStatus.setAttribute('data-done', r.at);
      renderClock(r.clock);
    }).catch(function (err) {
      timeStatus.textContent = T('time_failed') + ' ' + err.message;
    }).then(function () { setBusy(false); });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-plus]'), function (b) {
    b.addEventListener('click', function () { jump({ plusDays: Number(b.getAttribute('data-plus')) }); });
  });
  document.getElementById('restart').addEventListener('click', function () {
    if (!window.confirm(T('time_restart_confirm'))) return;
    setBusy(true);
    api('/demo/api/restart', { lang: cfg.locale }).then(function (r) {
      timeStatus.textContent = T('time_restarted');
      renderClock(r.clock);
      choose(who.value);
    }).catch(function (err) {
      timeStatus.textContent = T('time_failed') + ' ' + err.message;
    }).then(function () { setBusy(false); });
  });

  who.addEventListener('change', function () { choose(who.value); });
  var wanted = /^#as=(.+)$/.exec(location.hash);
  var remembered = wanted ? decodeURIComponent(wanted[1]) : (function () { try { return localStorage.getItem('samla.who'); } catch (e) { return null; } })();
  if (remembered && Array.prototype.some.call(who.options, function (o) { return o.value === remembered; })) {
    who.value = remembered;
    choose(remembered);
  }
  refreshClock();
})();
