// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Loads the learner's recommendations after the page, and sends accept,
 * dismiss and opt-out to Polku through the block's external functions.
 *
 * @module     block_polku/recommendations
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
import Ajax from 'core/ajax';
import Templates from 'core/templates';
import {getString} from 'core/str';

const load = (region, courseid) => Ajax.call([{
    methodname: 'block_polku_get_recommendations',
    args: {courseid},
}])[0]
    .then((data) => Templates.renderForPromise('block_polku/recommendations', data))
    .then(({html, js}) => Templates.replaceNodeContents(region, html, js))
    .catch(() => getString('unavailable', 'block_polku').then((text) => {
        region.innerHTML = '';
        const p = document.createElement('p');
        p.className = 'text-muted small';
        p.textContent = text;
        region.appendChild(p);
        return null;
    }));

/**
 * Fills the block and handles accept and dismiss.
 *
 * @param {string} selector the block's region
 * @param {number} courseid the course the block is shown in
 */
export const init = (selector, courseid) => {
    const region = document.querySelector(selector);
    if (!region) {
        return;
    }
    region.addEventListener('click', (e) => {
        const button = e.target.closest('[data-action]');
        const item = e.target.closest('[data-recommendation]');
        if (!button || !item) {
            return;
        }
        button.disabled = true;
        Ajax.call([{
            methodname: 'block_polku_record_feedback',
            args: {recommendationid: item.dataset.recommendation, outcome: button.dataset.action},
        }])[0].then(() => load(region, courseid)).catch(() => {
            button.disabled = false;
        });
    });
    load(region, courseid);
};

/**
 * Handles the opt-out buttons on the "why am I seeing this" page.
 *
 * @param {string} selector the region with the buttons
 */
export const initOptOut = (selector) => {
    const region = document.querySelector(selector);
    if (!region) {
        return;
    }
    region.addEventListener('click', (e) => {
        const button = e.target.closest('[data-action]');
        if (!button) {
            return;
        }
        Ajax.call([{
            methodname: 'block_polku_set_opt_out',
            args: {optedout: button.dataset.action === 'optout'},
        }])[0].then((result) => {
            const key = !result.saved ? 'unavailable' : (result.optedout ? 'optedout' : 'optedin');
            return getString(key, 'block_polku');
        }).then((text) => {
            region.querySelector('[data-region="status"]').textContent = text;
            return null;
        }).catch(() => null);
    });
};
