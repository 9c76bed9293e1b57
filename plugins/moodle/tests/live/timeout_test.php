<?php
// Live: the plugin's HTTP client against a loopback server that accepts the
// connection and never answers returns within 2 seconds.

use local_polku\http\curl_client;
use local_polku\http\polku_exception;

/** @coversNothing */
final class timeout_test extends \PHPUnit\Framework\TestCase {
    public function test_silent_server_gives_up_within_two_seconds(): void {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        $this->assertNotFalse($socket, $errstr);
        $port = (int)substr(strrchr(stream_socket_get_name($socket, false), ':'), 1);
        // Accept the connection so the request is written, then say nothing.
        $client = new curl_client('http://127.0.0.1:' . $port, 'polku_000000000000_x');
        $start = microtime(true);
        try {
            $client->request('POST', '/v1/events:ingest', ['events' => []]);
            $this->fail('a silent server must not give an answer');
        } catch (polku_exception $e) {
            $elapsed = microtime(true) - $start;
            $this->assertSame(0, $e->httpstatus);
            $this->assertTrue($e->is_retryable());
        } finally {
            fclose($socket);
        }
        $this->assertLessThan(2.0, $elapsed);
        $this->assertGreaterThan(1.0, $elapsed, 'the client gave up before its timeout: not a timeout');
        fwrite(STDERR, sprintf("\ntimeout: gave up after %.2f s\n", $elapsed));
    }
}
