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
 * Tests of the payload builder and the supported event list.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_polku\payload_builder
 * @covers     \local_polku\supported_events
 */
final class payload_builder_test extends \basic_testcase {
    public function test_log_row_loses_personal_fields_and_keeps_event_data(): void {
        $data = payload_builder::event_data(['id' => 7, 'eventname' => 'core\event\course_viewed', 'ip' => '10.1.2.3',
            'realuserid' => 3, 'origin' => 'web', 'userid' => '5', 'courseid' => '2', 'other' => '{"a":1}']);
        $this->assertSame(['eventname' => '\core\event\course_viewed', 'userid' => 5, 'courseid' => 2,
            'other' => ['a' => 1]], $data);
    }

    public function test_enrichment_is_proto3_json(): void {
        $b = new payload_builder('https://moodle.example.edu', '0.1.0');
        $en = $b->enrichment('id-1', ['enrol' => 'self', 'required' => true, 'goalids' => ' g1, g2,g1 ',
            'orgunit' => 'Sales', 'modname' => 'book', 'enrolmentstatus' => 1, 'grademax' => 10.0, 'gradepass' => 5.5]);
        $this->assertSame([
            'instance' => 'https://moodle.example.edu', 'adapterVersion' => 'local_polku 0.1.0', 'eventId' => 'id-1',
            'enrolmentMethod' => 'ENROLMENT_METHOD_SELF', 'courseRequired' => true, 'goalIds' => ['g1', 'g2'],
            'orgUnit' => 'Sales', 'extensions' => ['moodle.enrolment_status' => 'suspended',
                'moodle.grademax' => '10', 'moodle.gradepass' => '5.5', 'moodle.modname' => 'book'],
        ], $en);
        $this->assertNull(payload_builder::enrolment_method('unknownplugin'));
        $item = payload_builder::ingest_item(['eventname' => '\core\event\course_viewed'], $en);
        $this->assertSame('SOURCE_FORMAT_MOODLE', $item['source']['format']);
        $this->assertSame('{"eventname":"\\\\core\\\\event\\\\course_viewed"}', $item['source']['payload']);
    }

    public function test_supported_events_follow_the_class_hierarchy(): void {
        $this->assertSame('core\event\course_module_viewed',
            supported_events::observed_as('\mod_page\event\course_module_viewed'));
        $this->assertSame('mod_assign\event\submission_created',
            supported_events::observed_as('\assignsubmission_file\event\submission_created'));
        $this->assertNull(supported_events::observed_as('\core\event\user_loggedin'));
        $this->assertTrue(supported_events::is_enabled('\mod_page\event\course_module_viewed', null));
        $this->assertFalse(supported_events::is_enabled('\mod_page\event\course_module_viewed', 'core_event_course_viewed'));
        $this->assertTrue(supported_events::is_enabled('\core\event\course_viewed', 'x,core_event_course_viewed'));
    }

    public function test_every_observed_event_is_mapped_by_the_server(): void {
        $cc = dirname(__DIR__, 4) . '/services/ingest/moodle_normaliser.cc';
        if (!is_file($cc)) {
            $this->markTestSkipped('services/ingest/moodle_normaliser.cc is not beside the plugins');
        }
        $source = file_get_contents($cc);
        foreach (supported_events::names() as $name) {
            [$component, , $short] = explode('\\', $name);
            $generic = $component === 'core' && in_array($short,
                ['course_module_viewed', 'course_module_instance_list_viewed', 'comment_created'], true);
            if ($generic) {
                $this->assertStringContainsString('"' . $short . '"', $source, $name);
            } else {
                $this->assertStringContainsString('R"(' . $name . ')"', $source, $name);
            }
        }
    }
}
