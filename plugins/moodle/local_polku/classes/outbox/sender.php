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

use local_polku\http\polku_exception;
use local_polku\polku_api;

/**
 * Sends outbox batches to Polku's EventService.Ingest.
 *
 * Per event: ACCEPTED, DUPLICATE and ERASED leave the outbox; UNIMPLEMENTED
 * (an event Polku does not count as learning) leaves it too and is counted as
 * skipped; any other rejection or a CONFLICT is set aside with Polku's error,
 * to be replayed. When Polku cannot be reached or fails, the batch stays
 * queued and is retried with exponential backoff; nothing is ever dropped for
 * that reason. Safe to resend: Polku answers DUPLICATE for an event it has.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sender {
    /** First retry delay, in seconds. */
    public const BACKOFF_BASE = 60;
    /** Longest retry delay, in seconds. */
    public const BACKOFF_MAX = 3600;

    /** @var outbox */
    private $outbox;
    /** @var polku_api */
    private $api;
    /** @var callable(): int */
    private $clock;
    /** @var int */
    private $batchsize;

    /**
     * Constructor.
     *
     * @param outbox $outbox the queue
     * @param polku_api $api Polku
     * @param int $batchsize events per request
     * @param callable|null $clock returns the current time (tests pass their own)
     */
    public function __construct(outbox $outbox, polku_api $api, int $batchsize = 200, ?callable $clock = null) {
        $this->outbox = $outbox;
        $this->api = $api;
        $this->batchsize = max(1, min(1000, $batchsize));
        $this->clock = $clock ?? static function(): int {
            return time();
        };
    }

    /**
     * Seconds to wait after a given number of failed attempts.
     *
     * @param int $attempts 1 after the first failure
     * @return int
     */
    public static function backoff(int $attempts): int {
        $exp = min(max($attempts - 1, 0), 16);
        return (int)min(self::BACKOFF_MAX, self::BACKOFF_BASE * (2 ** $exp));
    }

    /**
     * Sends due events until the queue is empty, Polku fails, or $maxbatches
     * batches were sent.
     *
     * @param int $maxbatches upper bound per run
     * @return array counts: sent, duplicates, erased, skipped, setaside, deferred; error ('' when none);
     *     skippedids (event id => Polku's reason)
     */
    public function run(int $maxbatches = 50): array {
        $report = ['sent' => 0, 'duplicates' => 0, 'erased' => 0, 'skipped' => 0, 'setaside' => 0,
            'deferred' => 0, 'error' => '', 'skippedids' => []];
        for ($i = 0; $i < $maxbatches; $i++) {
            $rows = $this->outbox->due(($this->clock)(), $this->batchsize);
            if (!$rows) {
                break;
            }
            if (!$this->send($rows, $report)) {
                break;
            }
        }
        return $report;
    }

    /**
     * Sends one batch. Returns false when Polku failed as a whole.
     *
     * @param \stdClass[] $rows
     * @param array $report
     * @return bool
     */
    private function send(array $rows, array &$report): bool {
        $items = [];
        foreach ($rows as $row) {
            $items[] = ['source' => [
                'format' => 'SOURCE_FORMAT_MOODLE',
                'payload' => (string)$row->payload,
                'enrichment' => json_decode((string)$row->enrichment, true) ?: new \stdClass(),
            ]];
        }
        try {
            $response = $this->api->ingest($items);
        } catch (polku_exception $e) {
            if (!$e->is_retryable() && $e->httpstatus === 400 && count($rows) > 1) {
                // One malformed event fails the batch: send one by one to find it.
                foreach ($rows as $row) {
                    if (!$this->send([$row], $report)) {
                        return false;
                    }
                }
                return true;
            }
            if (!$e->is_retryable() && $e->httpstatus === 400) {
                $this->outbox->set_aside((int)$rows[0]->id, $e->getMessage());
                $report['setaside']++;
                return true;
            }
            // Down, overloaded, or a key or configuration problem: keep everything queued.
            $this->outbox->defer($rows, $e->getMessage(), ($this->clock)(), [self::class, 'backoff']);
            $report['deferred'] += count($rows);
            $report['error'] = $e->getMessage();
            return false;
        }
        $byitem = [];
        foreach ($response['results'] as $result) {
            $byitem[$result['itemIndex']][] = $result;
        }
        $done = [];
        foreach ($rows as $index => $row) {
            $results = $byitem[$index] ?? [];
            if (!$results) {
                $this->outbox->set_aside((int)$row->id, 'Polku returned no result for this event');
                $report['setaside']++;
                continue;
            }
            $error = '';
            foreach ($results as $result) {
                switch ($result['outcome']) {
                    case 'EVENT_OUTCOME_ACCEPTED':
                        $report['sent']++;
                        break;
                    case 'EVENT_OUTCOME_DUPLICATE':
                        $report['duplicates']++;
                        break;
                    case 'EVENT_OUTCOME_ERASED':
                        $report['erased']++;
                        break;
                    case 'EVENT_OUTCOME_REJECTED':
                        if ((int)($result['error']['code'] ?? 0) === 12) {
                            $report['skipped']++;
                            $report['skippedids'][(string)$row->eventid] =
                                (string)($result['error']['message'] ?? '');
                            break;
                        }
                        $error = self::error_text($result);
                        break;
                    default:
                        $error = self::error_text($result);
                }
            }
            if ($error === '') {
                $done[] = (int)$row->id;
            } else {
                $this->outbox->set_aside((int)$row->id, $error);
                $report['setaside']++;
            }
        }
        $this->outbox->remove($done);
        return true;
    }

    /**
     * A result's outcome and error as one line.
     *
     * @param array $result EventResult
     * @return string
     */
    private static function error_text(array $result): string {
        $outcome = preg_replace('/^EVENT_OUTCOME_/', '', $result['outcome']);
        $message = (string)($result['error']['message'] ?? '');
        return $outcome . ($message !== '' ? ': ' . $message : '');
    }
}
