<?php
// Live: Polku down, events stay queued; Polku back, the queue drains and
// nothing is stored twice, even when a batch Polku already stored is resent.

require_once(__DIR__ . '/live_testcase.php');

use local_polku\outbox\outbox;
use local_polku\outbox\sender;
use local_polku\supported_events;

/** @coversNothing */
final class queue_drain_test extends polku_live_testcase {
    public function test_down_then_back_drains_without_duplicates(): void {
        $outbox = $this->outbox();
        $events = [];
        foreach (self::fixtures() as $path => $raw) {
            if (strpos($path, 'core/') === 0 && supported_events::observed_as($raw['eventname']) !== null &&
                    strpos($path, 'uncompleting') === false) {
                $events[$path] = $raw;
            }
        }
        $this->assertGreaterThanOrEqual(10, count($events));
        $ids = [];
        $users = [];
        foreach ($events as $raw) {
            $ids[] = $this->enqueue($outbox, $raw);
            $users[] = (int)(($raw['relateduserid'] ?? 0) > 0 ? $raw['relateduserid'] : $raw['userid']);
        }
        $ids = array_values(array_unique($ids));
        $n = count($ids);
        $now = 1700000000;
        $clock = static function() use (&$now): int {
            return $now;
        };

        self::$server->stop();
        $down = new sender($outbox, $this->api(), 5, $clock);
        $report = $down->run();
        $this->assertStringContainsString('Polku not reached', $report['error']);
        $this->assertSame(5, $report['deferred'], 'the first batch is deferred, then the run stops');
        $this->assertSame([outbox::QUEUED => $n, outbox::SET_ASIDE => 0], $outbox->counts());
        $this->assertCount($n - 5, $outbox->due($now, 100), 'deferred events wait for their backoff');

        self::$server->start();
        $now += sender::backoff(1);
        $report = (new sender($outbox, $this->api(), 5, $clock))->run();
        $this->assertSame('', $report['error']);
        $this->assertSame($n, $report['sent'] + $report['duplicates']);
        $this->assertSame([outbox::QUEUED => 0, outbox::SET_ASIDE => 0], $outbox->counts());

        // A crash after Polku stored a batch but before the rows were removed: the resend is DUPLICATE.
        foreach ($events as $raw) {
            $this->enqueue($outbox, $raw);
        }
        $report = (new sender($outbox, $this->api(), 7, $clock))->run();
        $this->assertSame(0, $report['sent']);
        $this->assertSame($n, $report['duplicates']);

        $this->exported($users, $counts);
        foreach ($ids as $id) {
            $this->assertSame(1, $counts[$id] ?? 0, "event $id stored " . ($counts[$id] ?? 0) . ' times');
        }
        $this->assertSame($n, array_sum($counts));
    }
}
