<?php
// Test-only base of the live suites: one polku-server per test class.

use local_polku\http\curl_client;
use local_polku\outbox\outbox;
use local_polku\payload_builder;
use local_polku\event_id;
use local_polku\polku_api;

/** Starts polku-server for a test class and gives the plugin's objects wired to it. */
abstract class polku_live_testcase extends \PHPUnit\Framework\TestCase {
    /** The wwwroot the tests use. */
    public const WWWROOT = 'https://moodle.example.edu';
    /** @var polku_test_server|null */
    protected static $server;

    public static function setUpBeforeClass(): void {
        if (($why = polku_test_server::unavailable()) !== null) {
            self::fail($why);
        }
        self::$server = new polku_test_server();
    }

    public static function tearDownAfterClass(): void {
        if (self::$server) {
            self::$server->destroy();
            self::$server = null;
        }
    }

    protected function api(): polku_api {
        return new polku_api(new curl_client(self::$server->endpoint(), self::$server->apikey));
    }

    protected function outbox(): outbox {
        $db = new polku_test_sqlite_database();
        $db->install_xmldb(POLKU_MOODLE_PLUGINS . '/local_polku/db/install.xml');
        return new outbox($db);
    }

    /**
     * Fixture event.json files under shared/fixtures/moodle, relative path => decoded data.
     *
     * @return array
     */
    protected static function fixtures(): array {
        $dir = (getenv('POLKU_FIXTURES_DIR') ?: dirname(POLKU_MOODLE_PLUGINS, 3) . '/shared/fixtures') . '/moodle';
        $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
        $out = [];
        foreach ($it as $file) {
            if ($file->getFilename() === 'event.json') {
                $rel = substr($file->getPathname(), strlen($dir) + 1);
                $out[$rel] = json_decode(file_get_contents($file->getPathname()), true);
            }
        }
        ksort($out);
        return $out;
    }

    /**
     * Queues an event the way the observer and the backfill do.
     *
     * @param outbox $outbox
     * @param array $raw event data or log row
     * @return string event id
     */
    protected function enqueue(outbox $outbox, array $raw): string {
        $data = payload_builder::event_data($raw);
        $id = event_id::for_event(self::WWWROOT, $data);
        $builder = new payload_builder(self::WWWROOT, 'test');
        $learner = (int)(($data['relateduserid'] ?? 0) > 0 ? $data['relateduserid'] : ($data['userid'] ?? 0));
        $outbox->enqueue($id, $data, $builder->enrichment($id, []), $learner, 1700000000);
        return $id;
    }

    /**
     * Event ids Polku exports for the given learners, with their tag JSON.
     *
     * @param int[] $userids
     * @return array event id => decoded tags (list of ids may repeat: counted)
     */
    protected function exported(array $userids, array &$counts = null): array {
        $api = $this->api();
        $out = [];
        $counts = [];
        foreach (array_unique($userids) as $userid) {
            $export = $api->export_learner_data(event_id::learner_key(self::WWWROOT, $userid));
            foreach ($export['eventsJson'] as $i => $eventjson) {
                $event = json_decode($eventjson, true);
                $id = $event['eventId'] ?? $event['event_id'] ?? '';
                $counts[$id] = ($counts[$id] ?? 0) + 1;
                $out[$id] = json_decode($export['tagsJson'][$i] ?? 'null', true);
            }
        }
        return $out;
    }
}
