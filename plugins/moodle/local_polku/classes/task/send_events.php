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

namespace local_polku\task;

use local_polku\local\factory;
use local_polku\outbox\outbox;
use local_polku\outbox\sender;

/**
 * Sends queued learning events to Polku.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class send_events extends \core\task\scheduled_task {
    /**
     * Name shown to administrators.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task:sendevents', 'local_polku');
    }

    /**
     * Sends due batches.
     */
    public function execute() {
        global $DB;
        $config = get_config('local_polku');
        if (empty($config->enabled) || empty($config->endpoint)) {
            mtrace('local_polku: not configured; nothing sent.');
            return;
        }
        $sender = new sender(new outbox($DB), factory::api(), (int)($config->batchsize ?? 200));
        $report = $sender->run();
        factory::record($report);
        mtrace(sprintf('local_polku: %d accepted, %d duplicates, %d erased, %d skipped, %d set aside, %d deferred%s',
            $report['sent'], $report['duplicates'], $report['erased'], $report['skipped'], $report['setaside'],
            $report['deferred'], $report['error'] !== '' ? ' (' . $report['error'] . ')' : ''));
    }
}
