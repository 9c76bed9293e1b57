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

namespace local_polku\outbox;

/**
 * The outbox table local_polku_outbox: events queued in the same database
 * transaction as the change that raised them, sent later by a task.
 *
 * Works on any moodle_database. Not thread-safe across processes beyond what
 * the unique eventid index and the scheduled task lock give.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class outbox {
    /** The table. */
    public const TABLE = 'local_polku_outbox';
    /** Waiting to be sent. */
    public const QUEUED = 0;
    /** Refused by Polku; kept with its error until an administrator replays or discards it. */
    public const SET_ASIDE = 1;

    /** @var \moodle_database */
    private $db;

    /**
     * Constructor.
     *
     * @param \moodle_database $db the database
     */
    public function __construct($db) {
        $this->db = $db;
    }

    /**
     * Queues an event once: an event id already queued is left alone.
     *
     * @param string $eventid deterministic id
     * @param array $data event data (payload)
     * @param array $enrichment Polku Enrichment
     * @param int $userid learner
     * @param int $now current time
     * @return bool true when queued now
     */
    public function enqueue(string $eventid, array $data, array $enrichment, int $userid, int $now): bool {
        if ($this->db->record_exists(self::TABLE, ['eventid' => $eventid])) {
            return false;
        }
        $this->db->insert_record(self::TABLE, (object)[
            'eventid' => $eventid,
            'eventname' => substr((string)($data['eventname'] ?? ''), 0, 255),
            'userid' => $userid,
            'contextid' => (int)($data['contextid'] ?? 0),
            'payload' => \local_polku\payload_builder::json($data),
            'enrichment' => \local_polku\payload_builder::json($enrichment),
            'status' => self::QUEUED,
            'attempts' => 0,
            'nextattempt' => 0,
            'timecreated' => $now,
        ]);
        return true;
    }

    /**
     * Queued events due for sending, oldest first.
     *
     * @param int $now current time
     * @param int $limit most rows
     * @return \stdClass[]
     */
    public function due(int $now, int $limit): array {
        return array_values($this->db->get_records_select(self::TABLE, 'status = ? AND nextattempt <= ?',
            [self::QUEUED, $now], 'id ASC', '*', 0, $limit));
    }

    /**
     * Removes sent events.
     *
     * @param int[] $ids row ids
     */
    public function remove(array $ids): void {
        if ($ids) {
            $this->db->delete_records_list(self::TABLE, 'id', $ids);
        }
    }

    /**
     * Puts events back for a later attempt.
     *
     * @param \stdClass[] $rows rows from {@see due()}
     * @param string $error why
     * @param int $now current time
     * @param callable $backoff attempts => seconds to wait
     */
    public function defer(array $rows, string $error, int $now, callable $backoff): void {
        foreach ($rows as $row) {
            $attempts = (int)$row->attempts + 1;
            $this->db->update_record(self::TABLE, (object)[
                'id' => $row->id,
                'attempts' => $attempts,
                'nextattempt' => $now + $backoff($attempts),
                'lasterror' => $error,
            ]);
        }
    }

    /**
     * Sets an event aside with Polku's error.
     *
     * @param int $id row id
     * @param string $error why Polku refused it
     */
    public function set_aside(int $id, string $error): void {
        $this->db->update_record(self::TABLE, (object)['id' => $id, 'status' => self::SET_ASIDE, 'lasterror' => $error]);
    }

    /**
     * Queues set-aside events again.
     *
     * @param int[]|null $ids rows, or null for all set-aside events
     * @return int how many
     */
    public function replay(?array $ids = null): int {
        $rows = $this->set_aside_rows(0, 0);
        $count = 0;
        foreach ($rows as $row) {
            if ($ids !== null && !in_array((int)$row->id, array_map('intval', $ids), true)) {
                continue;
            }
            $this->db->update_record(self::TABLE, (object)['id' => $row->id, 'status' => self::QUEUED,
                'attempts' => 0, 'nextattempt' => 0]);
            $count++;
        }
        return $count;
    }

    /**
     * Set-aside events, newest first.
     *
     * @param int $from offset
     * @param int $limit most rows (0: all)
     * @return \stdClass[]
     */
    public function set_aside_rows(int $from, int $limit): array {
        return array_values($this->db->get_records_select(self::TABLE, 'status = ?', [self::SET_ASIDE],
            'id DESC', '*', $from, $limit));
    }

    /**
     * Rows per status.
     *
     * @return int[] [QUEUED => n, SET_ASIDE => n]
     */
    public function counts(): array {
        return [
            self::QUEUED => $this->db->count_records(self::TABLE, ['status' => self::QUEUED]),
            self::SET_ASIDE => $this->db->count_records(self::TABLE, ['status' => self::SET_ASIDE]),
        ];
    }

    /**
     * Deletes a user's rows (privacy).
     *
     * @param int $userid
     * @param int[]|null $contextids only in these contexts; null for all
     */
    public function delete_for_user(int $userid, ?array $contextids = null): void {
        if ($contextids === null) {
            $this->db->delete_records(self::TABLE, ['userid' => $userid]);
            return;
        }
        foreach ($contextids as $contextid) {
            $this->db->delete_records(self::TABLE, ['userid' => $userid, 'contextid' => (int)$contextid]);
        }
    }

    /**
     * Deletes every row of a context (privacy).
     *
     * @param int $contextid
     */
    public function delete_for_context(int $contextid): void {
        $this->db->delete_records(self::TABLE, ['contextid' => $contextid]);
    }

    /**
     * A user's rows (privacy export).
     *
     * @param int $userid
     * @return \stdClass[]
     */
    public function rows_for_user(int $userid): array {
        return array_values($this->db->get_records(self::TABLE, ['userid' => $userid], 'id ASC'));
    }
}
