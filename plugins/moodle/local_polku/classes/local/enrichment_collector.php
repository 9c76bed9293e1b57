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

namespace local_polku\local;

/**
 * Reads, from Moodle's database, the facts Polku cannot know: how the learner
 * was enrolled, the course's required flag and goal ids (course custom
 * fields), the learner's org unit (a configured profile field), the module
 * name of a core course-module event, an enrolment's status and a grade
 * item's range. Read-only; no network call.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class enrichment_collector {
    /** @var \moodle_database */
    private $db;
    /** @var \stdClass */
    private $config;

    /**
     * Constructor.
     *
     * @param \moodle_database $db
     * @param \stdClass $config local_polku settings
     */
    public function __construct($db, \stdClass $config) {
        $this->db = $db;
        $this->config = $config;
    }

    /**
     * Facts for payload_builder::enrichment().
     *
     * @param array $data event data
     * @return array
     */
    public function facts(array $data): array {
        $facts = [];
        $courseid = (int)($data['courseid'] ?? 0);
        $learner = (int)(($data['relateduserid'] ?? 0) > 0 ? $data['relateduserid'] : ($data['userid'] ?? 0));
        if ($courseid > 1) {
            $facts += $this->course_facts($courseid);
            if ($learner > 0) {
                $enrol = $this->db->get_field_sql(
                    'SELECT e.enrol FROM {user_enrolments} ue JOIN {enrol} e ON e.id = ue.enrolid
                      WHERE ue.userid = ? AND e.courseid = ? ORDER BY ue.status ASC, ue.timecreated ASC',
                    [$learner, $courseid], IGNORE_MULTIPLE);
                if ($enrol) {
                    $facts['enrol'] = $enrol;
                }
            }
        }
        if ($learner > 0 && !empty($this->config->orgunitfield)) {
            $facts['orgunit'] = $this->org_unit($learner, (string)$this->config->orgunitfield);
        }
        $name = $data['eventname'];
        if (($data['contextlevel'] ?? 0) == CONTEXT_MODULE && strpos($name, '\core\event\\') === 0) {
            $facts['modname'] = (string)$this->db->get_field_sql(
                'SELECT m.name FROM {course_modules} cm JOIN {modules} m ON m.id = cm.module WHERE cm.id = ?',
                [(int)($data['contextinstanceid'] ?? 0)]);
        }
        if ($name === '\core\event\user_enrolment_updated' && !empty($data['objectid'])) {
            $status = $this->db->get_field('user_enrolments', 'status', ['id' => $data['objectid']]);
            if ($status !== false) {
                $facts['enrolmentstatus'] = (int)$status;
            }
        }
        if ($name === '\core\event\user_graded' && !empty($data['other']['itemid'])) {
            $item = $this->db->get_record('grade_items', ['id' => $data['other']['itemid']],
                'grademax, grademin, gradepass');
            if ($item) {
                $facts['grademax'] = (float)$item->grademax;
                $facts['grademin'] = (float)$item->grademin;
                $facts['gradepass'] = (float)$item->gradepass;
            }
        }
        return $facts;
    }

    /**
     * A course's required flag, goal ids and whether self-enrolment is open.
     *
     * @param int $courseid
     * @return array
     */
    public function course_facts(int $courseid): array {
        $facts = [];
        $fields = array_filter([
            'required' => (string)($this->config->requiredfield ?? ''),
            'goalids' => (string)($this->config->goalsfield ?? ''),
        ]);
        foreach ($fields as $fact => $shortname) {
            $value = $this->db->get_field_sql(
                "SELECT d.value FROM {customfield_data} d
                   JOIN {customfield_field} f ON f.id = d.fieldid
                   JOIN {customfield_category} c ON c.id = f.categoryid
                  WHERE c.component = 'core_course' AND c.area = 'course' AND f.shortname = ? AND d.instanceid = ?",
                [$shortname, $courseid], IGNORE_MISSING);
            if ($value !== false && $value !== null && $value !== '') {
                $facts[$fact] = $fact === 'required' ? (bool)(int)$value : (string)$value;
            }
        }
        $facts['selfenrol'] = $this->db->record_exists('enrol', ['courseid' => $courseid, 'enrol' => 'self',
            'status' => 0]);
        return $facts;
    }

    /**
     * The learner's org unit: a user table field (department, institution) or
     * a custom profile field ("profile_field_<shortname>").
     *
     * @param int $userid
     * @param string $field setting value
     * @return string
     */
    private function org_unit(int $userid, string $field): string {
        if (in_array($field, ['department', 'institution', 'city', 'country'], true)) {
            return (string)$this->db->get_field('user', $field, ['id' => $userid]);
        }
        if (strpos($field, 'profile_field_') === 0) {
            return (string)$this->db->get_field_sql(
                'SELECT d.data FROM {user_info_data} d JOIN {user_info_field} f ON f.id = d.fieldid
                  WHERE f.shortname = ? AND d.userid = ?', [substr($field, 14), $userid], IGNORE_MISSING);
        }
        return '';
    }
}
