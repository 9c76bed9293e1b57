<?php
// Live: every shared Moodle fixture event.json of a type the plugin observes
// goes through the payload builder, the outbox and the sender to a real
// polku-server, and comes back accepted and tagged.

require_once(__DIR__ . '/live_testcase.php');

use local_polku\outbox\outbox;
use local_polku\payload_builder;
use local_polku\outbox\sender;
use local_polku\supported_events;

/** @coversNothing */
final class fixtures_ingest_test extends polku_live_testcase {
    /**
     * Fixtures of an observed type that Polku answers "not a learning
     * activity" for, with the reason: the event names another user's view of a
     * learner's work, or a completion taken back. The sender drops them as skipped.
     */
    private const NOT_LEARNING = [
        'core/course_module_completion_update/uncompleting_existing_module/event.json' => 'completion state 0',
        'mod_assign/submission_viewed/event.json' => 'done by another user',
        'mod_quiz/attempt_reviewed/existing_attempt_reviewed/event.json' => 'done by another user',
    ];

    public function test_every_supported_fixture_is_accepted_and_tagged(): void {
        $fixtures = self::fixtures();
        $this->assertGreaterThan(150, count($fixtures), 'shared fixtures not found');
        $outbox = $this->outbox();
        $ids = [];
        $users = [];
        $first = [];
        foreach ($fixtures as $path => $raw) {
            if (supported_events::observed_as((string)($raw['eventname'] ?? '')) === null) {
                continue;
            }
            $ids[$path] = $this->enqueue($outbox, $raw);
            // Fixture variants that differ only in data.json hold the same event: one id, queued once.
            if (isset($first[$ids[$path]])) {
                $this->assertEquals(payload_builder::event_data($fixtures[$first[$ids[$path]]]),
                    payload_builder::event_data($raw), "$path shares an id with a different event");
            } else {
                $first[$ids[$path]] = $path;
            }
            foreach (['userid', 'relateduserid'] as $k) {
                if (!empty($raw[$k]) && (int)$raw[$k] > 0) {
                    $users[] = (int)$raw[$k];
                }
            }
        }
        $supported = count($ids);
        $distinct = count($first);

        $report = (new sender($outbox, $this->api(), 50))->run();
        $this->assertSame('', $report['error']);
        $this->assertSame(0, $report['setaside'], 'set aside: ' . json_encode($outbox->set_aside_rows(0, 5)));
        $skipped = [];
        foreach ($ids as $path => $id) {
            if (isset($report['skippedids'][$id])) {
                $skipped[$path] = $report['skippedids'][$id];
            }
        }
        $this->assertSame(array_keys(self::NOT_LEARNING), array_keys($skipped));
        $skippedevents = count(array_unique(array_intersect_key($ids, $skipped)));
        foreach (self::NOT_LEARNING as $path => $why) {
            $this->assertStringContainsString($why, $skipped[$path]);
        }
        $this->assertSame($distinct - $skippedevents, $report['sent']);
        $this->assertSame([outbox::QUEUED => 0, outbox::SET_ASIDE => 0], $outbox->counts());

        $tags = $this->exported($users, $counts);
        $modes = ['STRUCTURED', 'SELF_DIRECTED', 'BLENDED'];
        foreach ($ids as $path => $id) {
            if (isset($skipped[$path])) {
                continue;
            }
            $this->assertArrayHasKey($id, $tags, "$path not stored");
            $this->assertContains($tags[$id]['mode'] ?? '', $modes, "$path not tagged");
            $this->assertSame(1, $counts[$id]);
        }
        fwrite(STDERR, sprintf("\nfixtures: %d event.json files, %d of a supported type (%d distinct events); " .
            "%d files (%d events) accepted and tagged; %d answered 'not a learning activity'\n", count($fixtures),
            $supported, $distinct, $supported - count($skipped), $report['sent'], count($skipped)));
    }
}
