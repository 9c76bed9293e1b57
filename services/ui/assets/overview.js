// Polku organisation overview (kokonaiskuva): per org unit the share of
// learners inside the balance band, the lagging dimensions, the week-by-week
// trend and suggested paths, drawn as inline SVG by this file alone.
'use strict';
(function () {
  const T = {
    en: {
      loading: 'Loading…', signin: 'Sign in with an API key that has the insights:read scope.',
      key: 'API key', go: 'Show the overview', signout: 'Sign out',
      refused: 'The key was refused: {m}', failed: 'Could not load the overview: {m}',
      summary: 'Whole organisation', learners: '{n} learners', inband: '{p} % inside the band',
      balance: 'mean balance {p} % learning leadership', suppressed: 'hidden: fewer than {k} learners',
      units: 'Share of learners inside the band, by org unit', unitsdesc: 'One bar per org unit; the value is written after each bar.',
      trend: 'Week by week: share of learners inside the band', trenddesc: 'One point per week, oldest on the left.',
      lagging: 'Lagging dimensions', nolag: 'none', unittrend: 'Trend, {n} weeks',
      paths: 'Suggested paths', nopaths: 'No path suggestions yet.', support: 'seen with {n} learners',
      steps: '{n} steps', noweeks: 'No weeks with enough learners yet.', nounits: 'No org units reported yet.',
      week: 'week of {d}',
      dims: { initiative: 'who started it', format: 'form', setting: 'where', social: 'with whom', orientation: 'looking ahead', goal_link: 'tied to goals' },
    },
    fi: {
      loading: 'Ladataan…', signin: 'Kirjaudu API-avaimella, jolla on insights:read-oikeus.',
      key: 'API-avain', go: 'Näytä kokonaiskuva', signout: 'Kirjaudu ulos',
      refused: 'Avain hylättiin: {m}', failed: 'Kokonaiskuvaa ei voitu ladata: {m}',
      summary: 'Koko organisaatio', learners: '{n} oppijaa', inband: '{p} % tasapainoalueella',
      balance: 'keskimääräinen tasapaino {p} % oppimisen johtamista', suppressed: 'piilotettu: alle {k} oppijaa',
      units: 'Tasapainoalueella olevien oppijoiden osuus yksiköittäin', unitsdesc: 'Yksi palkki yksikköä kohti; arvo on kirjoitettu palkin perään.',
      trend: 'Viikoittain: tasapainoalueella olevien osuus', trenddesc: 'Yksi piste viikkoa kohti, vanhin vasemmalla.',
      lagging: 'Jäljessä olevat ulottuvuudet', nolag: 'ei yhtään', unittrend: 'Kehitys, {n} viikkoa',
      paths: 'Ehdotetut polut', nopaths: 'Polkuehdotuksia ei vielä ole.', support: '{n} oppijan toteuttama',
      steps: '{n} vaihetta', noweeks: 'Ei vielä viikkoja, joilla riittävästi oppijoita.', nounits: 'Yksiköitä ei ole vielä raportoitu.',
      week: 'viikko {d}',
      dims: { initiative: 'kuka aloitti', format: 'muoto', setting: 'missä', social: 'kenen kanssa', orientation: 'katse eteenpäin', goal_link: 'yhteys tavoitteisiin' },
    },
  };
  const lang = document.documentElement.lang === 'fi' ? 'fi' : 'en';
  const t = T[lang];
  const SVG = 'http://www.w3.org/2000/svg';
  const main = document.getElementById('overview');
  const status = document.getElementById('status');

  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k])); }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) { if (k === 'text') e.textContent = v; else e.setAttribute(k, v); }
    for (const c of children) if (c) e.append(c);
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const pct = (x) => Math.round(100 * Number(x || 0));
  const dimNames = (list) => (list || []).map((d) => t.dims[d] || d).join(', ') || t.nolag;

  function patterns(root) {
    const defs = svg('defs');
    const p = svg('pattern', { id: 'bar-fill', width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
    p.append(svg('rect', { width: 6, height: 6, fill: '#1f4e9c' }), svg('line', { x1: 0, y1: 6, x2: 6, y2: 0, stroke: '#fff', 'stroke-width': 1.2 }));
    defs.append(p);
    root.append(defs);
  }

  function unitsChart(units, k) {
    const W = 720, left = 200, right = 190, rowH = 30, top = 8;
    const H = top + Math.max(1, units.length) * rowH + 20;
    const x = (v) => left + v * (W - left - right);
    const root = svg('svg', { id: 'chart-units', class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'cu-title cu-desc' });
    root.append(svg('title', { id: 'cu-title' }, t.units), svg('desc', { id: 'cu-desc' }, t.unitsdesc));
    patterns(root);
    units.forEach((u, i) => {
      const y = top + i * rowH;
      root.append(svg('text', { x: left - 8, y: y + 19, 'text-anchor': 'end' }, u.name || '—'));
      root.append(svg('rect', { x: left, y: y + 5, width: x(1) - left, height: 20, fill: 'none', stroke: '#777' }));
      if (u.suppressed) {
        root.append(svg('text', { x: W - right + 8, y: y + 19 }, fmt(t.suppressed, { k })));
      } else {
        root.append(svg('rect', { class: 'bar', x: left, y: y + 5, width: Math.max(1, x(u.shareInBand) - left), height: 20, fill: 'url(#bar-fill)', stroke: '#1b1b1b' }));
        root.append(svg('text', { x: W - right + 8, y: y + 19 }, `${pct(u.shareInBand)} % · ${fmt(t.learners, { n: u.learners })}`));
      }
    });
    root.append(svg('text', { x: left, y: H - 4 }, '0 %'), svg('text', { x: x(1) - 30, y: H - 4 }, '100 %'));
    return root;
  }

  function trendChart(weeks, id, title, small) {
    const W = small ? 300 : 720, H = small ? 90 : 240, left = 44, right = 16, top = 14, bottom = small ? 18 : 36;
    const shown = weeks.filter((w) => !w.suppressed);
    const x = (i) => left + (weeks.length <= 1 ? 0 : (i / (weeks.length - 1)) * (W - left - right));
    const y = (v) => top + (1 - v) * (H - top - bottom);
    const root = svg('svg', { id, class: 'chart trend', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
    root.append(svg('title', {}, title));
    for (const v of [0, 0.5, 1]) {
      root.append(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: '#bbb', 'stroke-dasharray': '3 3' }));
      root.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${pct(v)} %`));
    }
    let d = '';
    weeks.forEach((w, i) => { if (!w.suppressed) d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(Number(w.shareInBand || 0)).toFixed(1)} `; });
    if (d) root.append(svg('path', { d, fill: 'none', stroke: '#1b1b1b', 'stroke-width': 2, class: 'line' }));
    weeks.forEach((w, i) => {
      if (w.suppressed) return;
      const label = `${fmt(t.week, { d: String(w.weekStart || '').slice(0, 10) })}: ${pct(w.shareInBand)} %`;
      const m = svg('rect', { class: 'point', x: x(i) - 4, y: y(Number(w.shareInBand || 0)) - 4, width: 8, height: 8, fill: '#fff', stroke: '#1b1b1b', 'stroke-width': 2 });
      m.append(svg('title', {}, label));
      root.append(m);
      if (!small && (i === weeks.length - 1 || i % 3 === 0)) {
        root.append(svg('text', { x: x(i), y: H - 8, 'text-anchor': 'middle' }, String(w.weekStart || '').slice(5, 10)));
      }
    });
    if (!shown.length) root.append(svg('text', { x: left + 8, y: H / 2 }, t.noweeks));
    return root;
  }

  function signIn(message) {
    for (const old of main.querySelectorAll('section, form')) old.remove();
    const form = el('form', { class: 'signin', id: 'signin' });
    form.append(el('p', { text: t.signin }), el('label', { for: 'apikey', text: t.key }), el('input', { type: 'password', id: 'apikey', autocomplete: 'off' }), ' ', el('button', { type: 'submit', class: 'primary', text: t.go }));
    if (message) form.append(el('p', { id: 'signin-error', role: 'alert', text: message }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const key = document.getElementById('apikey').value.trim();
      const headers = key ? { Authorization: 'Bearer ' + key } : {};
      const r = await fetch('/ui/overview/session', { method: 'POST', credentials: 'same-origin', headers });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) { signIn(fmt(t.refused, { m: (data.error && data.error.message) || r.status })); document.getElementById('apikey').focus(); return; }
      load();
    });
    main.append(form);
    status.textContent = '';
  }

  async function load() {
    status.textContent = t.loading;
    const r = await fetch('/ui/overview/data', { credentials: 'same-origin' });
    if (r.status === 401) { signIn(''); return; }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) { status.textContent = fmt(t.failed, { m: (data.error && data.error.message) || r.status }); return; }
    for (const old of main.querySelectorAll('section, form')) old.remove();
    const total = data.total || {};
    const k = total.minGroupSize || 0;
    const head = el('section', { id: 'summary', 'aria-labelledby': 'summary-heading' }, el('h2', { id: 'summary-heading', text: `${t.summary} (${data.tenant})` }));
    if (total.suppressed) {
      head.append(el('p', { text: fmt(t.suppressed, { k }) }));
    } else {
      head.append(el('p', { text: `${fmt(t.learners, { n: total.learners })} · ${fmt(t.inband, { p: pct(total.shareInBand) })} · ${fmt(t.balance, { p: pct(total.meanBalance) })}` }));
      head.append(el('p', { text: `${t.lagging}: ${dimNames(total.laggingDimensions)}` }));
    }
    const signout = el('button', { type: 'button', id: 'signout', text: t.signout });
    signout.addEventListener('click', async () => { await fetch('/ui/overview/session', { method: 'DELETE', credentials: 'same-origin' }); signIn(''); });
    head.append(signout);
    main.append(head);

    const units = total.units || [];
    const us = el('section', { id: 'units', 'aria-labelledby': 'units-heading' }, el('h2', { id: 'units-heading', text: t.units }));
    if (units.length) us.append(unitsChart(units, k)); else us.append(el('p', { text: t.nounits }));
    const cards = el('div', { class: 'units' });
    for (const u of units) {
      const card = el('article', { class: 'unit', 'data-unit': u.name }, el('h3', { text: u.name }));
      if (u.suppressed) { card.append(el('p', { text: fmt(t.suppressed, { k }) })); cards.append(card); continue; }
      card.append(el('p', { text: `${fmt(t.learners, { n: u.learners })} · ${fmt(t.inband, { p: pct(u.shareInBand) })}` }));
      card.append(el('p', { text: `${t.lagging}: ${dimNames(u.laggingDimensions)}` }));
      const weeks = (data.unit_trends || {})[u.name] || [];
      if (weeks.length) card.append(trendChart(weeks, '', `${u.name}: ${fmt(t.unittrend, { n: weeks.length })}`, true));
      cards.append(card);
    }
    us.append(cards);
    main.append(us);

    const ts = el('section', { id: 'trend', 'aria-labelledby': 'trend-heading' }, el('h2', { id: 'trend-heading', text: t.trend }), el('p', { class: 'muted', text: t.trenddesc }));
    ts.append(trendChart(total.trend || [], 'chart-trend', t.trend, false));
    main.append(ts);

    const ps = el('section', { id: 'suggested', 'aria-labelledby': 'paths-heading' }, el('h2', { id: 'paths-heading', text: t.paths }));
    const suggestions = (data.suggestions || {}).suggestions || [];
    if (!suggestions.length) ps.append(el('p', { text: t.nopaths }));
    const ul = el('ul');
    for (const s of suggestions) {
      const p = s.path || {};
      ul.append(el('li', { text: `${p.title || p.id} — ${fmt(t.steps, { n: (p.steps || []).length })}, ${fmt(t.support, { n: s.support })}` }));
    }
    if (suggestions.length) ps.append(ul);
    main.append(ps);
    status.textContent = '';
  }
  load();
})();
