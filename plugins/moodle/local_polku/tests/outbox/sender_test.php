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

use local_polku\http\client;
use local_polku\http\polku_exception;
use local_polku\polku_api;

/**
 * Tests of the sender's handling of Polku's answers, with a scripted client.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_polku\outbox\sender
 * @covers     \local_polku\outbox\outbox
 */
final class sender_test extends \basic_testcase {
    /** @var outbox */
    private $outbox;

    protected function setUp(): void {
        if (!class_exists('polku_test_sqlite_database')) {
            $this->markTestSkipped('needs the Moodle-free test database');
        }
        $db = new \polku_test_sqlite_database();
        $db->install_xmldb(dirname(__DIR__, 2) . '/db/install.xml');
        $this->outbox = new outbox($db);
        foreach ([1, 2, 3] as $i) {
            $this->outbox->enqueue("id-$i", ['eventname' => '\core\event\course_viewed', 'timecreated' => $i],
                ['eventId' => "id-$i"], 5, 100);
        }
    }

    /**
     * A client that answers from a script and records the requests.
     *
     * @param callable[] $answers one per request: (body) => response array, or throws
     * @param array $requests receives the request bodies
     * @return polku_api
     */
    private function api(array $answers, array &$requests = null): polku_api {
        $requests = [];
        $client = new class($answers, $requests) implements client {
            private $answers;
            private $requests;
            public function __construct(array $answers, array &$requests) {
                $this->answers = $answers;
                $this->requests = &$requests;
            }
            public function request(string $method, string $path, ?array $body = null): array {
                $this->requests[] = $body;
                $next = array_shift($this->answers);
                return $next($body);
            }
        };
        return new polku_api($client);
    }

    public function test_outcomes_remove_skip_or_set_aside(): void {
        $api = $this->api([static fn($b) => ['results' => [
            ['eventId' => 'id-1', 'outcome' => 'EVENT_OUTCOME_ACCEPTED'],
            ['itemIndex' => 1, 'outcome' => 'EVENT_OUTCOME_REJECTED',
                'error' => ['code' => 12, 'message' => 'not a learning activity: x']],
            ['itemIndex' => 2, 'outcome' => 'EVENT_OUTCOME_REJECTED',
                'error' => ['code' => 3, 'message' => 'payload.timecreated: is required']],
        ]]], $requests);
        $report = (new sender($this->outbox, $api, 10))->run();
        $this->assertSame([1, 1, 1], [$report['sent'], $report['skipped'], $report['setaside']]);
        $this->assertSame(['id-2' => 'not a learning activity: x'], $report['skippedids']);
        $this->assertSame([outbox::QUEUED => 0, outbox::SET_ASIDE => 1], $this->outbox->counts());
        $aside = $this->outbox->set_aside_rows(0, 0)[0];
        $this->assertSame('REJECTED: payload.timecreated: is required', $aside->lasterror);
        $this->assertCount(3, $requests[0]['events']);
        $this->assertSame('SOURCE_FORMAT_MOODLE', $requests[0]['events'][0]['source']['format']);

        $this->assertSame(1, $this->outbox->replay());
        $this->assertCount(1, $this->outbox->due(100, 10));
    }

    public function test_polku_down_keeps_everything_with_backoff(): void {
        $down = static function() {
            throw new polku_exception(0, '', 'Connection refused');
        };
        $now = 1000;
        $report = (new sender($this->outbox, $this->api([$down]), 10, static fn() => $now))->run();
        $this->assertSame(3, $report['deferred']);
        $this->assertSame('Polku not reached: Connection refused', $report['error']);
        $this->assertSame([], $this->outbox->due(1000 + sender::BACKOFF_BASE - 1, 10));
        $this->assertCount(3, $this->outbox->due(1000 + sender::BACKOFF_BASE, 10));
        $this->assertSame(120, sender::backoff(2));
        $this->assertSame(sender::BACKOFF_MAX, sender::backoff(30));
    }

    public function test_a_bad_batch_is_split_to_find_the_bad_event(): void {
        $bad = static function() {
            throw new polku_exception(400, 'INVALID_ARGUMENT', 'events[0].source.payload: bad JSON');
        };
        $ok = static fn($b) => ['results' => [['outcome' => 'EVENT_OUTCOME_DUPLICATE']]];
        $report = (new sender($this->outbox, $this->api([$bad, $ok, $bad, $ok])))->run();
        $this->assertSame([1, 2], [$report['setaside'], $report['duplicates']]);
        $this->assertSame([outbox::QUEUED => 0, outbox::SET_ASIDE => 1], $this->outbox->counts());
    }

    public function test_a_refused_key_is_not_a_poison_event(): void {
        $denied = static function() {
            throw new polku_exception(403, 'PERMISSION_DENIED', 'key lacks events:write');
        };
        $report = (new sender($this->outbox, $this->api([$denied])))->run();
        $this->assertSame(0, $report['setaside']);
        $this->assertSame(3, $report['deferred']);
        $this->assertStringContainsString('403 PERMISSION_DENIED', $report['error']);
    }
}
