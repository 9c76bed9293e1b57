// Polku learner widget: recommendations with their reasons, accept and
// dismiss, path progress, the six dimensions against the band, and the
// profiling opt-out. Everything is built with DOM calls (no HTML from data)
// and drawn as inline SVG; nothing is loaded from elsewhere.
'use strict';
(function () {
  const T = {
    en: {
      loading: 'Loading…', failed: 'Could not load your recommendations. Open the page again from your learning environment.',
      recs: 'Recommended for you', none: 'No recommendations right now.',
      open: 'Open', accept: 'Accept', dismiss: 'Dismiss', accepted: 'Accepted',
      dismissed: 'Dismissed', why: 'Why am I seeing this?', reason: 'Reason code',
      evidence: 'Based on {n} of your learning events.', path: 'Learning path',
      paths: 'Your learning paths', nopaths: 'You have not started a learning path yet.',
      steps: '{a} of {b} steps completed', completed: 'completed', started: 'started',
      todo: 'not started', optional: 'optional',
      chart: 'How you learn: six dimensions', chartdesc:
        'Each bar runs from the competence-development pole (-1, left) to the learning-leadership pole (+1, right). The hatched area is the balance band.',
      band: 'Band', inside: 'inside the band', below: 'toward competence development',
      above: 'toward learning leadership', balance: 'Your balance: {b} % learning leadership (band {l}–{h} %).',
      table: 'Show the figures as a table', dimension: 'Dimension', score: 'Score', where: 'Position',
      about: 'About these recommendations', optout: 'Do not build a learning profile of me',
      optouthelp: 'When on, Polku stops profiling your learning and shows no personal recommendations.',
      optedout: 'You have opted out of profiling. No personal recommendations are shown.',
      saved: 'Saved.', error: 'That did not work: {m}',
      dims: { initiative: 'Who started it', format: 'Form', setting: 'Where', social: 'With whom',
        orientation: 'Looking ahead', goal_link: 'Tied to goals' },
    },
    fi: {
      loading: 'Ladataan…', failed: 'Suosituksia ei voitu ladata. Avaa sivu uudelleen oppimisympäristöstäsi.',
      recs: 'Suositeltu sinulle', none: 'Ei suosituksia juuri nyt.',
      open: 'Avaa', accept: 'Hyväksy', dismiss: 'Ohita', accepted: 'Hyväksytty',
      dismissed: 'Ohitettu', why: 'Miksi näen tämän?', reason: 'Syykoodi',
      evidence: 'Perustuu {n} oppimistapahtumaasi.', path: 'Oppimispolku',
      paths: 'Oppimispolkusi', nopaths: 'Et ole vielä aloittanut oppimispolkua.',
      steps: '{a}/{b} vaihetta suoritettu', completed: 'suoritettu', started: 'aloitettu',
      todo: 'ei aloitettu', optional: 'valinnainen',
      chart: 'Miten opit: kuusi ulottuvuutta', chartdesc:
        'Jokainen palkki kulkee osaamisen kehittämisen navasta (-1, vasen) oppimisen johtamisen napaan (+1, oikea). Viivoitettu alue on tasapainoalue.',
      band: 'Tasapainoalue', inside: 'tasapainoalueella', below: 'osaamisen kehittämisen puolella',
      above: 'oppimisen johtamisen puolella', balance: 'Tasapainosi: {b} % oppimisen johtamista (alue {l}–{h} %).',
      table: 'Näytä luvut taulukkona', dimension: 'Ulottuvuus', score: 'Arvo', where: 'Sijainti',
      about: 'Tietoa suosituksista', optout: 'Älä muodosta minusta oppimisprofiilia',
      optouthelp: 'Kun valinta on päällä, Polku ei profiloi oppimistasi eikä näytä henkilökohtaisia suosituksia.',
      optedout: 'Olet kieltäytynyt profiloinnista. Henkilökohtaisia suosituksia ei näytetä.',
      saved: 'Tallennettu.', error: 'Toiminto epäonnistui: {m}',
      dims: { initiative: 'Kuka aloitti', format: 'Muoto', setting: 'Missä', social: 'Kenen kanssa',
        orientation: 'Katse eteenpäin', goal_link: 'Yhteys tavoitteisiin' },
    },
  };
  const lang = document.documentElement.lang === 'fi' ? 'fi' : 'en';
  const t = T[lang];
  const DIMS = ['initiative', 'format', 'setting', 'social', 'orientation', 'goal_link'];
  const SVG = 'http://www.w3.org/2000/svg';
  const csrf = (document.querySelector('meta[name="polku-csrf"]') || {}).content || '';
  const main = document.getElementById('widget');
  const status = document.getElementById('status');

  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k])); }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function say(msg) { status.textContent = msg; }
  async function call(method, url, body) {
    const r = await fetch(url, {
      method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Polku-Csrf': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((data.error && data.error.message) || String(r.status));
    return data;
  }

  function kindName(kind) {
    return String(kind || '').replace(/^NUDGE_KIND_/, '').replace(/_/g, ' ').toLowerCase();
  }

  function recItem(rec, list) {
    const title = rec.targetTitle || rec.text;
    const li = el('li', { class: 'rec', 'data-id': rec.recommendationId });
    li.append(el('div', { class: 'kind', text: (rec.targetIsPath ? t.path + ' · ' : '') + kindName(rec.kind) }));
    li.append(el('h3', { text: title }));
    if (rec.text && rec.text !== title) li.append(el('p', { text: rec.text }));
    const state = el('p', { class: 'state', 'aria-live': 'polite' });
    const actions = el('div', { class: 'actions' });
    if (rec.targetUrl) {
      actions.append(el('a', { href: rec.targetUrl, target: '_blank', rel: 'noopener noreferrer', text: t.open }));
    }
    const accept = el('button', { type: 'button', class: 'primary accept', 'aria-label': t.accept + ': ' + title, text: t.accept });
    const dismiss = el('button', { type: 'button', class: 'dismiss', 'aria-label': t.dismiss + ': ' + title, text: t.dismiss });
    accept.addEventListener('click', async () => {
      try {
        await call('POST', '/ui/learner/feedback', { recommendation_id: rec.recommendationId, outcome: 'ACCEPTED' });
        accept.disabled = true;
        state.textContent = '✓ ' + t.accepted;
        say(t.accepted + ': ' + title);
      } catch (e) { say(fmt(t.error, { m: e.message })); }
    });
    dismiss.addEventListener('click', async () => {
      try {
        await call('POST', '/ui/learner/feedback', { recommendation_id: rec.recommendationId, outcome: 'DISMISSED' });
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        say(t.dismissed + ': ' + title);
        if (!list.children.length) list.replaceWith(el('p', { id: 'norecs', text: t.none }));
        const target = next ? next.querySelector('button') : document.getElementById('recs-heading');
        if (target) target.focus();
      } catch (e) { say(fmt(t.error, { m: e.message })); }
    });
    actions.append(accept, dismiss);
    li.append(actions, state);
    const why = el('details', { class: 'why' }, el('summary', { text: t.why }));
    why.append(el('p', { text: rec.text }));
    const n = (rec.evidenceEventIds || []).length;
    if (n) why.append(el('p', { text: fmt(t.evidence, { n }) }));
    why.append(el('p', { class: 'code', text: t.reason + ': ' + rec.reasonCode }));
    li.append(why);
    return li;
  }

  function position(score, lo, hi) {
    if (score < lo) return t.below;
    if (score > hi) return t.above;
    return t.inside;
  }

  function dimensionChart(profile) {
    const dims = profile.dimensions || {};
    const lo = 2 * profile.bandLow - 1, hi = 2 * profile.bandHigh - 1;
    const W = 640, left = 150, right = 150, rowH = 34, top = 30;
    const H = top + DIMS.length * rowH + 24;
    const x = (v) => left + ((v + 1) / 2) * (W - left - right);
    const root = svg('svg', { id: 'dimension-chart', class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'dc-title dc-desc' });
    root.append(svg('title', { id: 'dc-title' }, t.chart), svg('desc', { id: 'dc-desc' }, t.chartdesc));
    const defs = svg('defs');
    const hatch = svg('pattern', { id: 'band-hatch', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    hatch.append(svg('rect', { width: 8, height: 8, fill: '#fff' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: '#9a9a9a', 'stroke-width': 3 }));
    const lead = svg('pattern', { id: 'lead-fill', width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
    lead.append(svg('rect', { width: 6, height: 6, fill: '#1f4e9c' }), svg('line', { x1: 0, y1: 6, x2: 6, y2: 0, stroke: '#fff', 'stroke-width': 1.2 }));
    const dev = svg('pattern', { id: 'dev-fill', width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
    dev.append(svg('rect', { width: 6, height: 6, fill: '#8a4b08' }), svg('circle', { cx: 3, cy: 3, r: 1.2, fill: '#fff' }));
    defs.append(hatch, lead, dev);
    root.append(defs);
    root.append(svg('rect', { x: x(lo), y: top - 6, width: x(hi) - x(lo), height: DIMS.length * rowH + 6, fill: 'url(#band-hatch)', class: 'band' }));
    root.append(svg('text', { x: (x(lo) + x(hi)) / 2, y: top - 12, 'text-anchor': 'middle' }, t.band));
    root.append(svg('line', { x1: x(0), y1: top - 6, x2: x(0), y2: top + DIMS.length * rowH, stroke: '#1b1b1b' }));
    DIMS.forEach((d, i) => {
      const v = Number(dims[d] || 0), y = top + i * rowH;
      root.append(svg('text', { x: left - 8, y: y + 20, 'text-anchor': 'end' }, t.dims[d]));
      const x0 = Math.min(x(0), x(v)), w = Math.max(1, Math.abs(x(v) - x(0)));
      root.append(svg('rect', { x: x0, y: y + 6, width: w, height: 20, fill: v >= 0 ? 'url(#lead-fill)' : 'url(#dev-fill)', stroke: '#1b1b1b', class: 'bar', 'data-dimension': d }));
      root.append(svg('text', { x: W - right + 8, y: y + 20 }, `${v >= 0 ? '+' : ''}${v.toFixed(2)} · ${position(v, lo, hi)}`));
    });
    root.append(svg('text', { x: left, y: H - 4 }, '-1'), svg('text', { x: x(0) - 4, y: H - 4 }, '0'), svg('text', { x: W - right - 14, y: H - 4 }, '+1'));
    return root;
  }

  function dimensionTable(profile) {
    const lo = 2 * profile.bandLow - 1, hi = 2 * profile.bandHigh - 1;
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: t.dimension }), el('th', { text: t.score }), el('th', { text: t.where }))));
    const body = el('tbody');
    for (const d of DIMS) {
      const v = Number((profile.dimensions || {})[d] || 0);
      body.append(el('tr', {}, el('td', { text: t.dims[d] }), el('td', { text: v.toFixed(2) }), el('td', { text: position(v, lo, hi) })));
    }
    table.append(body);
    return el('details', {}, el('summary', { text: t.table }), table);
  }

  function pathsSection(paths) {
    const sec = el('section', { id: 'paths', 'aria-labelledby': 'paths-heading' }, el('h2', { id: 'paths-heading', text: t.paths }));
    if (!paths.length) { sec.append(el('p', { text: t.nopaths })); return sec; }
    for (const p of paths) {
      const box = el('div', { class: 'path' }, el('h3', { text: p.title }));
      const label = fmt(t.steps, { a: p.steps_completed, b: p.steps_total });
      box.append(el('progress', { max: String(Math.max(1, p.steps_total)), value: String(p.steps_completed), 'aria-label': p.title + ': ' + label }));
      box.append(el('p', { text: label }));
      const ol = el('ol');
      for (const s of p.steps) {
        const mark = s.state === 'completed' ? '✓ ' : s.state === 'started' ? '◐ ' : '○ ';
        ol.append(el('li', { text: `${mark}${s.title} (${t[s.state]}${s.optional ? ', ' + t.optional : ''})` }));
      }
      box.append(ol);
      sec.append(box);
    }
    return sec;
  }

  async function load() {
    say(t.loading);
    let data;
    try { data = await call('GET', '/ui/learner/data'); } catch (e) { say(t.failed); return; }
    for (const old of main.querySelectorAll('section')) old.remove();
    const profile = data.profile || {};
    const recsData = data.recommendations || {};
    const optedOut = Boolean(recsData.optedOut || profile.optedOut);

    const recs = el('section', { id: 'recs-section', 'aria-labelledby': 'recs-heading' }, el('h2', { id: 'recs-heading', tabindex: '-1', text: t.recs }));
    if (optedOut) {
      recs.append(el('p', { id: 'norecs', text: t.optedout }));
    } else if (!(recsData.recommendations || []).length) {
      recs.append(el('p', { id: 'norecs', text: t.none }));
    } else {
      const list = el('ul', { id: 'recs', class: 'recs' });
      for (const r of recsData.recommendations) list.append(recItem(r, list));
      recs.append(list);
    }
    main.append(recs);
    main.append(pathsSection(data.paths || []));
    if (!optedOut) {
      const chart = el('section', { id: 'profile', 'aria-labelledby': 'profile-heading' }, el('h2', { id: 'profile-heading', text: t.chart }));
      chart.append(el('p', { text: fmt(t.balance, { b: Math.round(100 * (profile.balance || 0)), l: Math.round(100 * profile.bandLow), h: Math.round(100 * profile.bandHigh) }) }));
      chart.append(dimensionChart(profile), dimensionTable(profile));
      const why = el('details', { id: 'why' }, el('summary', { text: t.why }));
      if (profile.explanation) why.append(el('p', { text: profile.explanation }));
      why.append(el('p', { text: t.chartdesc }));
      chart.append(why);
      main.append(chart);
    }
    const privacy = el('section', { id: 'privacy', 'aria-labelledby': 'privacy-heading' }, el('h2', { id: 'privacy-heading', text: t.about }));
    const box = el('input', { type: 'checkbox', id: 'optout' });
    box.checked = optedOut;
    box.addEventListener('change', async () => {
      try { await call('PUT', '/ui/learner/profiling', { opted_out: box.checked }); await load(); say(t.saved); document.getElementById('optout').focus(); }
      catch (e) { say(fmt(t.error, { m: e.message })); }
    });
    privacy.append(el('p', {}, box, ' ', el('label', { for: 'optout', text: t.optout })), el('p', { class: 'muted', text: t.optouthelp }));
    main.append(privacy);
    say('');
  }
  load();
})();
