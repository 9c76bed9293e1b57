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
 * Administrator's status page: queue depth, last success, last error and the
 * events Polku refused, with replay.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

admin_externalpage_setup('local_polku_status');

$outbox = new \local_polku\outbox\outbox($DB);
$replay = optional_param('replay', 0, PARAM_INT);
$replayall = optional_param('replayall', 0, PARAM_BOOL);
if (($replay || $replayall) && confirm_sesskey()) {
    $n = $outbox->replay($replayall ? null : [$replay]);
    redirect($PAGE->url, get_string('replayed', 'local_polku', $n));
}

$config = get_config('local_polku');
$counts = $outbox->counts();
$never = get_string('never', 'local_polku');
echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('status', 'local_polku'));
$table = new html_table();
$table->data = [
    [get_string('queued', 'local_polku'), $counts[\local_polku\outbox\outbox::QUEUED]],
    [get_string('setaside', 'local_polku'), $counts[\local_polku\outbox\outbox::SET_ASIDE]],
    [get_string('lastsuccess', 'local_polku'), empty($config->lastsuccess) ? $never : userdate($config->lastsuccess)],
    [get_string('lasterror', 'local_polku'), empty($config->lasterror) ? '-' :
        userdate($config->lasterrortime) . ': ' . s($config->lasterror)],
    [get_string('lastcataloguesync', 'local_polku'),
        empty($config->lastcataloguesync) ? $never : userdate($config->lastcataloguesync)],
];
echo html_writer::table($table);

$rows = $outbox->set_aside_rows(0, 50);
if ($rows) {
    echo $OUTPUT->heading(get_string('setaside', 'local_polku'), 3);
    $list = new html_table();
    $list->head = [get_string('eventname', 'local_polku'), get_string('error'), ''];
    foreach ($rows as $row) {
        $url = new moodle_url($PAGE->url, ['replay' => $row->id, 'sesskey' => sesskey()]);
        $list->data[] = [s($row->eventname), s($row->lasterror),
            html_writer::link($url, get_string('replay', 'local_polku'))];
    }
    echo html_writer::table($list);
    echo $OUTPUT->single_button(new moodle_url($PAGE->url, ['replayall' => 1, 'sesskey' => sesskey()]),
        get_string('replayall', 'local_polku'));
}
echo $OUTPUT->footer();
