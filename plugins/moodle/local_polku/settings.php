<?php
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
 * Settings of local_polku.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig) {
    $ADMIN->add('localplugins', new admin_category('local_polku_category', get_string('pluginname', 'local_polku')));
    $settings = new admin_settingpage('local_polku', get_string('settings', 'local_polku'));
    $ADMIN->add('local_polku_category', $settings);
    $ADMIN->add('local_polku_category', new admin_externalpage('local_polku_status',
        get_string('status', 'local_polku'), new moodle_url('/local/polku/status.php'), 'moodle/site:config'));

    if ($ADMIN->fulltree) {
        $settings->add(new admin_setting_configcheckbox('local_polku/enabled',
            get_string('enabled', 'local_polku'), get_string('enabled_desc', 'local_polku'), 0));
        $settings->add(new admin_setting_configtext('local_polku/endpoint',
            get_string('endpoint', 'local_polku'), get_string('endpoint_desc', 'local_polku'), '', PARAM_URL));
        $settings->add(new admin_setting_configpasswordunmask('local_polku/apikey',
            get_string('apikey', 'local_polku'), get_string('apikey_desc', 'local_polku'), ''));
        $settings->add(new admin_setting_configtext('local_polku/timeoutms',
            get_string('timeoutms', 'local_polku'), get_string('timeoutms_desc', 'local_polku'),
            \local_polku\http\curl_client::DEFAULT_TIMEOUT_MS, PARAM_INT));
        $settings->add(new admin_setting_configtext('local_polku/batchsize',
            get_string('batchsize', 'local_polku'), get_string('batchsize_desc', 'local_polku'), 200, PARAM_INT));
        $settings->add(new admin_setting_configtext('local_polku/orgunitfield',
            get_string('orgunitfield', 'local_polku'), get_string('orgunitfield_desc', 'local_polku'), '',
            PARAM_ALPHANUMEXT));
        $settings->add(new admin_setting_configtext('local_polku/requiredfield',
            get_string('requiredfield', 'local_polku'), get_string('requiredfield_desc', 'local_polku'),
            'polku_required', PARAM_ALPHANUMEXT));
        $settings->add(new admin_setting_configtext('local_polku/goalsfield',
            get_string('goalsfield', 'local_polku'), get_string('goalsfield_desc', 'local_polku'),
            'polku_goals', PARAM_ALPHANUMEXT));
        $settings->add(new admin_setting_configcheckbox('local_polku/synccatalogue',
            get_string('synccatalogue', 'local_polku'), get_string('synccatalogue_desc', 'local_polku'), 1));
        $choices = [];
        foreach (\local_polku\supported_events::names() as $name) {
            $choices[\local_polku\supported_events::key($name)] = '\\' . $name;
        }
        $settings->add(new admin_setting_configmultiselect('local_polku/events',
            get_string('events', 'local_polku'), get_string('events_desc', 'local_polku'),
            array_keys($choices), $choices));

        // The learner widget (Polku's /ui/learner), opened from the Next steps block.
        $settings->add(new admin_setting_heading('local_polku/widgetheading',
            get_string('widgetheading', 'local_polku'), get_string('widgetheading_desc', 'local_polku')));
        $settings->add(new admin_setting_configtext('local_polku/uiurl',
            get_string('uiurl', 'local_polku'), get_string('uiurl_desc', 'local_polku'), '', PARAM_URL));
        $settings->add(new admin_setting_configtext('local_polku/uitenant',
            get_string('uitenant', 'local_polku'), get_string('uitenant_desc', 'local_polku'), '',
            '/^([a-z0-9][a-z0-9_-]{0,63})?$/'));
        $settings->add(new admin_setting_configpasswordunmask('local_polku/uisecret',
            get_string('uisecret', 'local_polku'), get_string('uisecret_desc', 'local_polku'), ''));
        $settings->add(new admin_setting_configtext('local_polku/uilifetime',
            get_string('uilifetime', 'local_polku'), get_string('uilifetime_desc', 'local_polku'),
            \local_polku\widget_token::DEFAULT_LIFETIME, PARAM_INT));
        $settings->add(new admin_setting_configselect('local_polku/uidisplay',
            get_string('uidisplay', 'local_polku'), get_string('uidisplay_desc', 'local_polku'),
            \local_polku\widget_token::DISPLAY_LINK, [
                \local_polku\widget_token::DISPLAY_OFF => get_string('uidisplay:off', 'local_polku'),
                \local_polku\widget_token::DISPLAY_LINK => get_string('uidisplay:link', 'local_polku'),
                \local_polku\widget_token::DISPLAY_EMBED => get_string('uidisplay:embed', 'local_polku'),
            ]));
    }
}
