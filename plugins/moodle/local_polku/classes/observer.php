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

namespace local_polku;

/**
 * Event observer: queues a learning event in the outbox.
 *
 * Runs inside the transaction of the change that raised the event, so the
 * event is queued if and only if the change commits. No network call: the
 * send_events task sends. Failures here never break the user's action.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class observer {
    /** @var array spl_object_id => true, for events observed through a class and its parent */
    private static $seen = [];

    /**
     * Queues the event when it is enabled and Polku is configured.
     *
     * @param \core\event\base $event the event
     */
    public static function queue(\core\event\base $event): void {
        global $CFG, $DB;
        $key = spl_object_id($event);
        if (isset(self::$seen[$key])) {
            return;
        }
        self::$seen[$key] = true;
        $config = get_config('local_polku');
        if (empty($config->enabled) || empty($config->endpoint)) {
            return;
        }
        $data = payload_builder::event_data($event->get_data());
        if (!supported_events::is_enabled($data['eventname'], $config->events ?? null) || !empty($data['anonymous'])) {
            return;
        }
        try {
            $id = event_id::for_event($CFG->wwwroot, $data);
            $facts = (new local\enrichment_collector($DB, $config))->facts($data);
            $builder = new payload_builder($CFG->wwwroot, payload_builder::RELEASE);
            $learner = (int)(($data['relateduserid'] ?? 0) > 0 ? $data['relateduserid'] : ($data['userid'] ?? 0));
            (new outbox\outbox($DB))->enqueue($id, $data, $builder->enrichment($id, $facts), $learner, time());
        } catch (\dml_exception $e) {
            // The outbox must never break the user's action; the event can be recovered by the backfill script.
            debugging('local_polku: could not queue ' . $data['eventname'] . ': ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }
}
