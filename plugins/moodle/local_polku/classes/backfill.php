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
 * Queues existing logstore_standard_log rows through the same outbox as live
 * events. Event ids are the same as the observer's, so an event already sent
 * live comes back DUPLICATE and is not stored twice.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class backfill {
    /** @var \moodle_database */
    private $db;
    /** @var outbox\outbox */
    private $outbox;
    /** @var payload_builder */
    private $builder;
    /** @var string */
    private $wwwroot;
    /** @var callable(array): array */
    private $facts;

    /**
     * Constructor.
     *
     * @param \moodle_database $db
     * @param outbox\outbox $outbox
     * @param string $wwwroot
     * @param callable $facts event data => enrichment facts
     */
    public function __construct($db, outbox\outbox $outbox, string $wwwroot, callable $facts) {
        $this->db = $db;
        $this->outbox = $outbox;
        $this->wwwroot = $wwwroot;
        $this->builder = new payload_builder($wwwroot, payload_builder::RELEASE);
        $this->facts = $facts;
    }

    /**
     * Queues the supported rows of a time range.
     *
     * @param int $since first timecreated
     * @param int $until last timecreated
     * @param string|null $enabled the "events" setting
     * @param int $chunk rows read at a time
     * @return array [read, queued]
     */
    public function run(int $since, int $until, ?string $enabled, int $chunk = 1000): array {
        $lastid = 0;
        $read = 0;
        $queued = 0;
        do {
            $rows = $this->db->get_recordset_select('logstore_standard_log',
                'id > ? AND timecreated >= ? AND timecreated <= ? AND anonymous = 0',
                [$lastid, $since, $until], 'id ASC', '*', 0, $chunk);
            $n = 0;
            foreach ($rows as $row) {
                $n++;
                $lastid = (int)$row->id;
                $data = payload_builder::event_data((array)$row);
                if (!supported_events::is_enabled((string)($data['eventname'] ?? ''), $enabled)) {
                    continue;
                }
                $id = event_id::for_event($this->wwwroot, $data);
                $learner = (int)(($data['relateduserid'] ?? 0) > 0 ? $data['relateduserid'] : ($data['userid'] ?? 0));
                if ($this->outbox->enqueue($id, $data, $this->builder->enrichment($id, ($this->facts)($data)),
                        $learner, time())) {
                    $queued++;
                }
            }
            $rows->close();
            $read += $n;
        } while ($n === $chunk);
        return [$read, $queued];
    }
}
