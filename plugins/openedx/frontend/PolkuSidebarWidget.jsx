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

export const PolkuSidebarWidget = () => {
  const { locale } = useIntl();
  const lang = locale && locale.startsWith('fi') ? 'fi' : 'en';
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

  if (!state.items.length && !state.message) { return null; }
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
    </div>
  );
};

export default PolkuSidebarWidget;
