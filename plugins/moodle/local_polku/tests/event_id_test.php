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
 * Tests of event ids and learner keys against the vectors the server shares.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_polku\event_id
 */
final class event_id_test extends \basic_testcase {
    public function test_uuid5_matches_the_shared_vectors(): void {
        $file = getenv('POLKU_UUID5_VECTORS') ?: dirname(__DIR__, 4) . '/tests/data/uuid5_vectors.json';
        $vectors = json_decode(file_get_contents($file), true);
        $this->assertNotEmpty($vectors['cases']);
        foreach ($vectors['cases'] as $case) {
            $this->assertSame($case['uuid'], event_id::uuid5($case['namespace'], $case['name']), $case['name']);
        }
        $this->assertSame($vectors['event_namespace'], event_id::EVENT_NAMESPACE);
    }

    public function test_learner_key_is_the_servers(): void {
        $this->assertSame('moodle.example.edu#42', event_id::learner_key('https://Moodle.Example.edu/', 42));
        $this->assertSame('lms.example.org/moodle#7', event_id::learner_key('http://LMS.example.org/moodle', 7));
        $this->assertSame('moodle.example.edu/course/view.php?id=2',
            event_id::course_activity_id('https://moodle.example.edu', 2));
    }

    public function test_observer_and_log_row_give_the_same_id(): void {
        $live = ['eventname' => '\core\event\user_enrolment_created', 'userid' => 1, 'relateduserid' => 2,
            'contextid' => 5, 'objectid' => 1, 'courseid' => 2, 'crud' => 'c', 'timecreated' => 1433946701,
            'other' => ['enrol' => 'manual']];
        $logrow = ['id' => '99', 'eventname' => '\core\event\user_enrolment_created', 'userid' => '1',
            'relateduserid' => '2', 'contextid' => '5', 'objectid' => '1', 'courseid' => '2', 'crud' => 'c',
            'timecreated' => '1433946701', 'other' => 'a:1:{s:5:"enrol";s:6:"manual";}', 'ip' => '10.0.0.1'];
        $a = event_id::for_event('https://moodle.example.edu', payload_builder::event_data($live));
        $b = event_id::for_event('https://moodle.example.edu', payload_builder::event_data($logrow));
        $this->assertSame($a, $b);
        $logrow['timecreated'] = '1433946702';
        $this->assertNotSame($a, event_id::for_event('https://moodle.example.edu', payload_builder::event_data($logrow)));
    }
}
