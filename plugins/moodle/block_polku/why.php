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
 * "Why am I seeing this": how Polku's recommendations are made, and the opt-out.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');

require_login();
$context = context_system::instance();
require_capability('block/polku:view', $context);
$PAGE->set_context($context);
$PAGE->set_url(new moodle_url('/blocks/polku/why.php'));
$PAGE->set_title(get_string('why', 'block_polku'));
$PAGE->set_heading(get_string('why', 'block_polku'));
$PAGE->requires->js_call_amd('block_polku/recommendations', 'initOptOut', ['[data-region="block_polku_optout"]']);

echo $OUTPUT->header();
echo $OUTPUT->render_from_template('block_polku/why', []);
echo $OUTPUT->footer();
