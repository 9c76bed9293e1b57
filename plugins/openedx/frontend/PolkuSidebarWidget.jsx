// Example: a learner-dashboard sidebar widget that shows Polku's
// recommendations, for frontend-app-learner-dashboard's plugin slot
// `widget_sidebar_slot` (frontend-plugin-framework). Copy it into your
// env.config.jsx (see ../README.md, "Learner dashboard widget"); it is an
// example, not built or tested here.
import React, { useEffect, useState } from 'react';
import { getConfig } from '@edx/frontend-platform';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';
import { useIntl } from '@edx/frontend-platform/i18n';

const TITLE = { en: 'Your next steps', fi: 'Seuraavat askeleesi' };
const ACCEPT = { en: 'I will do this', fi: 'Teen tämän' };
const DISMISS = { en: 'Not now', fi: 'Ei nyt' };
const OPEN_WIDGET = { en: 'Open my learning paths', fi: 'Avaa oppimispolkuni' };
const NEW_WINDOW = { en: '(opens in a new window)', fi: '(avautuu uuteen ikkunaan)' };
const WIDGET_TITLE = { en: 'My learning paths (Polku)', fi: 'Oppimispolkuni (Polku)' };

// Set to true once the LMS has POLKU_UI_BASE_URL, POLKU_UI_TENANT and
// POLKU_UI_SECRET (../README.md, "Learner widget"): the sidebar then links
// to Polku's learner widget.
const SHOW_WIDGET_LINK = false;

// The LMS endpoint that makes a fresh single-use token and redirects (302)
// to the widget; a link or a frame opened later still gets a valid token.
const widgetOpenUrl = (lang) => `${getConfig().LMS_BASE_URL}/api/polku/v1/widget/open/?lang=${lang}`;

const useLang = () => {
  const { locale } = useIntl();
  return locale && locale.startsWith('fi') ? 'fi' : 'en';
};

// Polku's learner widget in a frame, e.g. in another plugin slot. Polku's
// frame-ancestors list (polku ui frame-ancestors) must name this MFE's origin.
export const PolkuWidgetFrame = () => {
  const lang = useLang();
  return (
    <iframe
      src={widgetOpenUrl(lang)}
      title={WIDGET_TITLE[lang]}
      className="w-100 border-0"
      style={{ minHeight: '40rem' }}
      sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
    />
  );
};

export const PolkuSidebarWidget = () => {
  const lang = useLang();
  const base = `${getConfig().LMS_BASE_URL}/api/polku/v1`;
  const http = getAuthenticatedHttpClient();
  const [state, setState] = useState({ items: [], message: '' });

  useEffect(() => {
    http.get(`${base}/recommendations/?k=3`, { headers: { 'Accept-Language': lang } })
      .then(({ data }) => setState({ items: data.recommendations, message: '' }))
      .catch((err) => setState({ items: [], message: err.customAttributes?.httpErrorResponseData ? JSON.parse(err.customAttributes.httpErrorResponseData).detail : '' }));
  }, [lang]);

  const feedback = (id, outcome) => http.post(`${base}/feedback/`, { recommendation_id: id, outcome })
    .then(() => setState((s) => ({ ...s, items: s.items.filter((r) => r.recommendation_id !== id) })));

  if (!state.items.length && !state.message && !SHOW_WIDGET_LINK) { return null; }
  return (
    <div className="polku-widget p-3 mb-3 border rounded">
      <h3 className="h4">{TITLE[lang]}</h3>
      {state.message && <p className="small text-muted">{state.message}</p>}
      <ul className="list-unstyled">
        {state.items.map((r) => (
          <li key={r.recommendation_id} className="mb-3">
            {r.target_url ? <a href={r.target_url}>{r.target_title || r.target_id}</a>
              : <strong>{r.target_title || r.target_id}</strong>}
            <p className="small mb-1">{r.text}</p>
            <button type="button" className="btn btn-sm btn-primary mr-2" onClick={() => feedback(r.recommendation_id, 'accepted')}>{ACCEPT[lang]}</button>
            <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => feedback(r.recommendation_id, 'dismissed')}>{DISMISS[lang]}</button>
          </li>
        ))}
      </ul>
      {SHOW_WIDGET_LINK && (
        <a className="btn btn-sm btn-outline-primary" href={widgetOpenUrl(lang)} target="_blank" rel="noopener noreferrer">
          {OPEN_WIDGET[lang]} <span className="sr-only">{NEW_WINDOW[lang]}</span>
        </a>
      )}
    </div>
  );
};

export default PolkuSidebarWidget;
