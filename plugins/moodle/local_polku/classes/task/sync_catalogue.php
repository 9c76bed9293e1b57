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

use local_polku\catalogue\activity_builder;
use local_polku\local\enrichment_collector;
use local_polku\local\factory;

/**
 * Upserts the site's courses into Polku's catalogue. Hidden courses are sent
 * hidden; courses deleted since the last run are sent hidden too, so Polku
 * stops recommending them.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_catalogue extends \core\task\scheduled_task {
    /**
     * Name shown to administrators.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task:synccatalogue', 'local_polku');
    }

    /**
     * Sends every course.
     */
    public function execute() {
        global $CFG, $DB;
        $config = get_config('local_polku');
        if (empty($config->enabled) || empty($config->endpoint) || empty($config->synccatalogue)) {
            return;
        }
        $builder = new activity_builder($CFG->wwwroot);
        $collector = new enrichment_collector($DB, $config);
        $activities = [];
        $seen = [];
        $courses = $DB->get_recordset_select('course', 'id > ?', [SITEID], 'id ASC', 'id, fullname, visible');
        foreach ($courses as $course) {
            $title = format_string($course->fullname, true, ['context' => \context_course::instance($course->id)]);
            $activities[] = $builder->course((int)$course->id, $title, (bool)$course->visible,
                $collector->course_facts((int)$course->id));
            $seen[] = (int)$course->id;
        }
        $courses->close();
        $previous = array_filter(array_map('intval', explode(',', (string)($config->syncedcourses ?? ''))));
        foreach (array_diff($previous, $seen) as $deleted) {
            $activities[] = $builder->course($deleted, '', false);
        }
        $api = factory::api();
        $upserted = 0;
        try {
            foreach (activity_builder::chunks($activities) as $chunk) {
                $upserted += $api->upsert_activities($chunk);
            }
        } catch (\local_polku\http\polku_exception $e) {
            factory::record(['error' => $e->getMessage()]);
            mtrace('local_polku: catalogue not synced: ' . $e->getMessage());
            return;
        }
        set_config('syncedcourses', implode(',', $seen), 'local_polku');
        set_config('lastcataloguesync', time(), 'local_polku');
        mtrace("local_polku: {$upserted} courses upserted.");
    }
}
