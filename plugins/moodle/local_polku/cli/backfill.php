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
 * Queues existing logstore_standard_log rows for Polku.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

[$options, $unrecognised] = cli_get_params(
    ['since' => '', 'until' => '', 'help' => false],
    ['h' => 'help']
);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
if ($options['help'] || $options['since'] === '') {
    echo get_string('cli:backfillhelp', 'local_polku') . "\n";
    exit($options['help'] ? 0 : 2);
}
$since = strtotime($options['since']);
$until = $options['until'] === '' ? time() : strtotime($options['until']);
if ($since === false || $until === false || $until < $since) {
    cli_error(get_string('cli:badrange', 'local_polku'));
}
$config = get_config('local_polku');
$collector = new \local_polku\local\enrichment_collector($DB, $config);
$backfill = new \local_polku\backfill($DB, new \local_polku\outbox\outbox($DB), $CFG->wwwroot,
    [$collector, 'facts']);
[$read, $queued] = $backfill->run($since, $until, $config->events ?? null);
cli_writeln(get_string('cli:backfilldone', 'local_polku', ['read' => $read, 'queued' => $queued]));
