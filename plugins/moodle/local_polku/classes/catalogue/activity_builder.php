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

namespace local_polku\catalogue;

use local_polku\event_id;

/**
 * Turns Moodle courses into Polku catalogue activities (CatalogueService).
 *
 * The activity id is the object id Polku's Moodle normaliser gives events
 * about the course, so events and catalogue meet. A deleted course is sent
 * as hidden: Polku then never recommends it. Pure; no Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class activity_builder {
    /** @var string */
    private $wwwroot;

    /**
     * Constructor.
     *
     * @param string $wwwroot the site's wwwroot
     */
    public function __construct(string $wwwroot) {
        $this->wwwroot = rtrim($wwwroot, '/');
    }

    /**
     * One Activity message.
     *
     * @param int $courseid course id
     * @param string $title course full name (already formatted as plain text)
     * @param bool $visible the course is visible (false for a deleted course)
     * @param array $facts optional: required (bool), goalids, competencies (string[]), selfenrol (bool)
     * @return array
     */
    public function course(int $courseid, string $title, bool $visible, array $facts = []): array {
        $activity = [
            'id' => event_id::course_activity_id($this->wwwroot, $courseid),
            'title' => $title,
            'url' => $this->wwwroot . '/course/view.php?id=' . $courseid,
            'type' => 'OBJECT_TYPE_COURSE',
            'visible' => $visible,
            'required' => !empty($facts['required']),
            'selfEnrol' => !empty($facts['selfenrol']),
        ];
        $goals = \local_polku\payload_builder::id_list($facts['goalids'] ?? []);
        if ($goals) {
            $activity['goalIds'] = $goals;
        }
        $competencies = \local_polku\payload_builder::id_list($facts['competencies'] ?? []);
        if ($competencies) {
            $activity['competencies'] = $competencies;
        }
        return $activity;
    }

    /**
     * Splits activities into request-sized chunks.
     *
     * @param array $activities
     * @param int $size per request
     * @return array[]
     */
    public static function chunks(array $activities, int $size = 500): array {
        return array_chunk(array_values($activities), max(1, $size));
    }
}
