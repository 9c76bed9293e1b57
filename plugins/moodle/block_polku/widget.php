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
 * Opens Polku's learner widget for the current user: makes a fresh,
 * single-use token (local_polku\widget_token) and redirects to the widget.
 * The block links to this page, or frames it, so that a token is made only
 * when the learner opens the widget and never sits in a page.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');

$lang = optional_param('lang', '', PARAM_ALPHA);

require_login(null, false);
if (isguestuser()) {
    throw new moodle_exception('noguest');
}
$context = context_system::instance();
require_capability('block/polku:view', $context);
$PAGE->set_context($context);
$PAGE->set_url(new moodle_url('/blocks/polku/widget.php', ['lang' => $lang]));

$config = get_config('local_polku');
if (\local_polku\widget_token::display_mode($config) === \local_polku\widget_token::DISPLAY_OFF) {
    throw new moodle_exception('widgetunavailable', 'block_polku');
}
if ($lang !== 'en' && $lang !== 'fi') {
    $lang = current_language() === 'fi' ? 'fi' : 'en';
}
// Every token has its own random nonce: two openings within a second get two tokens.
$widget = \local_polku\widget_token::for_user($config, $CFG->wwwroot, (int)$USER->id, $lang, time());
\core\session\manager::write_close();
redirect($widget['url']);
