<?php
// Live: after learner_data_eraser runs for a user, Polku's ExportLearnerData
// for that learner is empty, and another learner's data is untouched.

require_once(__DIR__ . '/live_testcase.php');

use local_polku\learner_data_eraser;
use local_polku\outbox\sender;

/** @coversNothing */
final class deletion_test extends polku_live_testcase {
    public function test_erase_empties_the_export(): void {
        $outbox = $this->outbox();
        $base = ['eventname' => '\core\event\course_viewed', 'component' => 'core', 'action' => 'viewed',
            'target' => 'course', 'crud' => 'r', 'edulevel' => 2, 'contextlevel' => 50, 'courseid' => 2,
            'contextid' => 20, 'contextinstanceid' => 2, 'anonymous' => 0, 'other' => null];
        foreach ([[41, 1700000001], [41, 1700000002], [42, 1700000003]] as [$user, $time]) {
            $this->enqueue($outbox, $base + ['userid' => $user, 'relateduserid' => null, 'timecreated' => $time]);
        }
        $report = (new sender($outbox, $this->api()))->run();
        $this->assertSame(3, $report['sent']);

        $eraser = new learner_data_eraser($this->api(), self::WWWROOT);
        $this->assertCount(2, $eraser->export(41)['eventsJson']);
        $this->assertSame(2, $eraser->erase(41));
        $export = $eraser->export(41);
        $this->assertSame([], $export['eventsJson']);
        $this->assertSame([], $export['tagsJson']);
        $this->assertSame('', $export['stateJson']);
        $this->assertCount(1, $eraser->export(42)['eventsJson']);

        // A queued resend after the erasure is acknowledged and not stored.
        $this->enqueue($outbox, $base + ['userid' => 41, 'relateduserid' => null, 'timecreated' => 1700000001]);
        $report = (new sender($outbox, $this->api()))->run();
        $this->assertSame(1, $report['erased']);
        $this->assertSame([], $eraser->export(41)['eventsJson']);
    }
}
